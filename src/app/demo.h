// Deterministic demo data (all synthetic): a province federation (云南省总工会)
// with its cities, counties and grassroots unions, units with valid credit
// codes, members with valid citizen IDs, names and phones, staff accounts per
// level and two members for trying the member pages. Documented in
// docs/demo.md. The same seed always gives the same data.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "audit/audit.h"
#include "core/crypto.h"
#include "db/db.h"
#include "modules/member/roster.h"

namespace gh::app {

struct DemoOptions {
  // "small": 3 cities, 6 counties, 24 units, 2,400 members.
  // "seed": the seed's period 6 — all 16 prefectures, 5,314 units, 352,300 members.
  std::string scale = "small";
  uint64_t seed = 20221;
  std::function<void(const std::string&)> progress;  // optional progress lines
};

struct DemoReport {
  bool loaded = false;  // false when demo data was already there
  int64_t orgs = 0;
  int64_t units = 0;
  int64_t members = 0;
  int64_t staff = 0;
  double seconds = 0;
};

inline constexpr std::string_view kDemoPassword = "Demo@2026";

DemoReport load_demo(db::Store& store, member::Roster& roster, const audit::Audit& audit,
                     const DemoOptions& options);

}  // namespace gh::app
