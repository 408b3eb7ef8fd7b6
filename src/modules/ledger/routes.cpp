#include "modules/ledger/routes.h"


#include "core/error.h"
#include "modules/ledger/ledger.h"

namespace gh::ledger {
namespace {

namespace json = boost::json;

constexpr std::string_view kBalances =
    "SELECT account, SUM(debit_fen), SUM(credit_fen) FROM ledger_entries WHERE fund = $1 GROUP BY account "
    "ORDER BY account";

void require_top(const auth::Principal& who) {
  if (!who.at_top())
    throw Error::forbidden("only staff of the top org can read whole funds");
}

}  // namespace

json::object verify_json(const VerifyReport& r) {
  json::object out;
  out["ok"] = r.ok;
  json::array funds;
  for (const auto& f : r.funds)
    funds.push_back({{"fund", f.fund},
                     {"debit_fen", f.debit_fen},
                     {"credit_fen", f.credit_fen},
                     {"postings", f.txns},
                     {"paid_out_fen", f.paid_out_fen},
                     {"paid_records_fen", f.paid_records_fen},
                     {"ok", f.ok}});
  out["funds"] = std::move(funds);
  json::array problems;
  for (const auto& p : r.problems) problems.emplace_back(p);
  out["problems"] = std::move(problems);
  return out;
}

void Routes::mount(http::Router& r) {
  r.add(http::Method::get, "/api/v1/ledger/verify", {.auth = http::AuthMode::staff, .perm = auth::Perm::fund_read},
        [this](http::Ctx& c) { return verify(c); });
  r.add(http::Method::get, "/api/v1/ledger/funds/{fund}", {.auth = http::AuthMode::staff, .perm = auth::Perm::fund_read},
        [this](http::Ctx& c) { return fund(c); });
}

http::Response Routes::verify(http::Ctx& ctx) {
  require_top(ctx.who());
  return http::Response::json(200, verify_json(ledger::verify(store_)));
}

http::Response Routes::fund(http::Ctx& ctx) {
  require_top(ctx.who());
  std::string name(ctx.params.get("fund").value_or(""));
  return store_.read([&](db::Tx& tx) {
    json::array accounts;
    for (const auto& r : tx.query(kBalances, {name}))
      accounts.push_back({{"account", r[0].str()},
                          {"debit_fen", r[1].i64()},
                          {"credit_fen", r[2].i64()},
                          {"balance_fen", r[1].i64() - r[2].i64()}});
    if (accounts.empty()) throw Error::not_found("fund");
    json::object out;
    out["fund"] = name;
    out["accounts"] = std::move(accounts);
    return http::Response::json(200, out);
  });
}

}  // namespace gh::ledger
