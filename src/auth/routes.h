// HTTP routes of the auth module: login/logout, the caller's own account,
// staff accounts (/api/v1/staff …) and terminals (/api/v1/terminals …,
// /api/v1/terminal/ping).
#pragma once

#include "audit/audit.h"
#include "auth/authenticator.h"
#include "auth/rate_limit.h"
#include "auth/rules.h"
#include "auth/sessions.h"
#include "core/crypto.h"
#include "http/router.h"

namespace gh::auth {

class Routes {
 public:
  Routes(db::Store& store, Sessions& sessions, SessionAuthenticator& authenticator,
         const crypto::Keys& keys, const audit::Audit& audit, LockoutPolicy lockout = {})
      : store_(store), sessions_(sessions), authenticator_(authenticator), keys_(keys), audit_(audit),
        lockout_(lockout) {}
  void mount(http::Router& router);

 private:
  http::Response login(http::Ctx& ctx);
  http::Response logout(http::Ctx& ctx);
  http::Response me(http::Ctx& ctx);
  http::Response change_password(http::Ctx& ctx);
  http::Response create_staff(http::Ctx& ctx);
  http::Response list_staff(http::Ctx& ctx);
  http::Response get_staff(http::Ctx& ctx);
  http::Response update_staff(http::Ctx& ctx, db::Tx& tx);
  http::Response reset_password(http::Ctx& ctx);
  http::Response create_terminal(http::Ctx& ctx, db::Tx& tx);
  http::Response list_terminals(http::Ctx& ctx);
  db::Row staff_terminal(http::Ctx& ctx, db::Tx& tx);
  http::Response set_terminal_status(http::Ctx& ctx, db::Tx& tx, std::string_view status);
  http::Response rekey_terminal(http::Ctx& ctx, db::Tx& tx);
  http::Response ping(http::Ctx& ctx);

  db::Store& store_;
  Sessions& sessions_;
  SessionAuthenticator& authenticator_;
  const crypto::Keys& keys_;
  const audit::Audit& audit_;
  LockoutPolicy lockout_;
  RateLimiter login_limiter_{60, 60};  // per client address: 1/s, bursts of 60
  std::string dummy_hash_;  // verified against unknown usernames so timing reveals nothing
};

}  // namespace gh::auth
