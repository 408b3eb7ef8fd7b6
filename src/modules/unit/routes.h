// HTTP routes of the unit module: /api/v1/units …, and the credit-code
// override list (real codes that fail the GB 32100 checksum).
#pragma once

#include "audit/audit.h"
#include "db/db.h"
#include "http/router.h"

namespace gh::unit {

class Routes {
 public:
  Routes(db::Store& store, const audit::Audit& audit) : store_(store), audit_(audit) {}
  void mount(http::Router& router);

 private:
  http::Response create(http::Ctx& ctx, db::Tx& tx);
  http::Response get(http::Ctx& ctx);
  http::Response update(http::Ctx& ctx, db::Tx& tx);
  http::Response list(http::Ctx& ctx);
  http::Response add_override(http::Ctx& ctx, db::Tx& tx);

  db::Store& store_;
  const audit::Audit& audit_;
};

}  // namespace gh::unit
