// Units (employers, 单位) in the store.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "db/db.h"

namespace gh::unit {

struct Unit {
  int64_t id = 0;
  std::string name;
  std::string credit_code;
  std::string region_code;
  int64_t org_id = 0;
  std::string org_path;
  std::optional<std::string> industry;  // GB/T 4754-2017 section letter
  std::optional<int64_t> headcount;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

std::optional<Unit> find(db::Tx& tx, int64_t id);
int64_t insert(db::Tx& tx, const Unit& u);
boost::json::object to_json(const Unit& u);
Unit from_row(const db::Row& row);  // columns as kUnitColumns
inline constexpr std::string_view kUnitColumns =
    "id, name, credit_code, region_code, org_id, org_path, industry, headcount, created_at, updated_at";

}  // namespace gh::unit
