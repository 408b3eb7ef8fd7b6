#include "modules/member/routes.h"

#include "auth/accounts.h"
#include "auth/rules.h"
#include "core/card_no.h"
#include "core/phone.h"
#include "core/regions.h"
#include "http/fields.h"
#include "modules/common.h"
#include "modules/member/dictionaries.h"
#include "modules/org/store.h"
#include "modules/unit/store.h"

namespace gh::member {
namespace {

using http::Method;
using auth::Perm;
using auth::PrincipalKind;
namespace json = boost::json;

constexpr std::string_view kUpdate =
    "UPDATE members SET name = $2, phone_enc = $3, phone_bidx = $4, phone_masked = $5, unit_id = $6, "
    "household = $7, employment_form = $8, employment_status = $9, ethnic_group = $10, "
    "education = $11, political_status = $12, needy_status = $13, needy_detail = $14, "
    "physical_card_no = $15, updated_at = $16 WHERE id = $1";
constexpr std::string_view kSetStatus = "UPDATE members SET status = $2, updated_at = $3 WHERE id = $1";
constexpr std::string_view kHistory =
    "SELECT status, event, org_id, unit_id, reason, actor_id, at FROM member_history "
    "WHERE member_id = $1 ORDER BY id";
constexpr std::string_view kTransferColumns =
    "id, member_id, from_unit_id, from_org_id, to_unit_id, to_org_id, status, reason, note, "
    "requested_by, requested_at, decided_by, decided_at, from_org_path, to_org_path";
constexpr std::string_view kInsertTransfer =
    "INSERT INTO member_transfers (member_id, from_unit_id, from_org_id, from_org_path, to_unit_id, "
    "to_org_id, to_org_path, status, reason, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5, "
    "$6, $7, 'requested', $8, $9, $10) RETURNING id";
constexpr std::string_view kOpenTransfer =
    "SELECT id FROM member_transfers WHERE member_id = $1 AND status = 'requested'";
constexpr std::string_view kDecide =
    "UPDATE member_transfers SET status = $2, note = $3, decided_by = $4, decided_at = $5 "
    "WHERE id = $1 AND status = 'requested'";
constexpr std::string_view kMove =
    "UPDATE members SET unit_id = $2, org_id = $3, org_path = $4, updated_at = $5 WHERE id = $1";
constexpr std::string_view kPhysicalCard = "SELECT id FROM members WHERE physical_card_no = $1 AND id <> $2";

json::object transfer_json(const db::Row& r) {
  json::object j;
  j["id"] = r[0].i64();
  j["member_id"] = r[1].i64();
  j["from_unit_id"] = r[2].i64();
  j["from_org_id"] = r[3].i64();
  j["to_unit_id"] = r[4].i64();
  j["to_org_id"] = r[5].i64();
  j["status"] = r[6].str();
  j["reason"] = modules::opt_json(r[7].opt_str());
  j["note"] = modules::opt_json(r[8].opt_str());
  j["requested_by"] = r[9].i64();
  j["requested_at"] = iso_utc(r[10].i64());
  if (auto d = r[11].opt_i64()) j["decided_by"] = *d; else j["decided_by"] = nullptr;
  if (auto d = r[12].opt_i64()) j["decided_at"] = iso_utc(*d); else j["decided_at"] = nullptr;
  return j;
}

}  // namespace

void Routes::mount(http::Router& r) {
  auto staff = [](Perm p) { return http::RouteOptions{.auth = http::AuthMode::staff, .perm = p}; };
  // Creating calls accept an Idempotency-Key, so a retried request never creates twice.
  auto staff_once = [](Perm p) {
    return http::RouteOptions{.auth = http::AuthMode::staff, .perm = p, .idempotent = true};
  };
  r.add_tx(Method::post, "/api/v1/members", staff_once(Perm::member_write),
           [this](http::Ctx& c, db::Tx& tx) { return create(c, tx); });
  r.add(Method::get, "/api/v1/members", staff(Perm::member_read), [this](http::Ctx& c) { return list(c); });
  r.add(Method::post, "/api/v1/members/import", staff(Perm::member_import),
        [this](http::Ctx& c) { return import(c); });
  r.add(Method::get, "/api/v1/members/{id}", {.auth = http::AuthMode::session, .inline_read = true},
        [this](http::Ctx& c) { return get(c); });
  r.add_tx(Method::patch, "/api/v1/members/{id}", staff(Perm::member_write),
           [this](http::Ctx& c, db::Tx& tx) { return update(c, tx); });
  r.add_tx(Method::post, "/api/v1/members/{id}/reveal", staff(Perm::member_reveal),
           [this](http::Ctx& c, db::Tx& tx) { return reveal(c, tx); });
  r.add_tx(Method::post, "/api/v1/members/{id}/status", staff(Perm::member_write),
           [this](http::Ctx& c, db::Tx& tx) { return set_status(c, tx); });
  r.add(Method::get, "/api/v1/members/{id}/history", {.auth = http::AuthMode::session},
        [this](http::Ctx& c) { return history(c); });
  r.add_tx(Method::post, "/api/v1/members/{id}/transfers", staff_once(Perm::member_transfer),
           [this](http::Ctx& c, db::Tx& tx) { return request_transfer(c, tx); });
  r.add(Method::get, "/api/v1/transfers", staff(Perm::member_transfer),
        [this](http::Ctx& c) { return list_transfers(c); });
  r.add_tx(Method::post, "/api/v1/transfers/{id}/accept", staff(Perm::member_transfer),
           [this](http::Ctx& c, db::Tx& tx) { return decide_transfer(c, tx, "accepted"); });
  r.add_tx(Method::post, "/api/v1/transfers/{id}/refuse", staff(Perm::member_transfer),
           [this](http::Ctx& c, db::Tx& tx) { return decide_transfer(c, tx, "refused"); });
  r.add_tx(Method::post, "/api/v1/transfers/{id}/cancel", staff(Perm::member_transfer),
           [this](http::Ctx& c, db::Tx& tx) { return decide_transfer(c, tx, "cancelled"); });
  r.add(Method::post, "/api/v1/auth/register", {.auth = http::AuthMode::none},
        [this](http::Ctx& c) { return register_account(c); });
  r.add(Method::get, "/api/v1/me", {.auth = http::AuthMode::member, .inline_read = true}, [this](http::Ctx& c) { return me(c); });
  r.add(Method::get, "/api/v1/dictionaries", {.auth = http::AuthMode::none},
        [](http::Ctx&) { return http::Response::json(200, dictionaries_json()); });
}

Member Routes::visible(db::Tx& tx, const auth::Principal& who, int64_t id) {
  auto m = find(tx, id);
  if (who.kind == PrincipalKind::member) {
    if (!m || m->id != who.member_id) throw Error::out_of_scope("member");
    return *m;
  }
  if (!m) throw Error::not_found("member");
  if (!who.can(Perm::member_read)) throw Error::forbidden("missing permission member.read");
  modules::require_scope(who, m->org_path, "member");
  return *m;
}

http::Response Routes::create(http::Ctx& ctx, db::Tx& tx) {
  http::Fields f(ctx.json());
  auto in = read_input(f, Regions::instance(), Date::today_shanghai());
  f.done();
  auto m = roster_.create(tx, ctx.who(), *in);
  return http::Response::json(201, to_json(m));
}

http::Response Routes::get(http::Ctx& ctx) {
  int64_t id = ctx.id_param();
  auto m = store_.read([&](db::Tx& tx) { return visible(tx, ctx.who(), id); });
  auto j = to_json(m);
  auto unit = store_.read([&](db::Tx& tx) { return unit::find(tx, m.unit_id); });
  j["unit_name"] = unit ? unit->name : "";
  return http::Response::json(200, j);
}

http::Response Routes::me(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto [m, unit, org] = store_.read([&](db::Tx& tx) {
    auto mm = find(tx, who.member_id);
    if (!mm) throw Error::not_found("member");
    return std::tuple{*mm, unit::find(tx, mm->unit_id), org::find(tx, mm->org_id)};
  });
  auto j = to_json(m);
  j["name_masked"] = mask_name(m.name);
  j["unit_name"] = unit ? unit->name : "";
  j["org_name"] = org ? org->name : "";
  return http::Response::json(200, j);
}

http::Response Routes::update(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto m = visible(tx, who, ctx.id_param());
  http::Fields f(ctx.json());
  if (f.raw("citizen_id"))
    f.add("citizen_id", "citizen_id.immutable", "a citizen ID cannot be changed; end this membership and create a new one");
  if (f.raw("name")) m.name = f.str("name", {.max = 50});
  if (f.raw("phone")) {
    auto phone = parse_phone(f.str("phone", {.max = 20}));
    if (phone) roster_.set_phone(m, *phone);
    else f.add("phone", phone.error().code, phone.error().message);
  }
  for (auto [field, target] : {std::pair{"household", &m.household}, std::pair{"employment_form", &m.employment_form},
                               std::pair{"employment_status", &m.employment_status}})
    if (f.raw(field))
      if (auto v = read_coded(f, field, true)) *target = *v;
  for (auto [field, target] : {std::pair{"ethnic_group", &m.ethnic_group}, std::pair{"education", &m.education},
                               std::pair{"political_status", &m.political_status},
                               std::pair{"needy_status", &m.needy_status}})
    if (f.raw(field)) *target = read_coded(f, field, false);
  if (f.raw("needy_detail")) m.needy_detail = f.opt_str("needy_detail", {.max = 1000, .required = false});
  if (f.raw("physical_card_no")) {
    m.physical_card_no = f.opt_str("physical_card_no", {.min = 4, .max = 32, .required = false});
    if (m.physical_card_no && tx.one(kPhysicalCard, {*m.physical_card_no, m.id}))
      f.add("physical_card_no", "physical_card_no.duplicate", "this physical card number is already in use");
  }
  if (f.raw("unit_id")) {
    int64_t unit_id = f.id("unit_id");
    if (unit_id && unit_id != m.unit_id) {
      auto u = unit::find(tx, unit_id);
      if (!u || !who.in_scope(u->org_path)) f.add("unit_id", "unit_id.unknown", "no unit with this id in your organisation");
      else if (u->org_id != m.org_id)
        f.add("unit_id", "unit_id.other_union", "this unit belongs to another union: request a transfer instead");
      else m.unit_id = unit_id;
    }
  }
  f.done();
  m.updated_at = db::now_ms();
  // The member logs in with the phone: the account's login name follows it.
  if (auto account = tx.one("SELECT id FROM accounts WHERE member_id = $1", {m.id})) {
    int64_t account_id = (*account)[0].i64();
    auto username = auth::member_username(m.phone_bidx);
    if (auto other = auth::find_by_username(tx, username); other && other->id != account_id)
      throw Error{ErrorKind::conflict, "phone.taken", "another member account logs in with this phone",
                  {{"phone", "phone.taken", "another member account logs in with this phone"}}};
    tx.exec("UPDATE accounts SET username = $2 WHERE id = $1", {account_id, username});
  }
  tx.exec(kUpdate, {m.id, m.name, m.phone_enc, m.phone_bidx, m.phone_masked, m.unit_id, m.household,
                    m.employment_form, m.employment_status, m.ethnic_group, m.education,
                    m.political_status, m.needy_status, m.needy_detail, m.physical_card_no, m.updated_at});
  audit_.append(tx, audit::Actor::of(&who), {"member.update", "member", std::to_string(m.id), "ok", "", m.org_path});
  return http::Response::json(200, to_json(m));
}

http::Response Routes::list(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  const std::string root_path = org::list_root(store_, who, ctx.req);
  std::string where = " FROM members WHERE org_path >= $1 AND org_path < $2";
  std::vector<db::Value> params{root_path, modules::subtree_upper(root_path)};
  auto add = [&](std::string cond, db::Value v) {
    params.push_back(std::move(v));
    where += " AND " + cond + " $" + std::to_string(params.size());
  };
  if (int64_t unit_id = modules::query_id(ctx.req, "unit_id")) add("unit_id =", unit_id);
  struct Filter {
    const char* name;
    const Dictionary& dict;
  };
  for (const auto& flt : {Filter{"status", member_statuses()}, Filter{"household", households()},
                          Filter{"employment_form", employment_forms()},
                          Filter{"employment_status", employment_statuses()},
                          Filter{"needy_status", needy_statuses()}}) {
    auto v = ctx.req.query_param(flt.name);
    if (!v || v->empty()) continue;
    auto code = flt.dict.canonical(*v);
    if (!code)
      throw Error::invalid(flt.name, std::string(flt.name) + ".unknown",
                           std::string(flt.name) + " must be one of: " + flt.dict.allowed());
    add(std::string(flt.name) + " =", *code);
  }
  if (auto q = ctx.req.query_param("q"); q && !q->empty()) {
    std::string text(*q);
    // One search box: a citizen ID, a phone, a card number, or a name prefix.
    auto cid = parse_citizen_id(text, Regions::instance(), Date::today_shanghai());
    auto phone = parse_phone(text);
    auto card = parse_card_no(text);
    if (cid) add("citizen_bidx =", roster_.citizen_index(cid->number));
    else if (phone) add("phone_bidx =", roster_.phone_index(*phone));
    else if (card) add("card_no =", *card);
    else {
      params.emplace_back(modules::like_prefix(text));
      where += " AND name LIKE $" + std::to_string(params.size()) + " ESCAPE '\\'";
    }
  }
  auto [rows, total] = modules::paged(store_, kMemberColumns, where, params, "id", page);
  json::array items;
  for (const auto& row : rows) items.push_back(to_json(from_row(row)));
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::import(http::Ctx& ctx) {
  const auto& body = ctx.json();
  http::Fields f(body);
  bool dry_run = f.boolean("dry_run", false);
  const json::value* rows = f.raw("rows");
  if (!rows || !rows->is_array()) f.add("rows", "rows.type", "rows must be an array of member objects");
  else if (rows->as_array().size() > Roster::kMaxImportRows)
    f.add("rows", "rows.too_many", "at most " + std::to_string(Roster::kMaxImportRows) + " rows per call");
  f.done();
  const auto& who = ctx.who();
  // Parsing, validation and sealing happen here, in parallel with the writer.
  auto batch = roster_.prepare_import(rows->as_array());
  auto report = dry_run ? store_.read([&](db::Tx& tx) { return roster_.import(tx, who, batch, true); })
                        : store_.write([&](db::Tx& tx) { return roster_.import(tx, who, batch, false); });
  json::array failed;
  for (const auto& row : report.failed) {
    json::array errors;
    for (const auto& e : row.errors) errors.push_back({{"field", e.field}, {"code", e.code}, {"message", e.message}});
    failed.push_back({{"row", row.row}, {"errors", std::move(errors)}});
  }
  json::object out;
  out["dry_run"] = dry_run;
  out["created"] = dry_run ? 0 : report.created;
  out["valid"] = report.created;
  out["failed"] = std::move(failed);
  return http::Response::json(200, out);
}

http::Response Routes::reveal(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto m = visible(tx, who, ctx.id_param());
  http::Fields f(ctx.json());
  auto reason = f.str("reason", {.min = 2, .max = 200});
  auto fields = f.str_list("fields", 2);
  if (fields.empty()) fields = {"citizen_id", "phone"};
  for (const auto& name : fields)
    if (name != "citizen_id" && name != "phone")
      f.add("fields", "fields.unknown", "fields may list citizen_id and phone");
  f.done();
  json::object out;
  out["id"] = m.id;
  std::string revealed;
  for (const auto& name : fields) {
    out[name] = name == "citizen_id" ? roster_.reveal_citizen(m) : roster_.reveal_phone(m);
    revealed += (revealed.empty() ? "" : ",") + name;
  }
  audit_.append(tx, audit::Actor::of(&who),
                {"member.reveal", "member", std::to_string(m.id), "ok", revealed + ": " + reason, m.org_path});
  auto res = http::Response::json(200, out);
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

http::Response Routes::set_status(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto m = visible(tx, who, ctx.id_param());
  http::Fields f(ctx.json());
  auto status = f.one_of("status", {"active", "transferred", "suspended", "ended"});
  auto reason = f.str("reason", {.min = 2, .max = 200});
  f.done();
  if (status == m.status) throw Error::conflict("status.unchanged", "the member already has status " + status);
  if (status == "active" && active_citizen_exists(tx, m.citizen_bidx, m.id))
    throw Error{ErrorKind::conflict, "citizen_id.duplicate",
                "another active member has this citizen ID; end that membership first",
                {{"citizen_id", "citizen_id.duplicate", "another active member has this citizen ID"}}};
  if (tx.one(kOpenTransfer, {m.id}))
    throw Error::conflict("transfer.open", "a transfer of this member is waiting for a decision");
  tx.exec(kSetStatus, {m.id, status, db::now_ms()});
  if (status != "active") {
    // A member whose membership is not active cannot use their account.
    if (auto account = tx.one("SELECT id FROM accounts WHERE member_id = $1", {m.id})) {
      int64_t account_id = (*account)[0].i64();
      auth::Sessions::end_all(tx, account_id);
      tx.on_commit([this, account_id] { sessions_.evict_account(account_id); });
    }
  }
  add_history(tx, m.id, status, "status", m.org_id, m.unit_id, reason, who.account_id);
  audit_.append(tx, audit::Actor::of(&who),
                {"member.status", "member", std::to_string(m.id), "ok", m.status + "->" + status, m.org_path});
  m.status = status;
  return http::Response::json(200, to_json(m));
}

http::Response Routes::history(http::Ctx& ctx) {
  int64_t id = ctx.id_param();
  auto [m, rows, transfers] = store_.read([&](db::Tx& tx) {
    auto mm = visible(tx, ctx.who(), id);
    auto h = tx.query(kHistory, {id});
    auto t = tx.query("SELECT " + std::string(kTransferColumns) + " FROM member_transfers WHERE member_id = $1 ORDER BY id", {id});
    return std::tuple{mm, std::move(h), std::move(t)};
  });
  json::array events;
  events.push_back({{"status", "active"}, {"event", "joined"}, {"at", iso_utc(m.joined_at)}, {"reason", nullptr}});
  for (const auto& r : rows) {
    json::object e;
    e["status"] = r[0].str();
    e["event"] = r[1].str();
    e["org_id"] = r[2].i64();
    e["unit_id"] = r[3].i64();
    e["reason"] = modules::opt_json(r[4].opt_str());
    e["at"] = iso_utc(r[6].i64());
    events.push_back(std::move(e));
  }
  json::array ts;
  for (const auto& r : transfers) ts.push_back(transfer_json(r));
  json::object out;
  out["member_id"] = id;
  out["history"] = std::move(events);
  out["transfers"] = std::move(ts);
  return http::Response::json(200, out);
}

http::Response Routes::request_transfer(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto m = visible(tx, who, ctx.id_param());
  http::Fields f(ctx.json());
  auto to_unit_id = f.id("to_unit_id");
  auto reason = f.opt_str("reason", {.max = 200, .required = false});
  f.done();
  if (m.status != "active") throw Error::conflict("member.not_active", "only active members can be transferred");
  auto to = unit::find(tx, to_unit_id);
  if (!to) throw Error::invalid("to_unit_id", "to_unit_id.unknown", "no unit with this id");
  if (to->org_id == m.org_id)
    throw Error::invalid("to_unit_id", "to_unit_id.same_union", "the unit belongs to the member's own union; edit the member's unit instead");
  if (tx.one(kOpenTransfer, {m.id})) throw Error::conflict("transfer.open", "a transfer of this member is already waiting for a decision");
  int64_t id = tx.query(kInsertTransfer, {m.id, m.unit_id, m.org_id, m.org_path, to->id, to->org_id, to->org_path,
                                          reason, who.account_id, db::now_ms()})[0][0].i64();
  audit_.append(tx, audit::Actor::of(&who), {"transfer.request", "transfer", std::to_string(id), "ok",
                                             "member " + std::to_string(m.id), m.org_path});
  auto row = tx.one("SELECT " + std::string(kTransferColumns) + " FROM member_transfers WHERE id = $1", {id});
  return http::Response::json(201, transfer_json(*row));
}

http::Response Routes::list_transfers(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  auto dir = ctx.req.query_param("direction").value_or("incoming");
  if (dir != "incoming" && dir != "outgoing")
    throw Error::invalid("direction", "direction.unknown", "direction must be incoming or outgoing");
  std::string col = dir == "incoming" ? "to_org_path" : "from_org_path";
  std::string where = " FROM member_transfers WHERE " + col + " >= $1 AND " + col + " < $2";
  std::vector<db::Value> params{who.org_path, modules::subtree_upper(who.org_path)};
  if (auto st = ctx.req.query_param("status"); st && !st->empty()) {
    if (*st != "requested" && *st != "accepted" && *st != "refused" && *st != "cancelled")
      throw Error::invalid("status", "status.unknown", "status must be requested, accepted, refused or cancelled");
    params.emplace_back(*st);
    where += " AND status = $3";
  }
  auto [rows, total] = modules::paged(store_, kTransferColumns, where, params, "id DESC", page);
  json::array items;
  for (const auto& r : rows) items.push_back(transfer_json(r));
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::decide_transfer(http::Ctx& ctx, db::Tx& tx, const std::string& decision) {
  const auto& who = ctx.who();
  int64_t id = ctx.id_param();
  auto row = tx.one("SELECT " + std::string(kTransferColumns) + " FROM member_transfers WHERE id = $1", {id});
  if (!row) throw Error::not_found("transfer");
  const auto& r = *row;
  // The receiving side accepts or refuses; the sending side may cancel.
  std::string side_path = decision == "cancelled" ? r[13].str() : r[14].str();
  modules::require_scope(who, side_path, "transfer");
  std::optional<std::string> note;
  if (!ctx.req.body.empty()) {
    http::Fields f(ctx.json());
    note = f.opt_str("note", {.max = 200, .required = false});
    f.done();
  }
  if (r[6].str() != "requested") throw Error::conflict("transfer.decided", "this transfer was already " + r[6].str());
  int64_t member_id = r[1].i64();
  auto m = find(tx, member_id);
  if (decision == "accepted") {
    if (!m || m->status != "active" || m->unit_id != r[2].i64())
      throw Error::conflict("transfer.stale", "the member changed since the request; ask for a new transfer");
    auto to = unit::find(tx, r[4].i64());
    tx.exec(kMove, {member_id, to->id, to->org_id, to->org_path, db::now_ms()});
    add_history(tx, member_id, "active", "transfer", to->org_id, to->id, note.value_or(""), who.account_id);
  }
  tx.exec(kDecide, {id, decision, note, who.account_id, db::now_ms()});
  audit_.append(tx, audit::Actor::of(&who), {decision == "accepted" ? "transfer.accept" : decision == "refused" ? "transfer.refuse" : "transfer.cancel",
                                             "transfer", std::to_string(id), "ok",
                                             "member " + std::to_string(member_id), side_path});
  auto after = tx.one("SELECT " + std::string(kTransferColumns) + " FROM member_transfers WHERE id = $1", {id});
  return http::Response::json(200, transfer_json(*after));
}

// A worker opens a member account by proving they are on the roster: the
// citizen ID, name and phone must all match one active member. The answer
// never says which of them did not match.
http::Response Routes::register_account(http::Ctx& ctx) {
  if (!register_limiter_.allow(ctx.req.remote_addr, db::now_ms()))
    throw Error{ErrorKind::too_many, "register.rate_limited",
                "too many registration attempts from this address; wait a minute"};
  http::Fields f(ctx.json());
  auto cid_in = f.str("citizen_id", {.max = 20});
  auto name = f.str("name", {.max = 50});
  auto phone_in = f.str("phone", {.max = 20});
  auto password = f.str("password", {.max = 128});
  std::optional<CitizenId> cid;
  if (!cid_in.empty()) {
    auto parsed = parse_citizen_id(cid_in, Regions::instance(), Date::today_shanghai());
    if (parsed) cid = *parsed;
    else f.add("citizen_id", parsed.error().code, parsed.error().message);
  }
  std::optional<std::string> phone;
  if (!phone_in.empty()) {
    auto parsed = parse_phone(phone_in);
    if (parsed) phone = *parsed;
    else f.add("phone", parsed.error().code, parsed.error().message);
  }
  if (!password.empty())
    if (auto weak = auth::check_password(password)) f.add("password", weak->code, weak->message);
  f.done();

  auto hash = crypto::hash_password(password);
  auto citizen_bidx = roster_.citizen_index(cid->number);
  auto phone_bidx = roster_.phone_index(*phone);
  // A failed match is audited, so the write must commit: it returns nothing
  // instead of throwing (a throw would roll the audit entry back).
  auto account = store_.write([&](db::Tx& tx) -> std::optional<auth::Account> {
    auto row = tx.one("SELECT " + std::string(kMemberColumns) +
                          " FROM members WHERE citizen_bidx = $1 AND status = 'active'", {citizen_bidx});
    std::optional<Member> m;
    if (row) m = from_row(*row);
    if (!m || m->name != name || m->phone_bidx != phone_bidx) {
      audit_.append(tx, audit::Actor::anonymous(), {"auth.register", "member", "", "failed", "no roster match", ""});
      return std::nullopt;
    }
    if (tx.one("SELECT id FROM accounts WHERE member_id = $1", {m->id}))
      throw Error::conflict("register.exists", "this member already has an account: log in with your phone number");
    auth::Account a;
    a.kind = "member";
    a.username = auth::member_username(phone_bidx);
    a.password_hash = hash;
    a.member_id = m->id;
    if (auth::find_by_username(tx, a.username))
      throw Error::conflict("register.phone_taken", "another account already uses this phone number");
    a.id = auth::insert_account(tx, a);
    audit_.append(tx, audit::Actor{"member", a.id, ""}, {"auth.register", "member", std::to_string(m->id), "ok", "", m->org_path});
    return auth::find_account(tx, a.id);
  });
  if (!account)
    throw Error::invalid("citizen_id", "register.no_match",
                         "no active union member matches this citizen ID, name and phone; ask your union to check the roster");
  auto j = auth::account_json(*account);
  j["username"] = mask_phone(*phone);
  return http::Response::json(201, j);
}

}  // namespace gh::member
