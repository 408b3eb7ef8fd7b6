#include "modules/offer/routes.h"

#include <algorithm>
#include <set>

#include "core/credit_code.h"
#include "core/date.h"
#include "core/phone.h"
#include "core/regions.h"
#include "http/fields.h"
#include "http/pipeline.h"
#include "modules/common.h"
#include "modules/member/store.h"
#include "modules/offer/redeem.h"
#include "modules/offer/store.h"
#include "modules/org/store.h"

namespace gh::offer {
namespace {

using auth::Perm;
using http::Method;
namespace json = boost::json;

constexpr size_t kMaxBatch = 500;
constexpr int64_t kMaxLimit = 1'000'000;
constexpr int64_t kMaxBudgetFen = 10'000'000'000'000;  // 100 billion yuan

constexpr std::string_view kOverride = "SELECT 1 FROM credit_code_overrides WHERE code = $1";
constexpr std::string_view kUpdateMerchant =
    "UPDATE merchants SET name = $2, address = $3, category = $4, status = $5, updated_at = $6 WHERE id = $1";
constexpr std::string_view kTerminal =
    "SELECT t.id, t.name, t.kind, t.status, o.path FROM terminals t JOIN orgs o ON o.id = t.org_id WHERE t.id = $1";
constexpr std::string_view kMerchantTerminals =
    "SELECT t.id, t.name, t.kind, t.status, o.path FROM merchant_terminals mt JOIN terminals t ON t.id = "
    "mt.terminal_id "
    "JOIN orgs o ON o.id = t.org_id WHERE mt.merchant_id = $1 ORDER BY t.id";
constexpr std::string_view kBind =
    "INSERT INTO merchant_terminals (terminal_id, merchant_id, bound_by, bound_at) VALUES ($1, $2, $3, $4)";
constexpr std::string_view kUnbind = "DELETE FROM merchant_terminals WHERE terminal_id = $1 AND merchant_id = $2";
constexpr std::string_view kUpdateOffer =
    "UPDATE offers SET status = $2, ends_at = $3, budget_fen = $4, updated_at = $5 WHERE id = $1";

constexpr std::string_view kReportWhere =
    " WHERE r.status = 'accepted' AND r.local_day >= $1 AND r.local_day <= $2 AND r.member_path >= $3 "
    "AND r.member_path < $4";
constexpr std::string_view kFigures =
    "COUNT(*), COUNT(DISTINCT r.member_id), COALESCE(SUM(r.subsidy_fen), 0), COALESCE(SUM(r.original_fen), 0), "
    "COALESCE(SUM(r.member_pays_fen), 0)";

// Staff's list of single redemptions: those of members in the subtree ($1,
// $2), and refusals without a member (unknown card, bad time or offer) at
// terminals the subtree registered.
constexpr std::string_view kRedemptionsFrom =
    " FROM offer_redemptions r LEFT JOIN offers o ON o.id = r.offer_id LEFT JOIN merchants m ON m.id = r.merchant_id "
    "LEFT JOIN members p ON p.id = r.member_id JOIN terminals t ON t.id = r.terminal_id "
    "JOIN orgs tp ON tp.id = t.org_id "
    "WHERE r.local_day >= $3 AND r.local_day <= $4 AND ((r.member_path >= $1 AND r.member_path < $2) "
    "OR (r.member_path IS NULL AND tp.path >= $1 AND tp.path < $2))";
constexpr std::string_view kStaffRedemptionColumns =
    "r.id, r.terminal_id, r.redemption_id, r.offer_id, o.name, r.merchant_id, m.name, r.member_id, p.name, "
    "r.original_fen, r.member_pays_fen, r.subsidy_fen, r.redeemed_at, r.uploaded_at, r.status, r.code, r.detail";

constexpr std::string_view kMyRedemptionsFrom =
    " FROM offer_redemptions r LEFT JOIN offers o ON o.id = r.offer_id LEFT JOIN merchants m ON m.id = r.merchant_id "
    "WHERE r.member_id = $1";

bool is_category(std::string_view c) { return std::ranges::find(kCategories, c) != std::end(kCategories); }

std::string categories_text() {
  std::string out;
  for (auto c : kCategories) out += (out.empty() ? "" : ", ") + std::string(c);
  return out;
}

// A redemption id as a till makes them: 1–64 of A–Z a–z 0–9 . _ : -
bool valid_redemption_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::ranges::all_of(s, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == ':' || c == '-';
  });
}

// An RFC 3339 time field; nothing (with an error recorded) when malformed.
std::optional<int64_t> instant_field(http::Fields& f, std::string_view name, bool required) {
  auto text = required ? std::optional(f.str(name, {.max = 40})) : f.opt_str(name, {.max = 40, .required = false});
  if (!text || text->empty()) return std::nullopt;
  auto at = parse_instant(*text);
  if (!at)
    f.add(f.field(name), std::string(name) + ".format",
          f.field(name) + " must be an RFC 3339 time with a zone, e.g. 2026-07-01T08:00:00+08:00");
  return at;
}

// Staff see a merchant or an offer of their org, of an org above it, or in
// their subtree; they change only those in their subtree.
void require_visible(const auth::Principal& who, const std::string& path, const char* what) {
  if (!modules::covers_or_within(who, path)) throw Error::out_of_scope(what);
}

Merchant visible_merchant(db::Tx& tx, const auth::Principal& who, int64_t id) {
  auto m = find_merchant(tx, id);
  if (!m) throw Error::not_found("merchant");
  require_visible(who, m->org_path, "merchant");
  return *m;
}

json::array terminals_json(db::Tx& tx, const auth::Principal& who, int64_t merchant_id) {
  json::array out;
  for (const auto& t : tx.query(kMerchantTerminals, {merchant_id})) {
    if (!modules::covers_or_within(who, t[4].str())) continue;  // another subtree's terminals stay hidden
    out.push_back({{"id", t[0].i64()}, {"name", t[1].str()}, {"kind", t[2].str()}, {"status", t[3].str()}});
  }
  return out;
}

// The HTTP status a refused single redemption is answered with.
int refusal_status(std::string_view code) {
  if (code == "offer.unknown") return 404;
  if (code == "offer.other_merchant" || code == "offer.not_eligible" || code.starts_with("card.") ||
      code.starts_with("token."))
    return 403;
  return 409;
}

json::object result_json(const RedeemResult& r) {
  json::object o = redemption_json(r.stored);
  o["duplicate"] = r.duplicate;
  if (r.mismatch) o["mismatch"] = true;
  return o;
}

// One redemption of a request body (the body itself, or items[i]).
RedeemInput read_item(http::Fields& f) {
  RedeemInput in;
  in.redemption_id = f.str("redemption_id", {.max = 64});
  if (!in.redemption_id.empty() && !valid_redemption_id(in.redemption_id))
    f.add(f.field("redemption_id"), "redemption_id.format",
          f.field("redemption_id") + " must be 1 to 64 of the characters A-Z a-z 0-9 . _ : -");
  in.offer_id = f.id("offer_id");
  in.card_token = f.str("card_token", {.max = 300});
  in.original_fen = f.i64("original_fen", 0, kMaxOriginalFen);
  in.at_ms = instant_field(f, "at", false);
  return in;
}

// A `YYYY-MM-DD` query parameter.
Date query_date(const http::Request& req, std::string_view name) {
  auto v = req.query_param(name);
  if (!v || v->empty())
    throw Error::invalid(std::string(name), std::string(name) + ".required", std::string(name) + " is required");
  auto d = Date::parse(*v);
  if (!d)
    throw Error::invalid(std::string(name), std::string(name) + ".format",
                         std::string(name) + " must be a date YYYY-MM-DD");
  return *d;
}

json::object figures_json(const db::Row& r, size_t at) {
  return {{"person_times", r[at].i64()},
          {"members", r[at + 1].i64()},
          {"subsidy_fen", r[at + 2].i64()},
          {"original_fen", r[at + 3].i64()},
          {"member_pays_fen", r[at + 4].i64()}};
}

}  // namespace

Routes::Routes(db::Store& store, const crypto::Keys& keys, const audit::Audit& audit) : store_(store), audit_(audit) {
  for (const auto& [kid, seed] : keys.card) card_keys_.push_back(card::public_key({kid, seed}));
}

void Routes::mount(http::Router& r) {
  const http::RouteOptions read{.auth = http::AuthMode::staff, .perm = Perm::offer_read};
  const http::RouteOptions write{.auth = http::AuthMode::staff, .perm = Perm::offer_write};
  const http::RouteOptions create{.auth = http::AuthMode::staff, .perm = Perm::offer_write, .idempotent = true};
  r.add_tx(Method::post, "/api/v1/merchants", create,
           [this](http::Ctx& c, db::Tx& tx) { return create_merchant(c, tx); });
  r.add(Method::get, "/api/v1/merchants", read, [this](http::Ctx& c) { return list_merchants(c); });
  r.add(Method::get, "/api/v1/merchants/{id}", read, [this](http::Ctx& c) { return get_merchant(c); });
  r.add_tx(Method::patch, "/api/v1/merchants/{id}", write,
           [this](http::Ctx& c, db::Tx& tx) { return update_merchant(c, tx); });
  r.add_tx(Method::post, "/api/v1/merchants/{id}/terminals", write,
           [this](http::Ctx& c, db::Tx& tx) { return bind_terminal(c, tx); });
  r.add_tx(Method::del, "/api/v1/merchants/{id}/terminals/{terminal_id}", write,
           [this](http::Ctx& c, db::Tx& tx) { return unbind_terminal(c, tx); });
  r.add_tx(Method::post, "/api/v1/offers", create, [this](http::Ctx& c, db::Tx& tx) { return create_offer(c, tx); });
  r.add(Method::get, "/api/v1/offers", read, [this](http::Ctx& c) { return list_offers(c); });
  r.add(Method::get, "/api/v1/offers/report", read, [this](http::Ctx& c) { return report(c); });
  r.add(Method::get, "/api/v1/offers/redemptions", read, [this](http::Ctx& c) { return redemptions(c); });
  r.add(Method::get, "/api/v1/offers/{id}", read, [this](http::Ctx& c) { return get_offer(c); });
  r.add_tx(Method::patch, "/api/v1/offers/{id}", write,
           [this](http::Ctx& c, db::Tx& tx) { return update_offer(c, tx); });
  r.add(Method::get, "/api/v1/me/offers", {.auth = http::AuthMode::member},
        [this](http::Ctx& c) { return my_offers(c); });
  r.add(Method::get, "/api/v1/me/redemptions", {.auth = http::AuthMode::member},
        [this](http::Ctx& c) { return my_redemptions(c); });
  r.add_tx(Method::post, "/api/v1/terminal/redemptions", {.auth = http::AuthMode::terminal},
           [this](http::Ctx& c, db::Tx& tx) { return redeem(c, tx); });
}

// ---- merchants ----

http::Response Routes::create_merchant(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  Merchant m;
  m.org_id = f.id("org_id");
  m.name = f.str("name", {.max = 100});
  auto code_in = f.opt_str("credit_code", {.max = 40, .required = false});
  m.region_code = f.str("region_code", {.max = 6});
  m.address = f.opt_str("address", {.max = 200, .required = false});
  m.category = f.str("category", {.max = 40});
  m.status = f.one_of("status", {"active", "suspended"}, "active");
  if (!m.category.empty() && !is_category(m.category))
    f.add("category", "category.one_of", "category must be one of " + categories_text());
  if (code_in) {
    std::set<std::string, std::less<>> overrides;
    if (tx.one(kOverride, {*code_in})) overrides.insert(*code_in);
    auto code = parse_credit_code(*code_in, overrides);
    if (!code)
      f.add("credit_code", code.error().code, code.error().message);
    else
      m.credit_code = code->code;
  }
  if (!m.region_code.empty()) {
    auto region = Regions::instance().check_current(m.region_code);
    if (!region) f.add("region_code", region.error().code, region.error().message);
  }
  f.done();
  auto org = org::find(tx, m.org_id);
  if (!org) throw Error::invalid("org_id", "org_id.unknown", "no org with this id");
  modules::require_scope(who, org->path, "org");
  if (!Regions::contains(org->region_code, m.region_code))
    throw Error::invalid(
        "region_code", "region.outside_org",
        "the merchant's region " + m.region_code + " is not inside its union's region " + org->region_code);
  m.org_path = org->path;
  m.id = insert_merchant(tx, m, who.account_id);
  audit_.append(tx, audit::Actor::of(&who),
                {"merchant.create", "merchant", std::to_string(m.id), "ok", m.name, m.org_path});
  auto out = merchant_json(*find_merchant(tx, m.id));
  out["terminals"] = json::array{};
  return http::Response::json(201, out);
}

http::Response Routes::list_merchants(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  std::vector<db::Value> params;
  std::string where = " FROM merchants WHERE " + modules::covering_paths_sql("org_path", who.org_path, true, params);
  if (auto q = ctx.req.query_param("q"); q && !q->empty()) {
    params.emplace_back(modules::like_prefix(*q));
    where += " AND name LIKE $" + std::to_string(params.size()) + " ESCAPE '\\'";
  }
  if (auto st = ctx.req.query_param("status"); st && !st->empty()) {
    params.emplace_back(std::string(*st));
    where += " AND status = $" + std::to_string(params.size());
  }
  if (auto cat = ctx.req.query_param("category"); cat && !cat->empty()) {
    params.emplace_back(std::string(*cat));
    where += " AND category = $" + std::to_string(params.size());
  }
  auto [rows, total] = modules::paged(store_, kMerchantColumns, where, params, "id DESC", page);
  json::array items;
  for (const auto& row : rows) items.push_back(merchant_json(merchant_from_row(row)));
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::get_merchant(http::Ctx& ctx) {
  const auto& who = ctx.who();
  return store_.read([&](db::Tx& tx) {
    auto m = visible_merchant(tx, who, ctx.id_param());
    auto out = merchant_json(m);
    out["terminals"] = terminals_json(tx, who, m.id);
    return http::Response::json(200, out);
  });
}

http::Response Routes::update_merchant(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto m = find_merchant(tx, ctx.id_param());
  if (!m) throw Error::not_found("merchant");
  modules::require_scope(who, m->org_path, "merchant");
  http::Fields f(ctx.json());
  if (f.raw("name")) m->name = f.str("name", {.max = 100});
  if (f.raw("address")) m->address = f.opt_str("address", {.max = 200, .required = false});
  if (f.raw("category")) {
    m->category = f.str("category", {.max = 40});
    if (!m->category.empty() && !is_category(m->category))
      f.add("category", "category.one_of", "category must be one of " + categories_text());
  }
  if (f.raw("status")) m->status = f.one_of("status", {"active", "suspended"});
  f.done();
  tx.exec(kUpdateMerchant, {m->id, m->name, m->address, m->category, m->status, db::now_ms()});
  audit_.append(tx, audit::Actor::of(&who),
                {"merchant.update", "merchant", std::to_string(m->id), "ok", "status " + m->status, m->org_path});
  auto out = merchant_json(*find_merchant(tx, m->id));
  out["terminals"] = terminals_json(tx, who, m->id);
  return http::Response::json(200, out);
}

http::Response Routes::bind_terminal(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto m = visible_merchant(tx, who, ctx.id_param());
  http::Fields f(ctx.json());
  const int64_t terminal_id = f.id("terminal_id");
  f.done();
  auto t = tx.one(kTerminal, {terminal_id});
  if (!t) throw Error::invalid("terminal_id", "terminal_id.unknown", "no terminal with this id");
  modules::require_scope(who, (*t)[4].str(), "terminal");
  if (auto bound = terminal_merchant(tx, terminal_id)) {
    if (*bound != m.id)
      throw Error{ErrorKind::conflict,
                  "terminal.bound",
                  "this terminal already serves another merchant",
                  {{"terminal_id", "terminal.bound", "unbind it from merchant " + std::to_string(*bound) + " first"}}};
  } else {
    tx.exec(kBind, {terminal_id, m.id, who.account_id, db::now_ms()});
    audit_.append(tx, audit::Actor::of(&who),
                  {"merchant.bind_terminal", "merchant", std::to_string(m.id), "ok",
                   "terminal " + std::to_string(terminal_id), (*t)[4].str()});
  }
  json::object out;
  out["merchant_id"] = m.id;
  out["terminal"] = {
      {"id", (*t)[0].i64()}, {"name", (*t)[1].str()}, {"kind", (*t)[2].str()}, {"status", (*t)[3].str()}};
  return http::Response::json(200, out);
}

http::Response Routes::unbind_terminal(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto m = visible_merchant(tx, who, ctx.id_param());
  const int64_t terminal_id = ctx.id_param("terminal_id");
  auto t = tx.one(kTerminal, {terminal_id});
  if (!t || terminal_merchant(tx, terminal_id) != m.id) throw Error::not_found("terminal");
  modules::require_scope(who, (*t)[4].str(), "terminal");
  tx.exec(kUnbind, {terminal_id, m.id});
  audit_.append(tx, audit::Actor::of(&who),
                {"merchant.unbind_terminal", "merchant", std::to_string(m.id), "ok",
                 "terminal " + std::to_string(terminal_id), (*t)[4].str()});
  return http::Response::no_content();
}

// ---- offers ----

http::Response Routes::create_offer(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  Offer o;
  o.merchant_id = f.id("merchant_id");
  o.org_id = f.id("org_id");
  o.name = f.str("name", {.max = 100});
  o.description = f.opt_str("description", {.max = 500, .required = false});
  const auto kind = parse_kind(f.one_of("kind", {"fixed", "percent", "free"}));
  auto price = f.opt_i64("price_fen", 0, kMaxOriginalFen);
  auto percent = f.opt_i64("percent", 1, 99);
  auto value = f.opt_i64("value_fen", 1, kMaxOriginalFen);
  if (kind) {
    o.terms.kind = *kind;
    const std::string k(kind_name(*kind));
    auto need = [&](const char* field, bool present, bool wanted) {
      if (wanted && !present && !f.raw(field))
        f.add(field, std::string(field) + ".required", std::string(field) + " is required for a " + k + " offer");
      if (!wanted && f.raw(field) && !f.raw(field)->is_null())
        f.add(field, std::string(field) + ".not_allowed", std::string(field) + " does not apply to a " + k + " offer");
    };
    need("price_fen", price.has_value(), *kind == Kind::fixed);
    need("percent", percent.has_value(), *kind == Kind::percent);
    need("value_fen", value.has_value(), *kind == Kind::free);
    o.terms.price_fen = price.value_or(0);
    o.terms.percent = static_cast<int>(percent.value_or(0));
    o.terms.value_fen = value.value_or(0);
  }
  if (f.raw("groups")) o.groups = member::read_groups(f);
  o.limits.per_day = f.opt_i64("limit_per_day", 1, kMaxLimit);
  o.limits.per_month = f.opt_i64("limit_per_month", 1, kMaxLimit);
  o.limits.total = f.opt_i64("limit_total", 1, kMaxLimit);
  auto starts = instant_field(f, "starts_at", true);
  auto ends = instant_field(f, "ends_at", true);
  if (starts && ends && *ends <= *starts) f.add("ends_at", "ends_at.before_start", "ends_at must be after starts_at");
  o.budget_fen = f.opt_i64("budget_fen", 1, kMaxBudgetFen);
  o.status = f.one_of("status", {"active", "paused"}, "active");
  f.done();
  o.starts_at = *starts;
  o.ends_at = *ends;

  auto org = org::find(tx, o.org_id);
  if (!org) throw Error::invalid("org_id", "org_id.unknown", "no org with this id");
  modules::require_scope(who, org->path, "org");
  auto merchant = find_merchant(tx, o.merchant_id);
  if (!merchant || !modules::covers_or_within(who, merchant->org_path))
    throw Error::invalid("merchant_id", "merchant_id.unknown", "no merchant with this id");
  if (merchant->status != "active")
    throw Error::conflict("merchant.suspended", "the merchant is suspended: it cannot take new offers");
  o.org_path = org->path;
  o.id = insert_offer(tx, o, who.account_id);
  audit_.append(tx, audit::Actor::of(&who),
                {"offer.create", "offer", std::to_string(o.id), "ok",
                 std::string(kind_name(o.terms.kind)) + " at merchant " + std::to_string(o.merchant_id), o.org_path});
  return http::Response::json(201, offer_json(*find_offer(tx, o.id)));
}

http::Response Routes::list_offers(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  std::vector<db::Value> params;
  std::string where = " FROM offers o JOIN merchants m ON m.id = o.merchant_id WHERE " +
                      modules::covering_paths_sql("o.org_path", who.org_path, true, params);
  if (int64_t merchant = modules::query_id(ctx.req, "merchant_id")) {
    params.emplace_back(merchant);
    where += " AND o.merchant_id = $" + std::to_string(params.size());
  }
  if (auto st = ctx.req.query_param("status"); st && !st->empty()) {
    params.emplace_back(std::string(*st));
    where += " AND o.status = $" + std::to_string(params.size());
  }
  auto [rows, total] = modules::paged(store_, kOfferColumns, where, params, "o.id DESC", page);
  json::array items;
  for (const auto& row : rows) items.push_back(offer_json(offer_from_row(row)));
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::get_offer(http::Ctx& ctx) {
  const auto& who = ctx.who();
  return store_.read([&](db::Tx& tx) {
    auto o = find_offer(tx, ctx.id_param());
    if (!o) throw Error::not_found("offer");
    require_visible(who, o->org_path, "offer");
    return http::Response::json(200, offer_json(*o));
  });
}

http::Response Routes::update_offer(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto o = find_offer(tx, ctx.id_param());
  if (!o) throw Error::not_found("offer");
  modules::require_scope(who, o->org_path, "offer");
  http::Fields f(ctx.json());
  std::string changes;
  if (f.raw("status")) {
    o->status = f.one_of("status", {"active", "paused"});
    changes += " status " + o->status;
  }
  if (f.raw("ends_at")) {
    if (auto ends = instant_field(f, "ends_at", true)) {
      if (*ends <= o->starts_at) f.add("ends_at", "ends_at.before_start", "ends_at must be after starts_at");
      o->ends_at = *ends;
      changes += " ends_at " + iso_utc(*ends);
    }
  }
  if (f.raw("budget_fen")) {
    const size_t errors = f.errors().size();
    const int64_t budget = f.i64("budget_fen", 1, kMaxBudgetFen);
    const bool parsed = f.errors().size() == errors;
    if (parsed && o->budget_fen && budget < *o->budget_fen)
      f.add("budget_fen", "budget_fen.lower",
            "a budget can only be raised (now " + std::to_string(*o->budget_fen) + ")");
    else if (parsed && budget < o->budget_used_fen)
      f.add("budget_fen", "budget_fen.below_used",
            "budget_fen is below the " + std::to_string(o->budget_used_fen) + " fen already granted");
    o->budget_fen = budget;
    changes += " budget_fen " + std::to_string(budget);
  }
  f.done();
  tx.exec(kUpdateOffer, {o->id, o->status, o->ends_at, o->budget_fen, db::now_ms()});
  audit_.append(
      tx, audit::Actor::of(&who),
      {"offer.update", "offer", std::to_string(o->id), "ok", changes.empty() ? "" : changes.substr(1), o->org_path});
  return http::Response::json(200, offer_json(*find_offer(tx, o->id)));
}

// ---- reports ----

http::Response Routes::report(http::Ctx& ctx) {
  const auto& who = ctx.who();
  const Date from = query_date(ctx.req, "from");
  const Date to = query_date(ctx.req, "to");
  if (to < from) throw Error::invalid("to", "to.before_from", "to must not be before from");
  const std::string by(ctx.req.query_param("by").value_or("offer"));
  if (by != "offer" && by != "merchant" && by != "region")
    throw Error::invalid("by", "by.one_of", "by must be one of offer, merchant, region");
  const std::string root = org::list_root(store_, who, ctx.req);
  static const std::string figures(kFigures), where(kReportWhere);
  static const std::string by_offer = "SELECT r.offer_id, o.name, o.merchant_id, m.name, " + figures +
                                      " FROM offer_redemptions r JOIN offers o ON o.id = r.offer_id "
                                      "JOIN merchants m ON m.id = o.merchant_id" +
                                      where + " GROUP BY r.offer_id, o.name, o.merchant_id, m.name ORDER BY r.offer_id";
  static const std::string by_merchant = "SELECT m.id, m.name, m.region_code, " + figures +
                                         " FROM offer_redemptions r JOIN merchants m ON m.id = r.merchant_id" + where +
                                         " GROUP BY m.id, m.name, m.region_code ORDER BY m.id";
  static const std::string by_region = "SELECT m.region_code, " + figures +
                                       " FROM offer_redemptions r JOIN merchants m ON m.id = r.merchant_id" + where +
                                       " GROUP BY m.region_code ORDER BY m.region_code";
  static const std::string totals = "SELECT " + figures + " FROM offer_redemptions r" + where;
  const std::vector<db::Value> params{from.iso(), to.iso(), root, modules::subtree_upper(root)};
  auto [rows, sum] = store_.read([&](db::Tx& tx) {
    const std::string& sql = by == "offer" ? by_offer : by == "merchant" ? by_merchant : by_region;
    return std::pair{tx.query(sql, params), tx.query(totals, params)};
  });
  json::array out_rows;
  for (const auto& row : rows) {
    json::object o;
    size_t at = 0;
    if (by == "offer") {
      o = {{"offer_id", row[0].i64()},
           {"name", row[1].str()},
           {"merchant_id", row[2].i64()},
           {"merchant", row[3].str()}};
      at = 4;
    } else if (by == "merchant") {
      o = {{"merchant_id", row[0].i64()}, {"name", row[1].str()}, {"region_code", row[2].str()}};
      at = 3;
    } else {
      const std::string code = row[0].str();
      auto region = Regions::instance().find(code);
      o = {{"region_code", code}, {"region_name", region ? region->name : ""}};
      at = 1;
    }
    for (auto& [k, v] : figures_json(row, at)) o[k] = v;
    out_rows.push_back(std::move(o));
  }
  json::object out;
  out["from"] = from.iso();
  out["to"] = to.iso();
  out["by"] = by;
  out["rows"] = std::move(out_rows);
  out["totals"] = figures_json(sum[0], 0);
  return http::Response::json(200, out);
}

// Single redemptions, newest first: the report's rows one by one, refusals
// too, for a clerk answering "was my card taken at that shop?". Members'
// names are masked.
http::Response Routes::redemptions(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  const Date from = query_date(ctx.req, "from");
  const Date to = query_date(ctx.req, "to");
  if (to < from) throw Error::invalid("to", "to.before_from", "to must not be before from");
  const std::string root = org::list_root(store_, who, ctx.req);
  std::string where(kRedemptionsFrom);
  std::vector<db::Value> params{root, modules::subtree_upper(root), from.iso(), to.iso()};
  auto filter = [&](std::string_view column, db::Value v) {
    params.push_back(std::move(v));
    where += " AND " + std::string(column) + " = $" + std::to_string(params.size());
  };
  for (auto [param, column] : {std::pair{"offer_id", "r.offer_id"}, std::pair{"merchant_id", "r.merchant_id"},
                               std::pair{"terminal_id", "r.terminal_id"}, std::pair{"member_id", "r.member_id"}})
    if (const int64_t id = modules::query_id(ctx.req, param)) filter(column, id);
  if (auto status = ctx.req.query_param("status"); status && !status->empty()) {
    if (*status != "accepted" && *status != "refused")
      throw Error::invalid("status", "status.one_of", "status must be accepted or refused");
    filter("r.status", std::string(*status));
  }
  auto [rows, total] = modules::paged(store_, kStaffRedemptionColumns, where, params, "r.id DESC", page);
  json::array items;
  for (const auto& r : rows)
    items.push_back({{"id", r[0].i64()},
                     {"terminal_id", r[1].i64()},
                     {"redemption_id", r[2].str()},
                     {"offer_id", r[3].i64()},
                     {"offer", modules::opt_json(r[4].opt_str())},
                     {"merchant_id", r[5].is_null() ? json::value(nullptr) : json::value(r[5].i64())},
                     {"merchant", modules::opt_json(r[6].opt_str())},
                     {"member_id", r[7].is_null() ? json::value(nullptr) : json::value(r[7].i64())},
                     {"member_name", r[8].is_null() ? json::value(nullptr) : json::value(mask_name(r[8].str()))},
                     {"original_fen", r[9].i64()},
                     {"member_pays_fen", r[10].i64()},
                     {"subsidy_fen", r[11].i64()},
                     {"redeemed_at", iso_utc(r[12].i64())},
                     {"uploaded_at", iso_utc(r[13].i64())},
                     {"status", r[14].str()},
                     {"code", modules::opt_json(r[15].opt_str())},
                     {"detail", modules::opt_json(r[16].opt_str())}});
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

// ---- members ----

http::Response Routes::my_offers(http::Ctx& ctx) {
  const auto& who = ctx.who();
  return store_.read([&](db::Tx& tx) {
    auto m = member::find(tx, who.member_id);
    if (!m) throw Error::not_found("member");
    const MemberFacts facts{m->status, m->household, m->employment_form, m->needy_status};
    const int64_t now = db::now_ms();
    const LocalPeriod today = local_period(now);
    std::vector<db::Value> params{now};
    const std::string sql = "SELECT " + std::string(kOfferColumns) +
                            " FROM offers o JOIN merchants m ON m.id = o.merchant_id WHERE o.status = 'active' AND "
                            "m.status = 'active' AND o.starts_at <= $1 AND o.ends_at > $1 AND " +
                            modules::covering_paths_sql("o.org_path", m->org_path, false, params) +
                            " ORDER BY o.id LIMIT 200";
    json::array items;
    for (const auto& row : tx.query(sql, params)) {
      const Offer o = offer_from_row(row);
      if (!eligible(o.groups, facts)) continue;
      const Used u = used(tx, o.id, m->id, today);
      const auto left = remaining(o.limits, u);
      const bool budget_left = !o.budget_fen || *o.budget_fen > o.budget_used_fen;
      // The offer as staff see it, less the funding org, the budget and the bookkeeping.
      json::object item;
      for (auto& [k, v] : offer_json(o))
        if (k != "org_id" && !k.starts_with("budget_") && k != "status" && k != "created_at" && k != "updated_at")
          item[k] = v;
      item["used_today"] = u.day;
      item["used_this_month"] = u.month;
      item["used_total"] = u.total;
      item["remaining_uses"] = left ? json::value(*left) : json::value(nullptr);
      item["available"] = (!left || *left > 0) && budget_left;
      items.push_back(std::move(item));
    }
    return http::Response::json(200, json::object{{"items", std::move(items)}});
  });
}

http::Response Routes::my_redemptions(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  std::string columns;
  for (std::string_view c : {"r.id", "r.offer_id", "o.name", "m.name", "r.original_fen", "r.member_pays_fen",
                             "r.subsidy_fen", "r.redeemed_at", "r.status", "r.code"})
    columns += (columns.empty() ? "" : ", ") + std::string(c);
  auto [rows, total] =
      modules::paged(store_, columns, std::string(kMyRedemptionsFrom), {who.member_id}, "r.id DESC", page);
  json::array items;
  for (const auto& r : rows)
    items.push_back({{"id", r[0].i64()},
                     {"offer_id", r[1].i64()},
                     {"offer", r[2].str()},
                     {"merchant", r[3].str()},
                     {"original_fen", r[4].i64()},
                     {"member_pays_fen", r[5].i64()},
                     {"subsidy_fen", r[6].i64()},
                     {"redeemed_at", iso_utc(r[7].i64())},
                     {"status", r[8].str()},
                     {"code", modules::opt_json(r[9].opt_str())}});
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

// ---- terminals ----

http::Response Routes::redeem(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  const json::value& body = ctx.json();
  const bool batch = body.is_object() && body.as_object().contains("items");
  std::vector<RedeemInput> inputs;
  http::Fields f(body);
  if (batch) {
    const json::array* items = body.as_object().at("items").if_array();
    if (!items)
      f.add("items", "items.type", "items must be an array of redemptions");
    else if (items->empty())
      f.add("items", "items.too_short", "items must hold at least one redemption");
    else if (items->size() > kMaxBatch)
      f.add("items", "items.too_many", "items must hold at most " + std::to_string(kMaxBatch) + " redemptions");
    else
      for (size_t i = 0; i < items->size(); ++i) {
        http::Fields item((*items)[i], "items[" + std::to_string(i) + "].");
        inputs.push_back(read_item(item));
        for (auto& e : item.take_errors()) f.add(e);
      }
  } else {
    inputs.push_back(read_item(f));
  }
  f.done();

  const int64_t now = db::now_ms();
  std::vector<RedeemResult> results;
  int64_t accepted = 0, refused = 0, duplicates = 0;
  for (const auto& in : inputs) {
    results.push_back(offer::redeem(tx, card_keys_, who.terminal_id, in, now));
    const auto& r = results.back();
    (r.stored.status == "accepted" ? accepted : refused)++;
    if (r.duplicate) ++duplicates;
  }
  audit_.append(tx, audit::Actor::of(&who),
                {"offer.redeem", "terminal", std::to_string(who.terminal_id), "ok",
                 "accepted " + std::to_string(accepted) + ", refused " + std::to_string(refused) + ", duplicates " +
                     std::to_string(duplicates),
                 who.org_path});

  if (batch) {
    json::array out;
    for (const auto& r : results) out.push_back(result_json(r));
    return http::Response::json(
        200,
        json::object{
            {"results", std::move(out)}, {"accepted", accepted}, {"refused", refused}, {"duplicates", duplicates}});
  }
  const auto& r = results.front();
  if (r.stored.status == "accepted") return http::Response::json(r.duplicate ? 200 : 201, result_json(r));
  // A refusal is a problem document, but the refusal itself is stored (so a
  // replay gets the same answer): the transaction commits.
  const std::string code = r.stored.code.value_or("offer.refused");
  auto res = http::problem(refusal_status(code), code, r.stored.detail.value_or(""));
  json::value doc = json::parse(res.body);
  for (auto& [k, v] : result_json(r))
    if (k != "code" && k != "detail" && k != "status") doc.as_object()[k] = v;
  res.body = json::serialize(doc);
  return res;
}

}  // namespace gh::offer
