// HTTP routes of the audit trail: GET /api/v1/audit (filtered, scoped to the
// caller's subtree) and GET /api/v1/audit/verify (the hash chain).
#pragma once

#include "audit/audit.h"
#include "http/router.h"

namespace gh::audit {

class Routes {
 public:
  Routes(db::Store& store, const Audit& audit) : store_(store), audit_(audit) {}
  void mount(http::Router& router);

 private:
  http::Response list(http::Ctx& ctx);
  http::Response verify(http::Ctx& ctx);

  db::Store& store_;
  const Audit& audit_;
};

}  // namespace gh::audit
