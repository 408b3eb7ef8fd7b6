#include "modules/org/routes.h"

#include "core/regions.h"
#include "http/fields.h"
#include "modules/common.h"
#include "modules/org/store.h"

namespace gh::org {
namespace {

using http::Method;
using auth::Perm;
namespace json = boost::json;

constexpr std::string_view kColumns =
    "id, name, level, parent_id, region_code, path, depth, created_at, updated_at";
constexpr std::string_view kChildren =
    "SELECT o.id, o.name, o.level, o.parent_id, o.region_code, o.path, o.depth, o.created_at, "
    "o.updated_at, (SELECT COUNT(*) FROM orgs c WHERE c.parent_id = o.id) FROM orgs o "
    "WHERE o.parent_id = $1 ORDER BY o.id";
constexpr std::string_view kByLevel =
    "SELECT o.level, COUNT(*) FROM orgs o WHERE o.path >= $1 AND o.path < $2 GROUP BY o.level";
constexpr std::string_view kUnitCount =
    "SELECT COUNT(*) FROM units WHERE org_path >= $1 AND org_path < $2";
constexpr std::string_view kMemberCount =
    "SELECT status, COUNT(*) FROM members WHERE org_path >= $1 AND org_path < $2 GROUP BY status";

Org from_row(const db::Row& row) {
  Org o;
  o.id = row[0].i64();
  o.name = row[1].str();
  o.level = parse_level(row[2].str()).value_or(Level::grassroots);
  o.parent_id = row[3].i64();
  o.region_code = row[4].str();
  o.path = row[5].str();
  o.depth = static_cast<int>(row[6].i64());
  o.created_at = row[7].i64();
  o.updated_at = row[8].i64();
  return o;
}

}  // namespace

void Routes::mount(http::Router& r) {
  r.add_tx(Method::post, "/api/v1/orgs",
           {.auth = http::AuthMode::staff, .perm = Perm::org_write, .idempotent = true},
           [this](http::Ctx& c, db::Tx& tx) { return create(c, tx); });
  r.add(Method::get, "/api/v1/orgs", {.auth = http::AuthMode::staff, .perm = Perm::org_read},
        [this](http::Ctx& c) { return list(c); });
  r.add(Method::get, "/api/v1/orgs/{id}", {.auth = http::AuthMode::staff, .perm = Perm::org_read, .inline_read = true},
        [this](http::Ctx& c) { return get(c); });
  r.add_tx(Method::patch, "/api/v1/orgs/{id}", {.auth = http::AuthMode::staff, .perm = Perm::org_write},
           [this](http::Ctx& c, db::Tx& tx) { return update(c, tx); });
  r.add(Method::get, "/api/v1/orgs/{id}/children", {.auth = http::AuthMode::staff, .perm = Perm::org_read},
        [this](http::Ctx& c) { return children(c); });
  r.add(Method::get, "/api/v1/orgs/{id}/summary", {.auth = http::AuthMode::staff, .perm = Perm::org_read},
        [this](http::Ctx& c) { return summary(c); });
}

http::Response Routes::create(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  auto name = f.str("name", {.max = 100});
  auto level_s = f.str("level", {.max = 20});
  auto parent_id = f.id("parent_id");
  auto region = f.str("region_code", {.max = 6});
  auto level = parse_level(level_s);
  if (!level_s.empty() && !level)
    f.add("level", "level.unknown", "level must be one of national, province, city, county, grassroots, industry");
  f.done();

  auto parent = find(tx, parent_id);
  if (!parent) throw Error::invalid("parent_id", "parent_id.unknown", "no org with this id");
  modules::require_scope(who, parent->path, "parent org");
  auto errors = check_child({parent->level, parent->region_code}, *level, region, Regions::instance());
  if (!errors.empty()) throw Error::invalid(std::move(errors));

  auto org = insert(tx, name, *level, &*parent, region);
  audit_.append(tx, audit::Actor::of(&who),
                {"org.create", "org", std::to_string(org.id), "ok", "", org.path});
  return http::Response::json(201, to_json(org));
}

http::Response Routes::get(http::Ctx& ctx) {
  int64_t id = ctx.id_param();
  auto org = store_.read([&](db::Tx& tx) { return find(tx, id); });
  if (!org) throw Error::not_found("org");
  modules::require_scope(ctx.who(), org->path, "org");
  return http::Response::json(200, to_json(*org));
}

http::Response Routes::update(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  int64_t id = ctx.id_param();
  http::Fields f(ctx.json());
  auto name = f.str("name", {.max = 100});
  f.done();
  auto org = find(tx, id);
  if (!org) throw Error::not_found("org");
  modules::require_scope(who, org->path, "org");
  rename(tx, id, name);
  audit_.append(tx, audit::Actor::of(&who),
                {"org.update", "org", std::to_string(id), "ok", "name", org->path});
  org->name = name;
  org->updated_at = db::now_ms();
  return http::Response::json(200, to_json(*org));
}

http::Response Routes::list(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  const std::string root_path = org::list_root(store_, who, ctx.req);
  std::string where = " FROM orgs WHERE path >= $1 AND path < $2";
  std::vector<db::Value> params{root_path, modules::subtree_upper(root_path)};
  if (auto level = ctx.req.query_param("level"); level && !level->empty()) {
    if (!parse_level(*level)) throw Error::invalid("level", "level.unknown", "unknown level");
    params.emplace_back(*level);
    where += " AND level = $" + std::to_string(params.size());
  }
  if (auto q = ctx.req.query_param("q"); q && !q->empty()) {
    params.emplace_back(modules::like_prefix(*q));
    where += " AND name LIKE $" + std::to_string(params.size()) + " ESCAPE '\\'";
  }
  auto [rows, total] = modules::paged(store_, kColumns, where, params, "depth, id", page);
  json::array items;
  for (const auto& row : rows) items.push_back(to_json(from_row(row)));
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::children(http::Ctx& ctx) {
  int64_t id = ctx.id_param();
  auto [org, rows] = store_.read([&](db::Tx& tx) {
    auto o = find(tx, id);
    db::Rows r;
    if (o) r = tx.query(kChildren, {id});
    return std::pair{o, std::move(r)};
  });
  if (!org) throw Error::not_found("org");
  modules::require_scope(ctx.who(), org->path, "org");
  json::array items;
  for (const auto& row : rows) {
    auto j = to_json(from_row(row));
    j["child_count"] = row[9].i64();
    items.push_back(std::move(j));
  }
  json::object out;
  out["org"] = to_json(*org);
  out["children"] = std::move(items);
  return http::Response::json(200, out);
}

// Counts for the console's home page: orgs by level, units, members by status.
http::Response Routes::summary(http::Ctx& ctx) {
  int64_t id = ctx.id_param();
  auto org = store_.read([&](db::Tx& tx) { return find(tx, id); });
  if (!org) throw Error::not_found("org");
  modules::require_scope(ctx.who(), org->path, "org");
  std::string upper = modules::subtree_upper(org->path);
  json::object out;
  store_.read([&](db::Tx& tx) {
    json::object levels;
    for (const auto& row : tx.query(kByLevel, {org->path, upper})) levels[row[0].str()] = row[1].i64();
    json::object members;
    int64_t total = 0;
    for (const auto& row : tx.query(kMemberCount, {org->path, upper})) {
      members[row[0].str()] = row[1].i64();
      total += row[1].i64();
    }
    members["total"] = total;
    out["orgs_by_level"] = std::move(levels);
    out["units"] = tx.query(kUnitCount, {org->path, upper})[0][0].i64();
    out["members"] = std::move(members);
  });
  out["org"] = to_json(*org);
  return http::Response::json(200, out);
}

}  // namespace gh::org
