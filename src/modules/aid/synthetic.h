// A synthetic mutual-aid period at scale, for the report test that rebuilds
// the seed's 2021 figures and for bench/aid_report.cpp. Orgs, units and
// members are bulk-inserted with set-based SQL (they are not what is being
// tested); the period's money goes through the module's own code: premiums
// through add_enrolled and ledger::post per unit, every claim approved with
// its ledger posting and paid through pay_claim.
#pragma once

#include <cstdint>

#include "db/db.h"

namespace gh::aid {

struct SyntheticSpec {
  int64_t units = 100;
  int64_t members = 336'060;   // all enrolled
  int64_t claims = 29'617;     // all paid, on distinct members
  int64_t payout_fen = 3'478'590'000;
  int64_t premium_fen = 10000;
};

// Into an empty, migrated store. Returns the period id.
int64_t build_synthetic_period(db::Store& store, const SyntheticSpec& spec);

}  // namespace gh::aid
