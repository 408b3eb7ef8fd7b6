// HTTP routes of the member module: the roster (/api/v1/members …), bulk
// import, sensitive-data reveal, status changes and history, transfers
// between unions (/api/v1/transfers …), the member's own record (/me) and
// the code tables (/dictionaries).
#pragma once

#include "audit/audit.h"
#include "auth/rate_limit.h"
#include "auth/sessions.h"
#include "db/db.h"
#include "http/router.h"
#include "modules/member/roster.h"

namespace gh::member {

class Routes {
 public:
  Routes(db::Store& store, Roster& roster, auth::Sessions& sessions, const audit::Audit& audit)
      : store_(store), roster_(roster), sessions_(sessions), audit_(audit) {}
  void mount(http::Router& router);

 private:
  http::Response create(http::Ctx& ctx, db::Tx& tx);
  http::Response get(http::Ctx& ctx);
  http::Response update(http::Ctx& ctx, db::Tx& tx);
  http::Response list(http::Ctx& ctx);
  http::Response import(http::Ctx& ctx);
  http::Response reveal(http::Ctx& ctx, db::Tx& tx);
  http::Response set_status(http::Ctx& ctx, db::Tx& tx);
  http::Response history(http::Ctx& ctx);
  http::Response request_transfer(http::Ctx& ctx, db::Tx& tx);
  http::Response list_transfers(http::Ctx& ctx);
  http::Response decide_transfer(http::Ctx& ctx, db::Tx& tx, const std::string& decision);
  http::Response me(http::Ctx& ctx);
  http::Response register_account(http::Ctx& ctx);

  // Loads a member the caller may see: staff in scope, or the member itself.
  Member visible(db::Tx& tx, const auth::Principal& who, int64_t id);

  db::Store& store_;
  Roster& roster_;
  auth::Sessions& sessions_;
  const audit::Audit& audit_;
  // Registration tries per client address (each costs an Argon2id hash and
  // probes the roster): 1 every 2 s, bursts of 30.
  auth::RateLimiter register_limiter_{30, 30};
};

}  // namespace gh::member
