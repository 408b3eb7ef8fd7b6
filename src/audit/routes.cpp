#include "audit/routes.h"

#include "core/date.h"
#include "http/fields.h"
#include "modules/common.h"

namespace gh::audit {
namespace {
namespace json = boost::json;
constexpr std::string_view kColumns =
    "id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, result, detail";

int64_t parse_time(const http::Request& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return 0;
  auto d = Date::parse(*v);
  if (!d) throw Error::invalid(std::string(name), std::string(name) + ".format", std::string(name) + " must be a date YYYY-MM-DD");
  // Dates are Shanghai business days: a day starts at 16:00 UTC the day before.
  return (d->days() * 86400 - 8 * 3600) * 1000;
}
}  // namespace

void Routes::mount(http::Router& r) {
  r.add(http::Method::get, "/api/v1/audit", {.auth = http::AuthMode::staff, .perm = auth::Perm::audit_read},
        [this](http::Ctx& c) { return list(c); });
  r.add(http::Method::get, "/api/v1/audit/verify", {.auth = http::AuthMode::staff, .perm = auth::Perm::audit_read},
        [this](http::Ctx& c) { return verify(c); });
}

http::Response Routes::list(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  std::string where = " FROM audit_log WHERE 1 = 1";
  std::vector<db::Value> params;
  auto add = [&](std::string cond, db::Value v) {
    params.push_back(std::move(v));
    where += " AND " + cond + " $" + std::to_string(params.size());
  };
  // Entries about objects in the caller's subtree; the top org's auditors
  // also see entries tied to no org (failed logins of unknown users).
  if (!who.at_top()) {
    add("org_path >=", who.org_path);
    add("org_path <", modules::subtree_upper(who.org_path));
  }
  for (const char* field : {"action", "object_type", "object_id", "result", "actor_kind"})
    if (auto v = ctx.req.query_param(field); v && !v->empty()) add(std::string(field) + " =", std::string(*v));
  if (int64_t actor = modules::query_id(ctx.req, "actor_id")) add("actor_id =", actor);
  if (int64_t from = parse_time(ctx.req, "from")) add("at >=", from);
  if (int64_t to = parse_time(ctx.req, "to")) add("at <", to + 86'400'000);
  auto [rows, total] = modules::paged(store_, kColumns, where, params, "id DESC", page);
  json::array items;
  for (const auto& r : rows) {
    json::object j;
    j["id"] = r[0].i64();
    j["at"] = iso_utc(r[1].i64());
    j["actor_kind"] = r[2].str();
    if (auto id = r[3].opt_i64()) j["actor_id"] = *id; else j["actor_id"] = nullptr;
    j["actor_name"] = r[4].str();
    j["action"] = r[5].str();
    j["object_type"] = r[6].str();
    j["object_id"] = r[7].str();
    j["result"] = r[8].str();
    j["detail"] = r[9].str();
    items.push_back(std::move(j));
  }
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::verify(http::Ctx& ctx) {
  // The chain spans every org: only the top org's auditors may check it whole.
  const auto& who = ctx.who();
  if (!who.at_top())
    throw Error::forbidden("only auditors of the top org can verify the whole audit trail");
  auto report = audit_.verify(store_);
  json::object out;
  out["ok"] = report.ok;
  out["rows"] = report.rows;
  out["head"] = report.head;
  out["message"] = report.message;
  if (!report.ok) out["first_bad_id"] = report.first_bad_id;
  return http::Response::json(200, out);
}

}  // namespace gh::audit
