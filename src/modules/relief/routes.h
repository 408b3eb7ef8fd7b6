// HTTP routes of critical-illness relief (大病救助): the tier table of each
// year, applications and their three-stage review (grassroots → district →
// approval), payment batches and the yearly report. See docs/funds.md.
#pragma once

#include "audit/audit.h"
#include "db/db.h"
#include "http/router.h"
#include "modules/relief/rules.h"

namespace gh::relief {

// The tier table of `year`: the saved one, else default_tiers().
Tiers tiers_for(db::Tx& tx, int64_t year, bool* is_default = nullptr);

class Routes {
 public:
  Routes(db::Store& store, const audit::Audit& audit) : store_(store), audit_(audit) {}
  void mount(http::Router& router);

 private:
  http::Response get_tiers(http::Ctx& ctx);
  http::Response put_tiers(http::Ctx& ctx, db::Tx& tx);
  http::Response file(http::Ctx& ctx, db::Tx& tx);
  http::Response list(http::Ctx& ctx);
  http::Response get(http::Ctx& ctx);
  http::Response review(http::Ctx& ctx, db::Tx& tx);
  http::Response pay_batch(http::Ctx& ctx, db::Tx& tx);
  http::Response report(http::Ctx& ctx);

  db::Store& store_;
  const audit::Audit& audit_;
};

}  // namespace gh::relief
