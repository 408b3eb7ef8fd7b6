// HTTP routes of the mutual-aid plan (职工医疗和生活互助保障计划):
// /api/v1/mutual-aid/… and /api/v1/me/mutual-aid. See docs/funds.md.
#pragma once

#include "audit/audit.h"
#include "db/db.h"
#include "http/router.h"

namespace gh::aid {

class Routes {
 public:
  Routes(db::Store& store, const audit::Audit& audit) : store_(store), audit_(audit) {}
  void mount(http::Router& router);

 private:
  http::Response create_period(http::Ctx& ctx, db::Tx& tx);
  http::Response list_periods(http::Ctx& ctx);
  http::Response get_period(http::Ctx& ctx);
  http::Response put_rules(http::Ctx& ctx, db::Tx& tx);
  http::Response enrol(http::Ctx& ctx, db::Tx& tx);
  http::Response list_enrollments(http::Ctx& ctx);
  http::Response file_claim(http::Ctx& ctx, db::Tx& tx);
  http::Response correct_claim(http::Ctx& ctx, db::Tx& tx);
  http::Response decide(http::Ctx& ctx, db::Tx& tx, std::string_view decision);
  http::Response pay(http::Ctx& ctx, db::Tx& tx);
  http::Response pay_batch(http::Ctx& ctx, db::Tx& tx);
  http::Response list_claims(http::Ctx& ctx);
  http::Response get_claim(http::Ctx& ctx);
  http::Response report(http::Ctx& ctx);
  http::Response report_units(http::Ctx& ctx);
  http::Response mine(http::Ctx& ctx);

  db::Store& store_;
  const audit::Audit& audit_;
};

}  // namespace gh::aid
