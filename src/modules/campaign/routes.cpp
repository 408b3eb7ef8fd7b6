#include "modules/campaign/routes.h"

#include <algorithm>

#include "core/phone.h"
#include "core/pickup_code.h"
#include "modules/campaign/draw.h"
#include "modules/member/groups.h"
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
constexpr std::string_view kAadSeed = "campaign.seed";
constexpr int64_t kHourMs = 3'600'000;

// A campaign's columns, from `campaigns c` (so they join with members'
// columns of the same names).
constexpr std::string_view kColumns =
    "c.id, c.org_id, c.org_path, c.name, c.stock, c.claimed, c.per_member, c.starts_at, c.ends_at, c.code_valid_ms, "
    "c.in_service_only, c.created_at, c.mode, c.seed_commitment, c.drawn_at, c.draw_record, c.eligible_groups";
constexpr std::string_view kInsert =
    "INSERT INTO campaigns (org_id, org_path, name, stock, per_member, starts_at, ends_at, code_valid_ms, "
    "in_service_only, created_by, created_at, updated_at, mode, seed_enc, seed_commitment, eligible_groups) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15) RETURNING id";
// Every registration of a drawn campaign with its rank (winners only).
constexpr std::string_view kDrawRanks =
    "SELECT id, draw_rank FROM campaign_registrations WHERE campaign_id = $1 ORDER BY id";
// The stock check and the decrement in one statement: never oversold, also
// with several server processes on one PostgreSQL (the row lock serialises
// them; the CHECK (claimed <= stock) would refuse an oversell anyway).
constexpr std::string_view kTake =
    "UPDATE campaigns SET claimed = claimed + 1 WHERE id = $1 AND claimed < stock";
// A code collision (one in 10^11 per live code) inserts nothing and the
// caller draws again.
constexpr std::string_view kInsertClaim =
    "INSERT INTO campaign_claims (campaign_id, member_id, seq, code_bidx, code_enc, status, claimed_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, 'claimed', $6, $7) ON CONFLICT (code_bidx) DO NOTHING RETURNING id";
constexpr std::string_view kByCode =
    "SELECT k.id, k.status, k.expires_at, k.redeemed_at, c.name, c.org_path, c.id FROM campaign_claims k "
    "JOIN campaigns c ON c.id = k.campaign_id WHERE k.code_bidx = $1";
// Stock per machine (optional): once a campaign has loaded machines, only
// they hand out its packs, each at most what it was loaded with.
constexpr std::string_view kHasMachines = "SELECT 1 FROM campaign_machines WHERE campaign_id = $1 LIMIT 1";
constexpr std::string_view kMachineTake =
    "UPDATE campaign_machines SET handed_out = handed_out + 1, updated_at = $3 "
    "WHERE campaign_id = $1 AND terminal_id = $2 AND handed_out < stock";
constexpr std::string_view kMachine = "SELECT stock, handed_out FROM campaign_machines WHERE campaign_id = $1 AND terminal_id = $2";
constexpr std::string_view kLoadMachine =
    "INSERT INTO campaign_machines (campaign_id, terminal_id, stock, updated_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (campaign_id, terminal_id) DO UPDATE SET stock = excluded.stock, updated_at = excluded.updated_at";
// Staff's list of a campaign's claims: those of members in the caller's
// subtree ($2, $3). Never the pickup codes: only their members see them.
constexpr std::string_view kClaimsFrom =
    " FROM campaign_claims k JOIN members m ON m.id = k.member_id LEFT JOIN terminals t ON t.id = k.terminal_id "
    "WHERE k.campaign_id = $1 AND m.org_path >= $2 AND m.org_path < $3";
constexpr std::string_view kClaimColumns =
    "k.id, k.member_id, m.name, k.seq, k.status, k.claimed_at, k.expires_at, k.redeemed_at, k.terminal_id, t.name";
constexpr std::string_view kMachines =
    "SELECT m.terminal_id, t.name, t.kind, m.stock, m.handed_out, m.updated_at FROM campaign_machines m "
    "JOIN terminals t ON t.id = m.terminal_id WHERE m.campaign_id = $1 ORDER BY m.terminal_id";
constexpr std::string_view kTerminal =
    "SELECT t.id, t.name, o.path FROM terminals t JOIN orgs o ON o.id = t.org_id WHERE t.id = $1";
// Lottery mode.
constexpr std::string_view kRegister =
    "INSERT INTO campaign_registrations (campaign_id, member_id, registered_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (campaign_id, member_id) DO NOTHING RETURNING id";
constexpr std::string_view kRegistrationIds =
    "SELECT id, member_id FROM campaign_registrations WHERE campaign_id = $1 ORDER BY id";
constexpr std::string_view kRegistrationCount = "SELECT COUNT(*) FROM campaign_registrations WHERE campaign_id = $1";
constexpr std::string_view kWon =
    "UPDATE campaign_registrations SET result = 'won', draw_rank = $2, claim_id = $3 WHERE id = $1";
constexpr std::string_view kLost =
    "UPDATE campaign_registrations SET result = 'lost' WHERE campaign_id = $1 AND result = 'registered'";
constexpr std::string_view kDrawn =
    "UPDATE campaigns SET claimed = $2, drawn_at = $3, draw_record = $4, updated_at = $3 "
    "WHERE id = $1 AND drawn_at IS NULL";
constexpr std::string_view kSeed = "SELECT seed_enc FROM campaigns WHERE id = $1";
constexpr std::string_view kMyRegistrations =
    "SELECT r.id, r.campaign_id, c.name, r.registered_at, r.result, r.claim_id, c.ends_at, c.drawn_at "
    "FROM campaign_registrations r JOIN campaigns c ON c.id = r.campaign_id WHERE r.member_id = $1 "
    "ORDER BY r.id DESC LIMIT 100";
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
  std::string mode = "first_come";  // or "lottery"
  std::string seed_commitment;      // lottery: SHA-256 of the secret seed
  std::optional<int64_t> drawn_at;
  std::string draw_record;          // lottery, once drawn: JSON
  member::Groups groups;            // who may take part (besides in_service_only)
  bool lottery() const { return mode == "lottery"; }
};

constexpr size_t kColumnCount = std::ranges::count(kColumns, ',') + 1;

// A campaign from kColumns at `at` onwards.
Campaign from_row(const db::Row& row, size_t at = 0) {
  auto r = [&](size_t i) -> const db::Value& { return row[at + i]; };
  return {r(0).i64(),  r(1).i64(),  r(2).str(),      r(3).str(),  r(4).i64(),
          r(5).i64(),  r(6).i64(),  r(7).i64(),      r(8).i64(),  r(9).i64(),
          r(10).i64() != 0, r(11).i64(), r(12).str(), r(13).str(), r(14).opt_i64(),
          r(15).str(), member::groups_from_text(r(16).str())};
}

// A claim's or registration's facts in one statement (on PostgreSQL each
// statement is a round trip): the campaign ($2), and what it needs of the
// member ($1) with their claims from it so far (null when there is no such
// member).
const std::string& entry_sql() {
  static const std::string sql =
      "SELECT " + std::string(kColumns) +
      ", m.org_path, m.status, m.employment_status, m.household, m.employment_form, m.needy_status, "
      "(SELECT COUNT(*) FROM campaign_claims k WHERE k.campaign_id = c.id AND k.member_id = m.id) "
      "FROM campaigns c LEFT JOIN members m ON m.id = $1 WHERE c.id = $2";
  return sql;
}

std::optional<Campaign> find(db::Tx& tx, int64_t id) {
  static const std::string sql = "SELECT " + std::string(kColumns) + " FROM campaigns c WHERE c.id = $1";
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
          {"mode", c.mode},
          {"groups", member::groups_json(c.groups)},
          {"seed_commitment", c.lottery() ? json::value(c.seed_commitment) : json::value(nullptr)},
          {"drawn_at", c.drawn_at ? json::value(iso_utc(*c.drawn_at)) : json::value(nullptr)},
          {"created_at", iso_utc(c.created_at)}};
}

// Staff see campaigns run by their org, above it, or inside their subtree;
// members see those whose org contains their union.
bool sees(const auth::Principal& who, const Campaign& c, const std::string& member_path = {}) {
  if (who.kind == auth::PrincipalKind::member) return member_path.starts_with(c.org_path);
  return modules::covers_or_within(who, c.org_path);
}

// A claim with a fresh pickup code (sealed, blind-indexed): {claim id, code}.
std::pair<int64_t, std::string> issue(db::Tx& tx, const crypto::Keys& keys, const Campaign& c, int64_t member_id,
                                      int64_t seq, int64_t now) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::string code = make_pickup_code();
    if (auto row = tx.one(kInsertClaim, {c.id, member_id, seq, crypto::blind_index(keys, "pickup_code", code),
                                         crypto::seal(keys, code, kAadCode), now, now + c.code_valid_ms}))
      return {(*row)[0].i64(), std::move(code)};
  }
  throw Error::internal("no free pickup code after 5 draws");
}

// The member as a campaign sees them, with their claims from it so far.
struct Claimant {
  int64_t id = 0;
  std::string org_path, status, employment_status, household, employment_form;
  std::optional<std::string> needy_status;
  int64_t claims = 0;
};

struct Entry {
  Claimant m;
  Campaign c;
  int64_t now = 0;
};

// A member taking part in a campaign now: visible to them, open, and they
// are eligible.
Entry check_entry(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto row = tx.one(entry_sql(), {who.member_id, ctx.id_param()});
  if (!row) throw Error::not_found("campaign");
  const auto& r = *row;
  const size_t at = kColumnCount;
  if (r[at].is_null()) throw Error::not_found("member");
  Entry e{Claimant{who.member_id, r[at].str(), r[at + 1].str(), r[at + 2].str(), r[at + 3].str(), r[at + 4].str(),
                   r[at + 5].opt_str(), r[at + 6].i64()},
          from_row(r), db::now_ms()};
  const auto& [m, c, now] = e;
  if (!sees(who, c, m.org_path)) throw Error::not_found("campaign");
  if (now < c.starts_at) throw Error::conflict("campaign.not_started", "the campaign opens at " + iso_utc(c.starts_at));
  if (now >= c.ends_at) throw Error::conflict("campaign.ended", "the campaign ended at " + iso_utc(c.ends_at));
  if (m.status != "active" || (c.in_service_only && m.employment_status != "in_service"))
    throw Error{ErrorKind::forbidden, "campaign.not_eligible", "this campaign is for active, in-service members"};
  if (!member::eligible(c.groups, {m.status, m.household, m.employment_form, m.needy_status}))
    throw Error{ErrorKind::forbidden, "campaign.not_eligible",
                "this campaign is for " + member::groups_text(c.groups) + " members"};
  return e;
}

// What a first-come claim needs, checked: the member may claim now and packs
// were left when this transaction's snapshot was taken.
struct ClaimCheck {
  Entry e;
  int64_t had = 0;  // the member's claims so far
};

ClaimCheck check_claim(http::Ctx& ctx, db::Tx& tx) {
  auto e = check_entry(ctx, tx);
  if (e.c.lottery())
    throw Error::conflict("campaign.lottery", "this campaign draws lots among registered members: register instead");
  const int64_t had = e.m.claims;
  if (had >= e.c.per_member)
    throw Error::conflict("campaign.already_claimed", "you have already claimed from this campaign");
  if (e.c.claimed >= e.c.stock) throw Error::conflict("campaign.sold_out", "all packs have been claimed");
  return {std::move(e), had};
}

// A staff member's campaign, in their scope.
Campaign staff_campaign(http::Ctx& ctx, db::Tx& tx) {
  auto c = find(tx, ctx.id_param());
  if (!c || !sees(ctx.who(), *c)) throw Error::not_found("campaign");
  return *c;
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
  // The guard answers sold-out and already-claimed from a read snapshot, so
  // the crowd arriving after the last pack never queues for the writer.
  r.add_tx(Method::post, "/api/v1/campaigns/{id}/claims",
           {.auth = http::AuthMode::member,
            .idempotent = true,
            .guard = [this](http::Ctx& c, db::Tx& tx) { check_claim(c, tx); },
            .guard_if = [this](http::Ctx& c) { return crowd_.worth_checking(c.id_param(), c.who().member_id); }},
           [this](http::Ctx& c, db::Tx& tx) { return claim(c, tx); });
  r.add(Method::get, "/api/v1/campaigns/{id}/claims", {.auth = http::AuthMode::staff, .perm = Perm::campaign_read},
        [this](http::Ctx& c) { return claims(c); });
  r.add(Method::get, "/api/v1/me/claims", {.auth = http::AuthMode::member}, [this](http::Ctx& c) { return my_claims(c); });
  r.add_tx(Method::post, "/api/v1/campaigns/{id}/registrations", {.auth = http::AuthMode::member, .idempotent = true},
           [this](http::Ctx& c, db::Tx& tx) { return register_for(c, tx); });
  r.add(Method::get, "/api/v1/me/registrations", {.auth = http::AuthMode::member},
        [this](http::Ctx& c) { return my_registrations(c); });
  r.add_tx(Method::post, "/api/v1/campaigns/{id}/draw",
           {.auth = http::AuthMode::staff, .perm = Perm::campaign_write, .idempotent = true},
           [this](http::Ctx& c, db::Tx& tx) { return draw_lots(c, tx); });
  r.add(Method::get, "/api/v1/campaigns/{id}/draw", {.auth = http::AuthMode::staff, .perm = Perm::campaign_read},
        [this](http::Ctx& c) { return draw_record(c); });
  r.add_tx(Method::put, "/api/v1/campaigns/{id}/machines/{terminal_id}",
           {.auth = http::AuthMode::staff, .perm = Perm::campaign_write},
           [this](http::Ctx& c, db::Tx& tx) { return load_machine(c, tx); });
  r.add(Method::get, "/api/v1/campaigns/{id}/machines", {.auth = http::AuthMode::staff, .perm = Perm::campaign_read},
        [this](http::Ctx& c) { return machines(c); });
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
  const auto groups = member::read_groups(f);
  auto mode = f.opt_str("mode", {.max = 20, .required = false}).value_or("first_come");
  if (mode != "first_come" && mode != "lottery")
    f.add("mode", "mode.unknown", "mode must be first_come (first come, first served) or lottery (a draw among registrants)");
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
  // Lottery: the seed is fixed now and only its commitment shown until the draw.
  std::optional<std::string> seed_enc, seed_commitment;
  if (mode == "lottery") {
    const std::string seed = crypto::to_hex(crypto::random_bytes(32));
    seed_enc = crypto::seal(keys_, seed, kAadSeed);
    seed_commitment = commitment(seed);
  }
  const int64_t id = tx.one(kInsert, {org_id, org->path, name, stock, per_member, *starts, *ends, valid_hours * kHourMs,
                                      in_service_only, who.account_id, now, mode, seed_enc, seed_commitment,
                                      member::groups_text(groups)})
                         ->at(0)
                         .i64();
  audit_.append(tx, audit::Actor::of(&who),
                {"campaign.create", "campaign", std::to_string(id), "ok",
                 mode + ", stock " + std::to_string(stock) + (seed_commitment ? ", seed commitment " + *seed_commitment : ""),
                 org->path});
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
  const std::string where = " FROM campaigns c WHERE " +
                            modules::covering_paths_sql("c.org_path", path, who.kind == auth::PrincipalKind::staff, params);
  auto [rows, total] = modules::paged(store_, kColumns, where, params, "c.id DESC", page);
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
  auto [e, had] = [&] {
    try {
      return check_claim(ctx, tx);
    } catch (const Error& refused) {
      // The crowd after the sell-out is refused by the guard from now on.
      if (refused.code() == "campaign.sold_out") crowd_.sold_out(ctx.id_param());
      if (refused.code() == "campaign.already_claimed") crowd_.claimed(ctx.id_param(), who.member_id);
      throw;
    }
  }();
  auto& [m, c, now] = e;
  // The stock is taken by the one statement below, whatever check_claim read.
  if (tx.exec(kTake, {c.id}) != 1) {
    crowd_.sold_out(c.id);
    throw Error::conflict("campaign.sold_out", "all packs have been claimed");
  }
  auto [claim_id, code] = issue(tx, keys_, c, m.id, had + 1, now);
  tx.on_commit([this, campaign_id = c.id, member_id = m.id, last = c.claimed + 1 >= c.stock] {
    crowd_.claimed(campaign_id, member_id);
    if (last) crowd_.sold_out(campaign_id);
  });
  audit_.append(tx, audit::Actor::of(&who),
                {"campaign.claim", "campaign", std::to_string(c.id), "ok", "claim " + std::to_string(claim_id),
                 m.org_path});
  json::object out;
  out["id"] = claim_id;
  out["campaign_id"] = c.id;
  out["pickup_code"] = format_pickup_code(code);
  out["expires_at"] = iso_utc(now + c.code_valid_ms);
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
  const int64_t id = (*row)[0].i64(), campaign_id = (*row)[6].i64(), now = db::now_ms();
  if (tx.exec(kRedeem, {id, now, who.terminal_id}) != 1) {
    // Read again: another machine (or server process) may have just used it.
    row = tx.one(kByCode, {bidx});
    if ((*row)[1].str() == "redeemed")
      throw Error::conflict("pickup.already_redeemed",
                            "this code was already used at " + iso_utc((*row)[3].i64()));
    throw Error::conflict("pickup.expired", "this code expired at " + iso_utc((*row)[2].i64()));
  }
  // A refusal below rolls the redemption back with it: the code stays unused.
  if (tx.one(kHasMachines, {campaign_id}) && tx.exec(kMachineTake, {campaign_id, who.terminal_id, now}) != 1) {
    if (tx.one(kMachine, {campaign_id, who.terminal_id}))
      throw Error::conflict("pickup.machine_empty", "this machine has handed out all its packs: try another machine");
    throw Error::conflict("pickup.wrong_machine", "this machine does not hand out this campaign's packs");
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

namespace gh::campaign {

http::Response Routes::register_for(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto [m, c, now] = check_entry(ctx, tx);
  if (!c.lottery())
    throw Error::conflict("campaign.first_come", "this campaign is first come, first served: claim instead");
  auto row = tx.one(kRegister, {c.id, m.id, now});
  if (!row) throw Error::conflict("campaign.already_registered", "you are already registered for this draw");
  const int64_t id = (*row)[0].i64();
  audit_.append(tx, audit::Actor::of(&who),
                {"campaign.register", "campaign", std::to_string(c.id), "ok", "registration " + std::to_string(id),
                 m.org_path});
  return http::Response::json(201, json::object{{"id", id},
                                                {"campaign_id", c.id},
                                                {"registered_at", iso_utc(now)},
                                                {"result", "registered"},
                                                {"draw_after", iso_utc(c.ends_at)},
                                                {"seed_commitment", c.seed_commitment}});
}

http::Response Routes::my_registrations(http::Ctx& ctx) {
  const auto& who = ctx.who();
  return store_.read([&](db::Tx& tx) {
    json::array items;
    for (const auto& r : tx.query(kMyRegistrations, {who.member_id}))
      items.push_back({{"id", r[0].i64()},
                       {"campaign_id", r[1].i64()},
                       {"campaign", r[2].str()},
                       {"registered_at", iso_utc(r[3].i64())},
                       {"result", r[4].str()},
                       {"claim_id", r[5].is_null() ? json::value(nullptr) : json::value(r[5].i64())},
                       {"draw_after", iso_utc(r[6].i64())},
                       {"drawn_at", r[7].is_null() ? json::value(nullptr) : json::value(iso_utc(r[7].i64()))}});
    return http::Response::json(200, json::object{{"items", std::move(items)}});
  });
}

// The draw: once, after registration has closed, by staff who may run the
// campaign. Winners get their claims and pickup codes in the same commit.
http::Response Routes::draw_lots(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto c = staff_campaign(ctx, tx);
  modules::require_scope(who, c.org_path, "campaign");
  if (!c.lottery()) throw Error::conflict("campaign.first_come", "this campaign is first come, first served: no draw");
  if (c.drawn_at) throw Error::conflict("campaign.already_drawn", "lots were drawn at " + iso_utc(*c.drawn_at));
  const int64_t now = db::now_ms();
  if (now < c.ends_at)
    throw Error::conflict("campaign.registration_open", "registration closes at " + iso_utc(c.ends_at) + "; draw after");
  std::vector<int64_t> ids;
  std::unordered_map<int64_t, int64_t> member_of;
  for (const auto& r : tx.query(kRegistrationIds, {c.id})) {
    ids.push_back(r[0].i64());
    member_of.emplace(r[0].i64(), r[1].i64());
  }
  const std::string seed = crypto::open(keys_, tx.one(kSeed, {c.id})->at(0).str(), kAadSeed);
  const auto result = draw(seed, ids, c.stock);
  for (size_t i = 0; i < result.winners; ++i) {
    const int64_t reg = result.ranking[i];
    const int64_t claim_id = issue(tx, keys_, c, member_of.at(reg), 1, now).first;
    tx.exec(kWon, {reg, static_cast<int64_t>(i + 1), claim_id});
  }
  tx.exec(kLost, {c.id});
  json::array winners;
  for (size_t i = 0; i < result.winners; ++i) winners.push_back(result.ranking[i]);
  json::object record{{"seed", seed},
                      {"seed_commitment", c.seed_commitment},
                      {"registrations", static_cast<int64_t>(ids.size())},
                      {"registrations_digest", result.digest},
                      {"winners", static_cast<int64_t>(result.winners)},
                      {"winners_digest", crypto::sha256_hex(json::serialize(winners))},
                      {"drawn_at", iso_utc(now)}};
  if (tx.exec(kDrawn, {c.id, static_cast<int64_t>(result.winners), now, json::serialize(record)}) != 1)
    throw Error::conflict("campaign.already_drawn", "lots were drawn a moment ago");
  audit_.append(tx, audit::Actor::of(&who),
                {"campaign.draw", "campaign", std::to_string(c.id), "ok",
                 "seed " + seed + ", " + std::to_string(ids.size()) + " registrations (" + result.digest + "), " +
                     std::to_string(result.winners) + " winners",
                 c.org_path});
  record["campaign_id"] = c.id;
  record["winner_registration_ids"] = std::move(winners);
  return http::Response::json(200, record);
}

// The draw's public record: before the draw the commitment and the count so
// far; after it also the seed and every registration id, enough to run the
// draw again (docs/campaigns.md) and compare.
http::Response Routes::draw_record(http::Ctx& ctx) {
  return store_.read([&](db::Tx& tx) {
    auto c = staff_campaign(ctx, tx);
    if (!c.lottery()) throw Error::conflict("campaign.first_come", "this campaign is first come, first served: no draw");
    json::object out;
    out["campaign_id"] = c.id;
    out["seed_commitment"] = c.seed_commitment;
    out["draw_after"] = iso_utc(c.ends_at);
    out["stock"] = c.stock;
    if (!c.drawn_at) {
      out["drawn"] = false;
      out["registrations"] = tx.query(kRegistrationCount, {c.id})[0][0].i64();
      return http::Response::json(200, out);
    }
    out["drawn"] = true;
    const json::value record = json::parse(c.draw_record);
    for (const auto& [k, v] : record.as_object()) out[k] = v;
    json::array ids, winners;
    std::vector<std::pair<int64_t, int64_t>> ranked;
    const auto registrations = tx.query(kDrawRanks, {c.id});
    for (const auto& r : registrations) {
      ids.push_back(r[0].i64());
      if (!r[1].is_null()) ranked.emplace_back(r[1].i64(), r[0].i64());
    }
    std::sort(ranked.begin(), ranked.end());
    for (const auto& [rank, id] : ranked) winners.push_back(id);
    out["registration_ids"] = std::move(ids);
    out["winner_registration_ids"] = std::move(winners);
    return http::Response::json(200, out);
  });
}

http::Response Routes::load_machine(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  const int64_t stock = f.i64("stock", 0, 1'000'000);
  f.done();
  auto c = staff_campaign(ctx, tx);
  modules::require_scope(who, c.org_path, "campaign");
  const int64_t terminal_id = ctx.id_param("terminal_id");
  auto t = tx.one(kTerminal, {terminal_id});
  // The machine must stand inside the campaign's subtree and the caller's.
  if (!t || !(*t)[2].str().starts_with(c.org_path) || !(*t)[2].str().starts_with(who.org_path))
    throw Error::not_found("terminal");
  if (auto cur = tx.one(kMachine, {c.id, terminal_id}); cur && stock < (*cur)[1].i64())
    throw Error::invalid("stock", "stock.below_handed_out",
                         "this machine has already handed out " + std::to_string((*cur)[1].i64()) + " packs");
  const int64_t now = db::now_ms();
  tx.exec(kLoadMachine, {c.id, terminal_id, stock, now});
  audit_.append(tx, audit::Actor::of(&who),
                {"campaign.machine_stock", "campaign", std::to_string(c.id), "ok",
                 "terminal " + std::to_string(terminal_id) + " stock " + std::to_string(stock), c.org_path});
  auto cur = tx.one(kMachine, {c.id, terminal_id});
  return http::Response::json(200, json::object{{"campaign_id", c.id},
                                                {"terminal_id", terminal_id},
                                                {"name", (*t)[1].str()},
                                                {"stock", (*cur)[0].i64()},
                                                {"handed_out", (*cur)[1].i64()},
                                                {"left", (*cur)[0].i64() - (*cur)[1].i64()}});
}

// A campaign's claims one by one, newest first, for the clerk reconciling a
// machine's count or answering "did my claim go through?": members' names
// masked, no codes. status: claimed (still to pick up), redeemed, expired.
http::Response Routes::claims(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  const int64_t campaign_id = store_.read([&](db::Tx& tx) { return staff_campaign(ctx, tx).id; });
  std::string where(kClaimsFrom);
  std::vector<db::Value> params{campaign_id, who.org_path, modules::subtree_upper(who.org_path)};
  const int64_t now = db::now_ms();
  if (auto status = ctx.req.query_param("status"); status && !status->empty()) {
    if (*status == "redeemed") {
      where += " AND k.status = 'redeemed'";
    } else if (*status == "claimed" || *status == "expired") {
      params.emplace_back(now);
      where += std::string(" AND k.status = 'claimed' AND k.expires_at ") + (*status == "claimed" ? ">" : "<=") + " $" +
               std::to_string(params.size());
    } else {
      throw Error::invalid("status", "status.one_of", "status must be claimed, redeemed or expired");
    }
  }
  auto [rows, total] = modules::paged(store_, kClaimColumns, where, params, "k.id DESC", page);
  json::array items;
  for (const auto& r : rows) {
    std::string status = r[4].str();
    if (status == "claimed" && r[6].i64() <= now) status = "expired";
    items.push_back({{"id", r[0].i64()},
                     {"member_id", r[1].i64()},
                     {"member_name", mask_name(r[2].str())},
                     {"seq", r[3].i64()},
                     {"status", status},
                     {"claimed_at", iso_utc(r[5].i64())},
                     {"expires_at", iso_utc(r[6].i64())},
                     {"redeemed_at", r[7].is_null() ? json::value(nullptr) : json::value(iso_utc(r[7].i64()))},
                     {"terminal_id", r[8].is_null() ? json::value(nullptr) : json::value(r[8].i64())},
                     {"terminal", modules::opt_json(r[9].opt_str())}});
  }
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::machines(http::Ctx& ctx) {
  return store_.read([&](db::Tx& tx) {
    auto c = staff_campaign(ctx, tx);
    json::array items;
    for (const auto& r : tx.query(kMachines, {c.id}))
      items.push_back({{"terminal_id", r[0].i64()},
                       {"name", r[1].str()},
                       {"kind", r[2].str()},
                       {"stock", r[3].i64()},
                       {"handed_out", r[4].i64()},
                       {"left", r[3].i64() - r[4].i64()},
                       {"updated_at", iso_utc(r[5].i64())}});
    return http::Response::json(200, json::object{{"items", std::move(items)}});
  });
}

}  // namespace gh::campaign
