#include "modules/unit/routes.h"

#include <set>

#include "core/credit_code.h"
#include "core/regions.h"
#include "http/fields.h"
#include "modules/common.h"
#include "modules/org/store.h"
#include "modules/unit/store.h"

namespace gh::unit {
namespace {

using http::Method;
using auth::Perm;
namespace json = boost::json;

constexpr std::string_view kOverride = "SELECT 1 FROM credit_code_overrides WHERE code = $1";
constexpr std::string_view kAddOverride =
    "INSERT INTO credit_code_overrides (code, reason, added_by, created_at) VALUES ($1, $2, $3, $4)";
constexpr std::string_view kByCode = "SELECT id FROM units WHERE credit_code = $1";
constexpr std::string_view kUpdate =
    "UPDATE units SET name = $2, industry = $3, headcount = $4, updated_at = $5 WHERE id = $1";

// GB/T 4754-2017 sections A–T.
bool valid_industry(const std::string& s) { return s.size() == 1 && s[0] >= 'A' && s[0] <= 'T'; }

}  // namespace

void Routes::mount(http::Router& r) {
  r.add_tx(Method::post, "/api/v1/units",
           {.auth = http::AuthMode::staff, .perm = Perm::unit_write, .idempotent = true},
           [this](http::Ctx& c, db::Tx& tx) { return create(c, tx); });
  r.add(Method::get, "/api/v1/units", {.auth = http::AuthMode::staff, .perm = Perm::unit_read},
        [this](http::Ctx& c) { return list(c); });
  r.add(Method::get, "/api/v1/units/{id}", {.auth = http::AuthMode::staff, .perm = Perm::unit_read, .inline_read = true},
        [this](http::Ctx& c) { return get(c); });
  r.add_tx(Method::patch, "/api/v1/units/{id}", {.auth = http::AuthMode::staff, .perm = Perm::unit_write},
           [this](http::Ctx& c, db::Tx& tx) { return update(c, tx); });
  r.add_tx(Method::post, "/api/v1/credit-code-overrides",
           {.auth = http::AuthMode::staff, .perm = Perm::region_write},
           [this](http::Ctx& c, db::Tx& tx) { return add_override(c, tx); });
}

http::Response Routes::create(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  Unit u;
  u.name = f.str("name", {.max = 100});
  auto code_in = f.str("credit_code", {.max = 40});
  auto region = f.str("region_code", {.max = 6});
  u.org_id = f.id("org_id");
  u.industry = f.opt_str("industry", {.max = 1, .required = false});
  u.headcount = f.opt_i64("headcount", 0, 10'000'000);
  if (u.industry && !valid_industry(*u.industry))
    f.add("industry", "industry.unknown", "industry must be a GB/T 4754-2017 section letter A–T");
  if (!code_in.empty()) {
    std::set<std::string, std::less<>> overrides;
    if (tx.one(kOverride, {code_in})) overrides.insert(code_in);
    auto code = parse_credit_code(code_in, overrides);
    if (!code) f.add("credit_code", code.error().code, code.error().message);
    else u.credit_code = code->code;
  }
  if (!region.empty()) {
    auto r = Regions::instance().check_current(region);
    if (!r) f.add("region_code", r.error().code, r.error().message);
  }
  f.done();

  auto org = org::find(tx, u.org_id);
  if (!org) throw Error::invalid("org_id", "org_id.unknown", "no org with this id");
  modules::require_scope(who, org->path, "org");
  if (!Regions::contains(org->region_code, region))
    throw Error::invalid("region_code", "region.outside_org",
                         "the unit's region " + region + " is not inside its union's region " + org->region_code);
  if (tx.one(kByCode, {u.credit_code}))
    throw Error{ErrorKind::conflict, "credit_code.duplicate", "a unit with this credit code already exists",
                {{"credit_code", "credit_code.duplicate", "a unit with this credit code already exists"}}};
  u.region_code = region;
  u.org_path = org->path;
  u.id = insert(tx, u);
  u.created_at = u.updated_at = db::now_ms();
  audit_.append(tx, audit::Actor::of(&who), {"unit.create", "unit", std::to_string(u.id), "ok", "", u.org_path});
  return http::Response::json(201, to_json(u));
}

http::Response Routes::get(http::Ctx& ctx) {
  int64_t id = ctx.id_param();
  auto u = store_.read([&](db::Tx& tx) { return find(tx, id); });
  if (!u) throw Error::not_found("unit");
  modules::require_scope(ctx.who(), u->org_path, "unit");
  return http::Response::json(200, to_json(*u));
}

http::Response Routes::update(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  int64_t id = ctx.id_param();
  auto u = find(tx, id);
  if (!u) throw Error::not_found("unit");
  modules::require_scope(who, u->org_path, "unit");
  http::Fields f(ctx.json());
  if (f.raw("name")) u->name = f.str("name", {.max = 100});
  if (f.raw("industry")) u->industry = f.opt_str("industry", {.max = 1, .required = false});
  if (f.raw("headcount")) u->headcount = f.opt_i64("headcount", 0, 10'000'000);
  if (u->industry && !valid_industry(*u->industry))
    f.add("industry", "industry.unknown", "industry must be a GB/T 4754-2017 section letter A–T");
  f.done();
  u->updated_at = db::now_ms();
  tx.exec(kUpdate, {id, u->name, u->industry, u->headcount, u->updated_at});
  audit_.append(tx, audit::Actor::of(&who), {"unit.update", "unit", std::to_string(id), "ok", "", u->org_path});
  return http::Response::json(200, to_json(*u));
}

http::Response Routes::list(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  const std::string root_path = org::list_root(store_, who, ctx.req);
  std::string where = " FROM units WHERE org_path >= $1 AND org_path < $2";
  std::vector<db::Value> params{root_path, modules::subtree_upper(root_path)};
  if (auto q = ctx.req.query_param("q"); q && !q->empty()) {
    params.emplace_back(modules::like_prefix(*q));
    params.emplace_back(std::string(*q));
    where += " AND (name LIKE $3 ESCAPE '\\' OR credit_code = $4)";
  }
  auto [rows, total] = modules::paged(store_, kUnitColumns, where, params, "id", page);
  json::array items;
  for (const auto& row : rows) items.push_back(to_json(from_row(row)));
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::add_override(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  auto code = f.str("credit_code", {.min = 18, .max = 18});
  auto reason = f.str("reason", {.max = 200});
  f.done();
  tx.exec(kAddOverride, {code, reason, who.account_id, db::now_ms()});
  audit_.append(tx, audit::Actor::of(&who), {"credit_code.override", "credit_code", code, "ok", reason, who.org_path});
  json::object out;
  out["credit_code"] = code;
  out["reason"] = reason;
  return http::Response::json(201, out);
}

}  // namespace gh::unit
