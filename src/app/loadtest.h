// Synthetic members with ready sessions, for load tests and benchmarks
// (tests/api/flash_race.test.mjs, bench/flash_claims.sh).
//
// The members go through the roster's own import path (validated, sealed,
// blind-indexed) into one unit. Each gets a member account without a
// password (it cannot log in) and one session, created as a login creates
// it. Only the Argon2id logins are skipped: 100,000 of them would take this
// machine's two cores an hour. The run is audited ("loadtest.members").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "auth/sessions.h"
#include "db/db.h"
#include "modules/member/roster.h"

namespace gh::app {

struct LoadtestOptions {
  int64_t unit_id = 0;
  int64_t count = 0;
  // Runs with different seeds make different people (citizen IDs, phones),
  // so one store can take several runs.
  int64_t seed = 0;
};

struct LoadtestMember {
  int64_t member_id = 0;
  std::string token;  // a bearer token of the member's session
};

std::vector<LoadtestMember> make_loadtest_members(db::Store& store, member::Roster& roster, auth::Sessions& sessions,
                                                  const audit::Audit& audit, const LoadtestOptions& options);

}  // namespace gh::app
