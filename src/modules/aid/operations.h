// The mutual-aid plan's operations, each inside the caller's write
// transaction, audited, and posting to the ledger where money moves. The
// HTTP routes parse and scope-check requests and call these; the demo data
// calls them too. Inputs are already validated.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit.h"
#include "auth/principal.h"
#include "db/db.h"
#include "modules/aid/rules.h"
#include "modules/aid/store.h"
#include "modules/member/store.h"
#include "modules/org/store.h"
#include "modules/unit/store.h"

namespace gh::aid {

struct PeriodInput {
  int64_t number = 0;
  std::string name;
  int64_t premium_fen = 10000;
  int64_t cap_fen = 20'000'000;
  int64_t waiting_days = 0;
  Date enrol_start, enrol_end, cover_start, cover_end;
  Benefits benefits;
};
// 409 period.duplicate when the org already has this number.
int64_t create_period(db::Tx& tx, const audit::Audit& audit, const auth::Principal& who, const org::Org& org,
                      const PeriodInput& in);

struct EnrolResult {
  int64_t enrolled = 0;
  int64_t premium_fen = 0;
  std::vector<std::pair<int64_t, std::string>> skipped;  // member id, code
};
// Enrols the eligible members of `unit` (only `wanted` ones when given).
EnrolResult enrol(db::Tx& tx, const audit::Audit& audit, const auth::Principal& who, const Period& period,
                  const unit::Unit& unit, const std::optional<std::set<int64_t>>& wanted, Date today);

// The facts of a claim as filed or corrected.
struct ClaimInput {
  Claim facts;
  std::string hospital, diagnosis;
  int64_t total = 0, basic = 0, critical = 0, assistance = 0;
  boost::json::array documents;
};
// Files and assesses a claim; returns its id.
int64_t file_claim(db::Tx& tx, const audit::Audit& audit, const auth::Principal& who, const Period& period,
                   const member::Member& member, const ClaimInput& in);

// approve | reject | return a submitted claim (four eyes; approval
// re-assesses and posts claims payable). Throws the API's errors.
void decide(db::Tx& tx, const audit::Audit& audit, const auth::Principal& who, const StoredClaim& claim,
            std::string_view decision, const std::string& note);

}  // namespace gh::aid
