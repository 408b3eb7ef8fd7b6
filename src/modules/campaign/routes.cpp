#include "modules/campaign/routes.h"

#include "core/pickup_code.h"
#include "http/fields.h"
#include "modules/common.h"
#include "modules/member/store.h"
#include "modules/org/store.h"

namespace gh::campaign {
namespace {

using http::Method;
using auth::Perm;
namespace json = boost::json;

constexpr std::string_view kAadCode = "campaign.pickup_code";
constexpr int64_t kHourMs = 3'600'000;

constexpr std::string_view kColumns =
    "id, org_id, org_path, name, stock, claimed, per_member, starts_at, ends_at, code_valid_ms, in_service_only, "
    "created_at";
constexpr std::string_view kInsert =
    "INSERT INTO campaigns (org_id, org_path, name, stock, per_member, starts_at, ends_at, code_valid_ms, "
    "in_service_only, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) "
    "RETURNING id";
constexpr std::string_view kMemberClaims =
    "SELECT COUNT(*) FROM campaign_claims WHERE campaign_id = $1 AND member_id = $2";
// The stock check and the decrement in one statement: never oversold, also
// with several server processes on one PostgreSQL (the row lock serialises
// them; the CHECK (claimed <= stock) would refuse an oversell anyway).
constexpr std::string_view kTake =
    "UPDATE campaigns SET claimed = claimed + 1 WHERE id = $1 AND claimed < stock";
constexpr std::string_view kInsertClaim =
    "INSERT INTO campaign_claims (campaign_id, member_id, seq, code_bidx, code_enc, status, claimed_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, 'claimed', $6, $7) RETURNING id";
constexpr std::string_view kByCode =
    "SELECT k.id, k.status, k.expires_at, k.redeemed_at, c.name, c.org_path FROM campaign_claims k "
    "JOIN campaigns c ON c.id = k.campaign_id WHERE k.code_bidx = $1";
constexpr std::string_view kRedeem =
    "UPDATE campaign_claims SET status = 'redeemed', redeemed_at = $2, terminal_id = $3 "
    "WHERE id = $1 AND status = 'claimed' AND expires_at > $2";
constexpr std::string_view kStats =
    "SELECT SUM(CASE WHEN status = 'redeemed' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN status = 'claimed' AND expires_at <= $2 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN status = 'claimed' AND expires_at > $2 THEN 1 ELSE 0 END) "
    "FROM campaign_claims WHERE campaign_id = $1";
constexpr std::string_view kMine =
    "SELECT k.id, k.campaign_id, c.name, k.code_enc, k.status, k.claimed_at, k.expires_at, k.redeemed_at "
    "FROM campaign_claims k JOIN campaigns c ON c.id = k.campaign_id WHERE k.member_id = $1 ORDER BY k.id DESC "
    "LIMIT 100";

struct Campaign {
  int64_t id = 0, org_id = 0;
  std::string org_path, name;
  int64_t stock = 0, claimed = 0, per_member = 1, starts_at = 0, ends_at = 0, code_valid_ms = 0;
  bool in_service_only = true;
  int64_t created_at = 0;
};

Campaign from_row(const db::Row& r) {
  return {r[0].i64(), r[1].i64(), r[2].str(), r[3].str(), r[4].i64(),     r[5].i64(),
          r[6].i64(), r[7].i64(), r[8].i64(), r[9].i64(), r[10].i64() != 0, r[11].i64()};
}

std::optional<Campaign> find(db::Tx& tx, int64_t id) {
  static const std::string sql = "SELECT " + std::string(kColumns) + " FROM campaigns WHERE id = $1";
  auto r = tx.one(sql, {id});
  if (!r) return std::nullopt;
  return from_row(*r);
}

json::object to_json(const Campaign& c) {
  return {{"id", c.id},
          {"org_id", c.org_id},
          {"name", c.name},
          {"stock", c.stock},
          {"claimed", c.claimed},
          {"remaining", c.stock - c.claimed},
          {"per_member", c.per_member},
          {"starts_at", iso_utc(c.starts_at)},
          {"ends_at", iso_utc(c.ends_at)},
          {"code_valid_hours", c.code_valid_ms / kHourMs},
          {"in_service_only", c.in_service_only},
          {"created_at", iso_utc(c.created_at)}};
}

// Staff see campaigns run by their org, above it, or inside their subtree;
// members see those whose org contains their union.
bool sees(const auth::Principal& who, const Campaign& c, const std::string& member_path = {}) {
  if (who.kind == auth::PrincipalKind::member) return member_path.starts_with(c.org_path);
  return modules::covers_or_within(who, c.org_path);
}

}  // namespace

void Routes::mount(http::Router& r) {
  r.add_tx(Method::post, "/api/v1/campaigns",
           {.auth = http::AuthMode::staff, .perm = Perm::campaign_write, .idempotent = true},
           [this](http::Ctx& c, db::Tx& tx) { return create(c, tx); });
  r.add(Method::get, "/api/v1/campaigns", {.auth = http::AuthMode::session}, [this](http::Ctx& c) { return list(c); });
  r.add(Method::get, "/api/v1/campaigns/{id}", {.auth = http::AuthMode::session, .inline_read = true},
        [this](http::Ctx& c) { return get(c); });
  r.add(Method::get, "/api/v1/campaigns/{id}/stats", {.auth = http::AuthMode::staff, .perm = Perm::campaign_read},
        [this](http::Ctx& c) { return stats(c); });
  r.add_tx(Method::post, "/api/v1/campaigns/{id}/claims", {.auth = http::AuthMode::member, .idempotent = true},
           [this](http::Ctx& c, db::Tx& tx) { return claim(c, tx); });
  r.add(Method::get, "/api/v1/me/claims", {.auth = http::AuthMode::member}, [this](http::Ctx& c) { return my_claims(c); });
  r.add_tx(Method::post, "/api/v1/terminal/pickups", {.auth = http::AuthMode::terminal},
           [this](http::Ctx& c, db::Tx& tx) { return pickup(c, tx); });
}

http::Response Routes::create(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  const int64_t org_id = f.id("org_id");
  auto name = f.str("name", {.max = 100});
  const int64_t stock = f.i64("stock", 1, 10'000'000);
  const int64_t per_member = f.opt_i64("per_member", 1, 100).value_or(1);
  const int64_t valid_hours = f.opt_i64("code_valid_hours", 1, 24 * 366).value_or(72);
  const bool in_service_only = f.boolean("in_service_only", true);
  auto starts_in = f.str("starts_at", {.max = 40});
  auto ends_in = f.str("ends_at", {.max = 40});
  std::optional<int64_t> starts, ends;
  if (!starts_in.empty() && !(starts = parse_instant(starts_in)))
    f.add("starts_at", "starts_at.format", "starts_at must be an RFC 3339 time, e.g. 2026-07-01T08:00:00+08:00");
  if (!ends_in.empty() && !(ends = parse_instant(ends_in)))
    f.add("ends_at", "ends_at.format", "ends_at must be an RFC 3339 time, e.g. 2026-07-31T20:00:00+08:00");
  if (starts && ends && *ends <= *starts) f.add("ends_at", "ends_at.before_start", "ends_at must be after starts_at");
  f.done();
  auto org = org::find(tx, org_id);
  if (!org) throw Error::invalid("org_id", "org_id.unknown", "no org with this id");
  modules::require_scope(who, org->path, "org");
  const int64_t now = db::now_ms();
  const int64_t id = tx.one(kInsert, {org_id, org->path, name, stock, per_member, *starts, *ends, valid_hours * kHourMs,
                                      in_service_only, who.account_id, now})
                         ->at(0)
                         .i64();
  audit_.append(tx, audit::Actor::of(&who),
                {"campaign.create", "campaign", std::to_string(id), "ok", "stock " + std::to_string(stock), org->path});
  return http::Response::json(201, to_json(*find(tx, id)));
}

http::Response Routes::list(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  std::string path = who.org_path;
  if (who.kind == auth::PrincipalKind::member) {
    auto m = store_.read([&](db::Tx& tx) { return member::find(tx, who.member_id); });
    if (!m) throw Error::not_found("member");
    path = m->org_path;
  } else if (!who.can(Perm::campaign_read)) {
    throw Error::forbidden("needs campaign.read");
  }
  // The caller's own org and those above it (their campaigns cover the
  // caller), and for staff everything in their subtree.
  std::vector<db::Value> params;
  const std::string where = " FROM campaigns WHERE " +
                            modules::covering_paths_sql("org_path", path, who.kind == auth::PrincipalKind::staff, params);
  auto [rows, total] = modules::paged(store_, kColumns, where, params, "id DESC", page);
  json::array items;
  for (const auto& r : rows) items.push_back(to_json(from_row(r)));
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::get(http::Ctx& ctx) {
  const auto& who = ctx.who();
  return store_.read([&](db::Tx& tx) {
    auto c = find(tx, ctx.id_param());
    std::string member_path;
    if (who.kind == auth::PrincipalKind::member) {
      if (auto m = member::find(tx, who.member_id)) member_path = m->org_path;
    } else if (!who.can(Perm::campaign_read)) {
      throw Error::forbidden("needs campaign.read");
    }
    if (!c || !sees(who, *c, member_path)) throw Error::not_found("campaign");
    return http::Response::json(200, to_json(*c));
  });
}

http::Response Routes::stats(http::Ctx& ctx) {
  const auto& who = ctx.who();
  return store_.read([&](db::Tx& tx) {
    auto c = find(tx, ctx.id_param());
    if (!c || !sees(who, *c)) throw Error::not_found("campaign");
    auto r = tx.query(kStats, {c->id, db::now_ms()})[0];
    auto n = [&](size_t i) { return r[i].is_null() ? int64_t{0} : r[i].i64(); };
    json::object out;
    out["campaign_id"] = c->id;
    out["stock"] = c->stock;
    out["claimed"] = c->claimed;
    out["redeemed"] = n(0);
    out["expired"] = n(1);
    out["outstanding"] = n(2);
    out["remaining"] = c->stock - c->claimed;
    return http::Response::json(200, out);
  });
}

http::Response Routes::claim(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto m = member::find(tx, who.member_id);
  if (!m) throw Error::not_found("member");
  auto c = find(tx, ctx.id_param());
  if (!c || !sees(who, *c, m->org_path)) throw Error::not_found("campaign");
  const int64_t now = db::now_ms();
  if (now < c->starts_at) throw Error::conflict("campaign.not_started", "the campaign opens at " + iso_utc(c->starts_at));
  if (now >= c->ends_at) throw Error::conflict("campaign.ended", "the campaign ended at " + iso_utc(c->ends_at));
  if (m->status != "active" || (c->in_service_only && m->employment_status != "in_service"))
    throw Error{ErrorKind::forbidden, "campaign.not_eligible", "this campaign is for active, in-service members"};
  const int64_t had = tx.query(kMemberClaims, {c->id, m->id})[0][0].i64();
  if (had >= c->per_member)
    throw Error::conflict("campaign.already_claimed", "you have already claimed from this campaign");
  if (tx.exec(kTake, {c->id}) != 1) throw Error::conflict("campaign.sold_out", "all packs have been claimed");
  std::string code;
  int64_t claim_id = 0;
  for (int attempt = 0;; ++attempt) {
    code = make_pickup_code();
    const std::string bidx = crypto::blind_index(keys_, "pickup_code", code);
    // A code collision (one in 10^11 per live code) just draws again.
    if (tx.one("SELECT 1 FROM campaign_claims WHERE code_bidx = $1", {bidx}) && attempt < 5) continue;
    claim_id = tx.one(kInsertClaim, {c->id, m->id, had + 1, bidx, crypto::seal(keys_, code, kAadCode), now,
                                     now + c->code_valid_ms})
                   ->at(0)
                   .i64();
    break;
  }
  audit_.append(tx, audit::Actor::of(&who),
                {"campaign.claim", "campaign", std::to_string(c->id), "ok", "claim " + std::to_string(claim_id),
                 m->org_path});
  json::object out;
  out["id"] = claim_id;
  out["campaign_id"] = c->id;
  out["pickup_code"] = format_pickup_code(code);
  out["expires_at"] = iso_utc(now + c->code_valid_ms);
  return http::Response::json(201, out);
}

http::Response Routes::my_claims(http::Ctx& ctx) {
  const auto& who = ctx.who();
  return store_.read([&](db::Tx& tx) {
    json::array items;
    const int64_t now = db::now_ms();
    for (const auto& r : tx.query(kMine, {who.member_id})) {
      std::string status = r[4].str();
      if (status == "claimed" && r[6].i64() <= now) status = "expired";
      items.push_back({{"id", r[0].i64()},
                       {"campaign_id", r[1].i64()},
                       {"campaign", r[2].str()},
                       {"pickup_code", format_pickup_code(crypto::open(keys_, r[3].str(), kAadCode))},
                       {"status", status},
                       {"claimed_at", iso_utc(r[5].i64())},
                       {"expires_at", iso_utc(r[6].i64())},
                       {"redeemed_at", r[7].is_null() ? json::value(nullptr) : json::value(iso_utc(r[7].i64()))}});
    }
    return http::Response::json(200, json::object{{"items", std::move(items)}});
  });
}

http::Response Routes::pickup(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  auto input = f.str("code", {.max = 30});
  f.done();
  auto code = parse_pickup_code(input);
  if (!code) throw Error::invalid("code", code.error().code, code.error().message);
  const std::string bidx = crypto::blind_index(keys_, "pickup_code", *code);
  auto row = tx.one(kByCode, {bidx});
  // A machine may hand out packs of campaigns run by its own org or above it.
  if (!row || !who.org_path.starts_with((*row)[5].str()))
    throw Error{ErrorKind::not_found, "pickup.unknown", "no pack is waiting for this code"};
  const int64_t id = (*row)[0].i64(), now = db::now_ms();
  if (tx.exec(kRedeem, {id, now, who.terminal_id}) != 1) {
    // Read again: another machine (or server process) may have just used it.
    row = tx.one(kByCode, {bidx});
    if ((*row)[1].str() == "redeemed")
      throw Error::conflict("pickup.already_redeemed",
                            "this code was already used at " + iso_utc((*row)[3].i64()));
    throw Error::conflict("pickup.expired", "this code expired at " + iso_utc((*row)[2].i64()));
  }
  audit_.append(tx, audit::Actor::of(&who),
                {"campaign.pickup", "campaign_claim", std::to_string(id), "ok", "", (*row)[5].str()});
  json::object out;
  out["claim_id"] = id;
  out["campaign"] = (*row)[4].str();
  out["redeemed_at"] = iso_utc(now);
  return http::Response::json(200, out);
}

}  // namespace gh::campaign
