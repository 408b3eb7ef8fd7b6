#include "modules/org/store.h"

#include "core/date.h"
#include "core/regions.h"
#include "modules/common.h"

namespace gh::org {
namespace {

constexpr std::string_view kFind =
    "SELECT id, name, level, parent_id, region_code, path, depth, created_at, updated_at "
    "FROM orgs WHERE id = $1";
constexpr std::string_view kInsert =
    "INSERT INTO orgs (name, level, parent_id, region_code, path, depth, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
constexpr std::string_view kSetPath = "UPDATE orgs SET path = $2 WHERE id = $1";
constexpr std::string_view kRename = "UPDATE orgs SET name = $2, updated_at = $3 WHERE id = $1";
constexpr std::string_view kCount = "SELECT COUNT(*) FROM orgs";

}  // namespace

std::optional<Org> find(db::Tx& tx, int64_t id) {
  auto r = tx.one(kFind, {id});
  if (!r) return std::nullopt;
  const auto& row = *r;
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

Org insert(db::Tx& tx, const std::string& name, Level level, const Org* parent,
           const std::string& region_code) {
  int64_t now = db::now_ms();
  int depth = parent ? parent->depth + 1 : 0;
  // The path needs the new id: insert with a unique temporary path, then set it.
  std::string temp = "/tmp-" + std::to_string(now) + "-" + name + "/";
  auto id = tx.query(kInsert, {name, std::string(level_name(level)),
                               parent ? db::Value(parent->id) : db::Value(), region_code, temp,
                               int64_t{depth}, now})[0][0]
                .i64();
  std::string path = (parent ? parent->path : std::string("/")) + std::to_string(id) + "/";
  tx.exec(kSetPath, {id, path});
  Org o;
  o.id = id;
  o.name = name;
  o.level = level;
  o.parent_id = parent ? parent->id : 0;
  o.region_code = region_code;
  o.path = path;
  o.depth = depth;
  o.created_at = o.updated_at = now;
  return o;
}

bool rename(db::Tx& tx, int64_t id, const std::string& name) {
  return tx.exec(kRename, {id, name, db::now_ms()}) == 1;
}

int64_t count(db::Tx& tx) { return tx.query(kCount)[0][0].i64(); }

boost::json::object to_json(const Org& o) {
  boost::json::object j;
  j["id"] = o.id;
  j["name"] = o.name;
  j["level"] = level_name(o.level);
  if (o.parent_id)
    j["parent_id"] = o.parent_id;
  else
    j["parent_id"] = nullptr;
  j["region_code"] = o.region_code;
  auto region = Regions::instance().find(o.region_code);
  if (region)
    j["region_name"] = region->name;
  else
    j["region_name"] = o.region_code == kNationalRegion ? "全国" : "";
  j["depth"] = o.depth;
  j["created_at"] = iso_utc(o.created_at);
  j["updated_at"] = iso_utc(o.updated_at);
  return j;
}

std::string list_root(db::Store& store, const auth::Principal& who, const http::Request& req) {
  const int64_t root_id = modules::query_id(req, "org_id");
  if (!root_id) return who.org_path;
  auto root = store.read([&](db::Tx& tx) { return find(tx, root_id); });
  if (!root) throw Error::not_found("org");
  modules::require_scope(who, root->path, "org");
  return root->path;
}

}  // namespace gh::org
