#include "modules/system/routes.h"

#include <boost/json.hpp>
#include <cstdio>

#include "core/embedded.h"
#include "http/fields.h"

namespace gh::system {
namespace {
namespace json = boost::json;
using http::Method;

std::string code_of(int a, int b, int c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", a, b, c);
  return buf;
}

json::object region_json(const Region& r) {
  return {{"code", r.code}, {"name", r.name}, {"current", r.current}};
}
}  // namespace

std::vector<Region> region_children(const Regions& regions, std::string_view parent) {
  std::vector<Region> out;
  auto push = [&](const std::string& code) {
    if (auto r = regions.find(code); r && r->current) out.push_back(*r);
  };
  if (parent == kNationalRegion) {
    for (int p = 11; p <= 99; ++p) push(code_of(p, 0, 0));
    return out;
  }
  if (parent.size() != 6) return out;
  int p = std::stoi(std::string(parent.substr(0, 2)));
  int m = std::stoi(std::string(parent.substr(2, 2)));
  int c = std::stoi(std::string(parent.substr(4, 2)));
  if (c != 0) return out;
  if (m == 0) {
    for (int k = 1; k <= 99; ++k) push(code_of(p, k, 0));
    // Municipalities and provincial-level counties hang directly under the province.
    if (out.empty())
      for (int k = 1; k <= 99; ++k)
        for (int j = 1; j <= 99; ++j) push(code_of(p, k, j));
  } else {
    for (int k = 1; k <= 99; ++k) push(code_of(p, m, k));
  }
  return out;
}

void Routes::mount(http::Router& r) {
  r.add(Method::get, "/healthz", {.auth = http::AuthMode::none, .inline_read = true}, [](http::Ctx&) {
    return http::Response::json(200, json::object{{"status", "ok"}});
  });
  r.add(Method::get, "/metrics", {.auth = http::AuthMode::none}, [this](http::Ctx&) {
    return http::Response::text(200, metrics_.render(store_.stats()), "text/plain; version=0.0.4; charset=utf-8");
  });
  r.add(Method::get, "/api/openapi.yaml", {.auth = http::AuthMode::none}, [](http::Ctx&) {
    auto doc = embedded::find("docs/openapi.yaml");
    if (!doc) throw Error::not_found("API description");
    return http::Response::text(200, std::string(*doc), "application/yaml; charset=utf-8");
  });
  r.add(Method::get, "/api/openapi.json", {.auth = http::AuthMode::none}, [](http::Ctx&) {
    auto doc = embedded::find("docs/openapi.json");
    if (!doc) throw Error::not_found("API description");
    return http::Response::text(200, std::string(*doc), "application/json");
  });
  // A browsable page over /api/openapi.json (no external scripts).
  r.add(Method::get, "/api/docs", {.auth = http::AuthMode::none}, [](http::Ctx&) {
    auto page = embedded::find("src/modules/system/api_docs.html");
    if (!page) throw Error::not_found("API documentation page");
    return http::Response::text(200, std::string(*page), "text/html; charset=utf-8");
  });
  r.add(Method::get, "/api/v1/regions", {.auth = http::AuthMode::session}, [](http::Ctx& ctx) {
    std::string parent(ctx.req.query_param("parent").value_or(kNationalRegion));
    if (parent != kNationalRegion && !Regions::instance().find(parent))
      throw Error::invalid("parent", "region.unknown", "unknown region code " + parent);
    json::array items;
    for (const auto& region : region_children(Regions::instance(), parent)) items.push_back(region_json(region));
    return http::Response::json(200, json::object{{"parent", parent}, {"items", std::move(items)}});
  });
  r.add(Method::get, "/api/v1/regions/{code}", {.auth = http::AuthMode::session}, [](http::Ctx& ctx) {
    auto code = ctx.params.get("code").value_or("");
    auto region = Regions::instance().find(code);
    if (!region) throw Error::not_found("region");
    return http::Response::json(200, region_json(*region));
  });
  r.add_tx(Method::post, "/api/v1/regions", {.auth = http::AuthMode::staff, .perm = auth::Perm::region_write},
           [this](http::Ctx& c, db::Tx& tx) { return add_region(c, tx); });
}

// Codes published after the built-in revision are added by an administrator.
http::Response Routes::add_region(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  auto code = f.str("code", {.min = 6, .max = 6});
  auto name = f.str("name", {.max = 50});
  bool digits = code.size() == 6 && code.find_first_not_of("0123456789") == std::string::npos;
  if (!code.empty() && (!digits || code == kNationalRegion))
    f.add("code", "region.format", "code must be 6 digits");
  f.done();
  if (tx.one("SELECT code FROM region_additions WHERE code = $1", {code}))
    tx.exec("UPDATE region_additions SET name = $2 WHERE code = $1", {code, name});
  else
    tx.exec("INSERT INTO region_additions (code, name, added_by, created_at) VALUES ($1, $2, $3, $4)",
            {code, name, who.account_id, db::now_ms()});
  audit_.append(tx, audit::Actor::of(&who), {"region.add", "region", code, "ok", name, who.org_path});
  tx.on_commit([code, name] { Regions::instance().add(code, name); });
  return http::Response::json(201, json::object{{"code", code}, {"name", name}, {"current", true}});
}

}  // namespace gh::system
