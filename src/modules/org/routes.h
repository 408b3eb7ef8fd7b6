// HTTP routes of the org module: /api/v1/orgs …
#pragma once

#include "audit/audit.h"
#include "db/db.h"
#include "http/router.h"

namespace gh::org {

class Routes {
 public:
  Routes(db::Store& store, const audit::Audit& audit) : store_(store), audit_(audit) {}
  void mount(http::Router& router);

 private:
  http::Response create(http::Ctx& ctx, db::Tx& tx);
  http::Response get(http::Ctx& ctx);
  http::Response update(http::Ctx& ctx, db::Tx& tx);
  http::Response list(http::Ctx& ctx);
  http::Response children(http::Ctx& ctx);
  http::Response summary(http::Ctx& ctx);

  db::Store& store_;
  const audit::Audit& audit_;
};

}  // namespace gh::org
