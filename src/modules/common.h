// Small helpers every module uses: data-scope checks on materialised org
// paths, and JSON response shapes for lists.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/principal.h"
#include "core/date.h"
#include "core/error.h"
#include "db/db.h"
#include "http/fields.h"
#include "http/http.h"

namespace gh::modules {

// Org paths look like "/1/7/42/". Every path in the subtree of `path` lies
// in the half-open range [path, upper) because '0' follows '/' in ASCII —
// an index range scan on both stores (PostgreSQL columns use COLLATE "C").
inline std::string subtree_upper(std::string_view path) {
  std::string upper(path);
  if (!upper.empty()) upper.back() = '0';
  return upper;
}

// Throws a 404 (audited as a denied access) when the object at `org_path`
// lies outside the caller's subtree. Existence is never revealed.
inline void require_scope(const auth::Principal& who, std::string_view org_path, std::string what) {
  if (!who.in_scope(org_path)) throw Error::out_of_scope(std::move(what));
}

// Objects run by an org for its subtree (mutual-aid periods, campaigns)
// concern staff of that org, of the orgs above it, and of orgs inside it.
inline bool covers_or_within(const auth::Principal& who, std::string_view path) {
  return who.kind == auth::PrincipalKind::staff && (who.in_scope(path) || who.org_path.starts_with(path));
}

// The SQL condition for such objects as a list sees them: `column` is the
// org path of `path` itself or of an org above it, or (with_subtree) lies in
// the subtree of `path`. Appends its parameters to `params`.
inline std::string covering_paths_sql(std::string_view column, std::string_view path, bool with_subtree,
                                      std::vector<db::Value>& params) {
  std::string in;
  for (size_t i = 1; i < path.size(); ++i)
    if (path[i] == '/') {
      params.emplace_back(std::string(path.substr(0, i + 1)));
      in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
    }
  std::string sql = "(" + std::string(column) + " IN (" + (in.empty() ? std::string("''") : in) + ")";
  if (with_subtree) {
    params.emplace_back(std::string(path));
    params.emplace_back(subtree_upper(path));
    sql += " OR (" + std::string(column) + " >= $" + std::to_string(params.size() - 1) + " AND " +
           std::string(column) + " < $" + std::to_string(params.size()) + ")";
  }
  return sql + ")";
}

// Of two nested subtrees (one path a prefix of the other), the inner one.
inline const std::string& inner_path(const std::string& a, const std::string& b) {
  return a.size() > b.size() ? a : b;
}

inline boost::json::value opt_json(const std::optional<std::string>& s) {
  if (!s) return nullptr;
  return boost::json::string(*s);
}

inline boost::json::object page_json(boost::json::array items, int64_t total, const http::Page& page) {
  boost::json::object o;
  o["items"] = std::move(items);
  o["total"] = total;
  o["page"] = page.page;
  o["page_size"] = page.size;
  return o;
}

// An optional positive id in the query string (?org_id=12): 0 when absent or
// empty, 422 naming the parameter when it is anything but digits.
inline int64_t query_id(const http::Request& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return 0;
  if (v->size() <= 18 && v->find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t id = std::stoll(std::string(*v));
    if (id > 0) return id;
  }
  throw Error::invalid(std::string(name), std::string(name) + ".type", std::string(name) + " must be a positive id");
}

// One page of a filtered list: "SELECT COUNT(*) <from_where>" and
// "SELECT <columns> <from_where> ORDER BY <order> LIMIT … OFFSET …" in one
// snapshot, so the total matches the rows. `from_where` starts with " FROM".
struct PageRows {
  db::Rows rows;
  int64_t total = 0;
};
inline PageRows paged(db::Store& store, std::string_view columns, const std::string& from_where,
                      const std::vector<db::Value>& params, std::string_view order, const http::Page& page) {
  return store.read([&](db::Tx& tx) {
    PageRows out;
    out.total = tx.query("SELECT COUNT(*)" + from_where, params)[0][0].i64();
    auto p = params;
    p.emplace_back(page.size);
    p.emplace_back(page.offset());
    out.rows = tx.query("SELECT " + std::string(columns) + from_where + " ORDER BY " + std::string(order) +
                            " LIMIT $" + std::to_string(p.size() - 1) + " OFFSET $" + std::to_string(p.size()),
                        p);
    return out;
  });
}

// Escapes LIKE wildcards so user text is matched literally (ESCAPE '\').
inline std::string like_prefix(std::string_view q) {
  std::string out;
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  out += '%';
  return out;
}

}  // namespace gh::modules
