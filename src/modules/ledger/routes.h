// HTTP routes of the fund ledger: /api/v1/ledger/verify and
// /api/v1/ledger/funds/{fund}. Both span whole funds, so they are for the
// top org's staff only.
#pragma once

#include <boost/json.hpp>

#include "db/db.h"
#include "http/router.h"
#include "modules/ledger/ledger.h"

namespace gh::ledger {

class Routes {
 public:
  explicit Routes(db::Store& store) : store_(store) {}
  void mount(http::Router& router);

 private:
  http::Response verify(http::Ctx& ctx);
  http::Response fund(http::Ctx& ctx);

  db::Store& store_;
};

// The verify report as JSON (shared by the endpoint and `gonghui ledger verify`).
boost::json::object verify_json(const VerifyReport& r);

}  // namespace gh::ledger
