#include "modules/unit/store.h"

#include "core/date.h"
#include "core/regions.h"

namespace gh::unit {
namespace {
constexpr std::string_view kFind =
    "SELECT id, name, credit_code, region_code, org_id, org_path, industry, headcount, created_at, "
    "updated_at FROM units WHERE id = $1";
constexpr std::string_view kInsert =
    "INSERT INTO units (name, credit_code, region_code, org_id, org_path, industry, headcount, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id";
}  // namespace

Unit from_row(const db::Row& row) {
  Unit u;
  u.id = row[0].i64();
  u.name = row[1].str();
  u.credit_code = row[2].str();
  u.region_code = row[3].str();
  u.org_id = row[4].i64();
  u.org_path = row[5].str();
  u.industry = row[6].opt_str();
  u.headcount = row[7].opt_i64();
  u.created_at = row[8].i64();
  u.updated_at = row[9].i64();
  return u;
}

std::optional<Unit> find(db::Tx& tx, int64_t id) {
  auto r = tx.one(kFind, {id});
  if (!r) return std::nullopt;
  return from_row(*r);
}

int64_t insert(db::Tx& tx, const Unit& u) {
  return tx.query(kInsert, {u.name, u.credit_code, u.region_code, u.org_id, u.org_path, u.industry,
                            u.headcount, db::now_ms()})[0][0]
      .i64();
}

boost::json::object to_json(const Unit& u) {
  boost::json::object j;
  j["id"] = u.id;
  j["name"] = u.name;
  j["credit_code"] = u.credit_code;
  j["region_code"] = u.region_code;
  auto region = Regions::instance().find(u.region_code);
  j["region_name"] = region ? region->name : "";
  j["org_id"] = u.org_id;
  if (u.industry) j["industry"] = *u.industry; else j["industry"] = nullptr;
  if (u.headcount) j["headcount"] = *u.headcount; else j["headcount"] = nullptr;
  j["created_at"] = iso_utc(u.created_at);
  j["updated_at"] = iso_utc(u.updated_at);
  return j;
}

}  // namespace gh::unit
