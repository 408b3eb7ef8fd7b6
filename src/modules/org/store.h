// Orgs in the store. Each org keeps its materialised path ("/1/7/42/") so a
// subtree is one index range scan, fast at any size.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "auth/principal.h"
#include "db/db.h"
#include "http/http.h"
#include "modules/org/rules.h"

namespace gh::org {

struct Org {
  int64_t id = 0;
  std::string name;
  Level level = Level::grassroots;
  int64_t parent_id = 0;  // 0 for the top org
  std::string region_code;
  std::string path;
  int depth = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

std::optional<Org> find(db::Tx& tx, int64_t id);
// The root of a list's subtree: the org named by ?org_id= (404 unless it
// exists and lies in the caller's subtree), else the caller's own org.
// Returns its materialised path.
std::string list_root(db::Store& store, const auth::Principal& who, const http::Request& req);
// Inserts an org under `parent` (nullptr for the top org) and returns it.
Org insert(db::Tx& tx, const std::string& name, Level level, const Org* parent,
           const std::string& region_code);
bool rename(db::Tx& tx, int64_t id, const std::string& name);
int64_t count(db::Tx& tx);

boost::json::object to_json(const Org& o);

}  // namespace gh::org
