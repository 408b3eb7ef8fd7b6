#include "modules/relief/routes.h"

#include <boost/json.hpp>
#include <string>

#include "core/regions.h"
#include "http/fields.h"
#include "modules/common.h"
#include "modules/ledger/ledger.h"
#include "modules/member/store.h"
#include "modules/org/store.h"
#include "modules/unit/store.h"

namespace gh::relief {
namespace {

using auth::Perm;
using http::Method;
namespace json = boost::json;

constexpr int64_t kMinYear = 2000;
constexpr int64_t kMaxYear = 2100;

constexpr std::string_view kYearTiers = "SELECT tiers FROM relief_years WHERE year = $1";
constexpr std::string_view kSaveTiers =
    "INSERT INTO relief_years (year, tiers, updated_by, updated_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (year) DO UPDATE SET tiers = excluded.tiers, updated_by = excluded.updated_by, "
    "updated_at = excluded.updated_at";
constexpr std::string_view kGranted =
    "SELECT id FROM relief_applications WHERE year = $1 AND member_id = $2 AND status <> "
    "'rejected'";
constexpr std::string_view kInsert =
    "INSERT INTO relief_applications (year, member_id, unit_id, org_path, region_code, hospital, "
    "diagnosis, "
    "total_cost_fen, basic_fen, commercial_fen, secondary_fen, out_of_pocket_fen, aid_fen, tier, "
    "status, filed_by, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
    "'submitted', $15, "
    "$16, $16) RETURNING id";
constexpr std::string_view kColumns =
    "a.id, a.year, a.member_id, m.name, a.unit_id, a.org_path, a.region_code, a.hospital, "
    "a.diagnosis, "
    "a.total_cost_fen, a.basic_fen, a.commercial_fen, a.secondary_fen, a.out_of_pocket_fen, "
    "a.tier, a.aid_fen, "
    "a.status, a.filed_by, a.grassroots_by, a.district_by, a.approved_by, a.decision_note, "
    "a.batch_id, "
    "a.created_at, a.updated_at";
constexpr std::string_view kFrom =
    " FROM relief_applications a JOIN members m ON m.id = a.member_id";
// One statement per review stage: the status moves only from the expected one.
constexpr std::string_view kGrassroots =
    "UPDATE relief_applications SET status = $2, grassroots_by = $3, decision_note = $4, "
    "updated_at = $5 "
    "WHERE id = $1 AND status = 'submitted'";
constexpr std::string_view kDistrict =
    "UPDATE relief_applications SET status = $2, district_by = $3, decision_note = $4, updated_at "
    "= $5 "
    "WHERE id = $1 AND status = 'grassroots_reviewed'";
constexpr std::string_view kFinal =
    "UPDATE relief_applications SET status = $2, approved_by = $3, decision_note = $4, updated_at "
    "= $5 "
    "WHERE id = $1 AND status = 'district_reviewed'";
constexpr std::string_view kApproved =
    "SELECT id, aid_fen, org_path FROM relief_applications WHERE year = $1 AND status = 'approved' "
    "AND org_path >= $2 AND org_path < $3 ORDER BY id";
constexpr std::string_view kInsertBatch =
    "INSERT INTO relief_batches (year, org_path, name, count, amount_fen, paid_by, paid_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
constexpr std::string_view kPay =
    "UPDATE relief_applications SET status = 'paid', batch_id = $2, updated_at = $3 "
    "WHERE id = $1 AND status = 'approved'";
constexpr std::string_view kReportTotal =
    "SELECT COUNT(DISTINCT member_id), COALESCE(SUM(aid_fen), 0), COUNT(*) FROM "
    "relief_applications "
    "WHERE year = $1 AND status = 'paid' AND org_path >= $2 AND org_path < $3";
constexpr std::string_view kReportRegions =
    "SELECT region_code, COUNT(DISTINCT member_id), COALESCE(SUM(aid_fen), 0), COUNT(*) FROM "
    "relief_applications "
    "WHERE year = $1 AND status = 'paid' AND org_path >= $2 AND org_path < $3 GROUP BY region_code "
    "ORDER BY region_code";

// Member codes (src/modules/member/dictionaries.cpp): "employed" is an
// accepted alias of the stored code "in_service".
constexpr std::string_view kMemberActive = "active";
constexpr std::string_view kEmployed = "in_service";

json::value opt_id(const db::Value& v) {
  if (auto i = v.opt_i64()) return *i;
  return nullptr;
}

json::object app_json(const db::Row& r) {
  json::object j;
  j["id"] = r[0].i64();
  j["year"] = r[1].i64();
  j["member_id"] = r[2].i64();
  j["member_name"] = r[3].str();
  j["unit_id"] = r[4].i64();
  j["region_code"] = r[6].str();
  j["hospital"] = r[7].str();
  j["diagnosis"] = r[8].str();
  j["total_cost_fen"] = r[9].i64();
  j["basic_fen"] = r[10].i64();
  j["commercial_fen"] = r[11].i64();
  j["secondary_fen"] = r[12].i64();
  j["out_of_pocket_fen"] = r[13].i64();
  j["tier"] = r[14].i64();
  j["aid_fen"] = r[15].i64();
  j["status"] = r[16].str();
  j["filed_by"] = r[17].i64();
  j["grassroots_by"] = opt_id(r[18]);
  j["district_by"] = opt_id(r[19]);
  j["approved_by"] = opt_id(r[20]);
  j["decision_note"] = modules::opt_json(r[21].opt_str());
  j["batch_id"] = opt_id(r[22]);
  j["created_at"] = iso_utc(r[23].i64());
  j["updated_at"] = iso_utc(r[24].i64());
  return j;
}

std::optional<db::Row> find_app(db::Tx& tx, int64_t id) {
  return tx.one("SELECT " + std::string(kColumns) + std::string(kFrom) + " WHERE a.id = $1", {id});
}

// The {year} path segment: a positive id (else 404), then a plausible year.
int64_t path_year(const http::Ctx& ctx) {
  int64_t year = ctx.id_param("year");
  if (year < kMinYear || year > kMaxYear)
    throw Error::invalid(
        "year", "year.range",
        "year must be between " + std::to_string(kMinYear) + " and " + std::to_string(kMaxYear));
  return year;
}

// ?year=: 0 when absent and optional; 422 naming "year" otherwise.
int64_t query_year(const http::Request& req, bool required) {
  auto v = req.query_param("year");
  if (!v || v->empty()) {
    if (required) throw Error::invalid("year", "year.required", "year is required");
    return 0;
  }
  if (v->size() <= 4 && v->find_first_not_of("0123456789") == std::string_view::npos) {
    int64_t y = std::stoll(std::string(*v));
    if (y >= kMinYear && y <= kMaxYear) return y;
  }
  throw Error::invalid("year", "year.range",
                       "year must be a year between " + std::to_string(kMinYear) + " and " +
                           std::to_string(kMaxYear));
}

bool county_or_higher(org::Level l) {
  return l == org::Level::national || l == org::Level::province || l == org::Level::city ||
         l == org::Level::county;
}

[[noreturn]] void four_eyes(const std::string& why) {
  throw Error{ErrorKind::forbidden, "claim.four_eyes", why};
}

}  // namespace

Tiers tiers_for(db::Tx& tx, int64_t year, bool* is_default) {
  auto row = tx.one(kYearTiers, {year});
  if (is_default) *is_default = !row;
  if (!row) return default_tiers();
  boost::system::error_code ec;
  auto v = json::parse((*row)[0].str(), ec);
  std::vector<FieldError> errors;
  Tiers t;
  if (!ec) t = parse_tiers(v, errors);
  if (ec || !errors.empty())
    throw Error::internal("relief: the stored tier table of " + std::to_string(year) +
                          " is invalid");
  return t;
}

void Routes::mount(http::Router& r) {
  auto staff = [](Perm p) { return http::RouteOptions{.auth = http::AuthMode::staff, .perm = p}; };
  auto staff_once = [](Perm p) {
    return http::RouteOptions{.auth = http::AuthMode::staff, .perm = p, .idempotent = true};
  };
  r.add(Method::get, "/api/v1/relief/years/{year}/tiers", staff(Perm::fund_read),
        [this](http::Ctx& c) { return get_tiers(c); });
  r.add_tx(Method::put, "/api/v1/relief/years/{year}/tiers", staff(Perm::fund_manage),
           [this](http::Ctx& c, db::Tx& tx) { return put_tiers(c, tx); });
  r.add_tx(Method::post, "/api/v1/relief/applications", staff_once(Perm::claim_file),
           [this](http::Ctx& c, db::Tx& tx) { return file(c, tx); });
  r.add(Method::get, "/api/v1/relief/applications", staff(Perm::fund_read),
        [this](http::Ctx& c) { return list(c); });
  r.add(Method::get, "/api/v1/relief/applications/{id}",
        {.auth = http::AuthMode::staff, .perm = Perm::fund_read, .inline_read = true},
        [this](http::Ctx& c) { return get(c); });
  r.add_tx(Method::post, "/api/v1/relief/applications/{id}/review", staff_once(Perm::claim_review),
           [this](http::Ctx& c, db::Tx& tx) { return review(c, tx); });
  r.add_tx(Method::post, "/api/v1/relief/batches", staff_once(Perm::fund_pay),
           [this](http::Ctx& c, db::Tx& tx) { return pay_batch(c, tx); });
  r.add(Method::get, "/api/v1/relief/report", staff(Perm::fund_read),
        [this](http::Ctx& c) { return report(c); });
}

http::Response Routes::get_tiers(http::Ctx& ctx) {
  int64_t year = path_year(ctx);
  bool is_default = false;
  auto t = store_.read([&](db::Tx& tx) { return tiers_for(tx, year, &is_default); });
  auto out = tiers_json(t);
  out["year"] = year;
  out["is_default"] = is_default;
  return http::Response::json(200, out);
}

http::Response Routes::put_tiers(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  int64_t year = path_year(ctx);
  // One table per year for every union: only the top org sets it.
  if (!who.at_top())
    throw Error{ErrorKind::forbidden, "relief.tiers_top_org", "only staff of the top org can change the tier table"};
  std::vector<FieldError> errors;
  auto t = parse_tiers(ctx.json(), errors);
  if (!errors.empty()) throw Error::invalid(std::move(errors));
  auto body = tiers_json(t);
  tx.exec(kSaveTiers, {year, json::serialize(body), who.account_id, db::now_ms()});
  audit_.append(tx, audit::Actor::of(&who),
                {"relief.tiers", "relief_year", std::to_string(year), "ok", json::serialize(body),
                 who.org_path});
  body["year"] = year;
  body["is_default"] = false;
  return http::Response::json(200, body);
}

http::Response Routes::file(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  int64_t year = f.i64("year", kMinYear, kMaxYear);
  int64_t member_id = f.id("member_id");
  auto hospital = f.str("hospital", {.max = 100});
  auto diagnosis = f.str("diagnosis", {.max = 200});
  size_t before = f.errors().size();
  int64_t total = f.i64("total_cost_fen", 0, kMaxFen);
  int64_t basic = f.i64("basic_fen", 0, kMaxFen);
  int64_t commercial = f.i64("commercial_fen", 0, kMaxFen);
  int64_t secondary = f.i64("secondary_fen", 0, kMaxFen);
  if (f.errors().size() == before && basic + commercial + secondary > total)
    f.add("total_cost_fen", "amounts.inconsistent",
          "basic_fen + commercial_fen + secondary_fen may not exceed total_cost_fen");
  f.done();

  // Unknown and out-of-subtree members answer alike (404), so existence is not revealed.
  auto m = member::find(tx, member_id);
  if (!m) throw Error::not_found("member");
  modules::require_scope(who, m->org_path, "member");
  if (m->status != kMemberActive || m->employment_status != kEmployed)
    throw Error::invalid(
        "member_id", "member_id.not_eligible",
        "relief is for active members in employment (status active, employment_status in_service)");
  auto u = unit::find(tx, m->unit_id);
  if (!u) throw Error::internal("relief: member " + std::to_string(m->id) + " has no unit");

  auto d = decide(total, basic, commercial, secondary, tiers_for(tx, year));
  if (!d.eligible)
    throw Error::invalid("total_cost_fen", "relief.below_threshold",
                         "the out-of-pocket amount " + std::to_string(d.out_of_pocket_fen) +
                             " fen is not above the year's threshold");
  auto already = [] {
    return Error::conflict("relief.already_granted",
                           "this member already has an application this year that is not rejected");
  };
  if (tx.one(kGranted, {year, member_id})) throw already();
  int64_t now = db::now_ms();
  int64_t id = 0;
  try {
    id = tx.query(kInsert, {year, member_id, u->id, m->org_path, u->region_code, hospital,
                            diagnosis, total, basic, commercial, secondary, d.out_of_pocket_fen,
                            d.aid_fen, int64_t{d.tier}, who.account_id, now})[0][0]
             .i64();
  } catch (const Error& e) {
    // A racing application for the same member and year: relief_one_per_year.
    if (e.code() == "db.unique") throw already();
    throw;
  }
  audit_.append(tx, audit::Actor::of(&who),
                {"relief.file", "relief_application", std::to_string(id), "ok",
                 "year " + std::to_string(year) + ", member " + std::to_string(member_id) +
                     ", tier " + std::to_string(d.tier) + ", aid_fen " + std::to_string(d.aid_fen),
                 m->org_path});
  return http::Response::json(201, app_json(*find_app(tx, id)));
}

http::Response Routes::get(http::Ctx& ctx) {
  int64_t id = ctx.id_param();
  auto row = store_.read([&](db::Tx& tx) { return find_app(tx, id); });
  if (!row) throw Error::not_found("relief application");
  modules::require_scope(ctx.who(), (*row)[5].str(), "relief application");
  return http::Response::json(200, app_json(*row));
}

http::Response Routes::list(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  const std::string root_path = org::list_root(store_, who, ctx.req);
  std::string where = std::string(kFrom) + " WHERE a.org_path >= $1 AND a.org_path < $2";
  std::vector<db::Value> params{root_path, modules::subtree_upper(root_path)};
  auto add = [&](std::string cond, db::Value v) {
    params.push_back(std::move(v));
    where += " AND " + cond + " $" + std::to_string(params.size());
  };
  if (int64_t year = query_year(ctx.req, false)) add("a.year =", year);
  if (auto st = ctx.req.query_param("status"); st && !st->empty()) {
    static constexpr std::string_view kStatuses[] = {
        "submitted", "grassroots_reviewed", "district_reviewed", "approved", "rejected", "paid"};
    if (std::find(std::begin(kStatuses), std::end(kStatuses), *st) == std::end(kStatuses))
      throw Error::invalid("status", "status.unknown",
                           "status must be submitted, grassroots_reviewed, district_reviewed, "
                           "approved, rejected or paid");
    add("a.status =", std::string(*st));
  }
  if (int64_t member_id = modules::query_id(ctx.req, "member_id")) add("a.member_id =", member_id);
  auto [rows, total] = modules::paged(store_, kColumns, where, params, "a.id", page);
  json::array items;
  for (const auto& row : rows) items.push_back(app_json(row));
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::review(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  int64_t id = ctx.id_param();
  auto row = find_app(tx, id);
  if (!row) throw Error::not_found("relief application");
  const auto& r = *row;
  std::string org_path = r[5].str();
  modules::require_scope(who, org_path, "relief application");
  http::Fields f(ctx.json());
  auto decision = f.one_of("decision", {"pass", "reject"});
  auto note = f.opt_str("note", {.max = 500, .required = decision == "reject"});
  f.done();

  std::string status = r[16].str();
  int64_t filed_by = r[17].i64();
  std::string_view stage;
  std::string_view next;
  std::string_view sql;
  std::optional<int64_t> previous;  // the previous stage's reviewer
  if (status == "submitted") {
    stage = "grassroots", next = "grassroots_reviewed", sql = kGrassroots;
  } else if (status == "grassroots_reviewed") {
    stage = "district", next = "district_reviewed", sql = kDistrict, previous = r[18].opt_i64();
  } else if (status == "district_reviewed") {
    stage = "approval", next = "approved", sql = kFinal, previous = r[19].opt_i64();
  } else {
    throw Error::conflict("relief.state",
                          "an application with status " + status + " is not waiting for a review");
  }
  if (who.account_id == filed_by)
    four_eyes("the account that filed an application cannot review it");
  if (previous && *previous == who.account_id)
    four_eyes(
        "the previous review stage was done by this account: another reviewer must take this "
        "stage");
  if (stage == "district") {
    auto o = org::find(tx, who.org_id);
    if (!o || !county_or_higher(o->level))
      throw Error{ErrorKind::forbidden, "relief.reviewer_level",
                  "the district review needs a reviewer at a county (district) union or higher"};
  }
  bool pass = decision == "pass";
  std::string new_status = pass ? std::string(next) : "rejected";
  int64_t now = db::now_ms();
  if (tx.exec(sql, {id, new_status, who.account_id, note, now}) != 1)
    throw Error::conflict("relief.state", "the application changed meanwhile; reload it");
  if (pass && stage == "approval") {
    int64_t aid = r[15].i64();
    if (aid > 0)
      ledger::post(
          tx,
          ledger::transfer("relief:" + std::to_string(r[1].i64()), "relief.approve",
                           "relief_application", id, "relief_expense", "relief_payable", aid),
          who.account_id);
  }
  audit_.append(tx, audit::Actor::of(&who),
                {"relief.review", "relief_application", std::to_string(id), "ok",
                 std::string(stage) + ": " + status + "->" + new_status, org_path});
  return http::Response::json(200, app_json(*find_app(tx, id)));
}

http::Response Routes::pay_batch(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  int64_t year = f.i64("year", kMinYear, kMaxYear);
  auto name = f.str("name", {.max = 100});
  f.done();
  auto apps = tx.query(kApproved, {year, who.org_path, modules::subtree_upper(who.org_path)});
  if (apps.empty())
    throw Error::conflict(
        "relief.nothing_to_pay",
        "no approved application of this year waits for payment in your organisation");
  int64_t amount = 0;
  for (const auto& a : apps) amount += a[1].i64();
  int64_t now = db::now_ms();
  int64_t batch_id =
      tx.query(kInsertBatch, {year, who.org_path, name, static_cast<int64_t>(apps.size()), amount,
                              who.account_id, now})[0][0]
          .i64();
  std::string fund = "relief:" + std::to_string(year);
  json::array ids;
  for (const auto& a : apps) {
    int64_t id = a[0].i64();
    if (tx.exec(kPay, {id, batch_id, now}) != 1)
      throw Error::conflict("relief.state", "an application changed meanwhile; try again");
    if (int64_t aid = a[1].i64(); aid > 0)
      ledger::post(tx,
                   ledger::transfer(fund, "relief.pay", "relief_application", id, "relief_payable",
                                    "bank", aid),
                   who.account_id);
    audit_.append(tx, audit::Actor::of(&who),
                  {"relief.pay", "relief_application", std::to_string(id), "ok",
                   "batch " + std::to_string(batch_id), a[2].str()});
    ids.push_back(id);
  }
  audit_.append(tx, audit::Actor::of(&who),
                {"relief.batch", "relief_batch", std::to_string(batch_id), "ok",
                 "year " + std::to_string(year) + ", " + std::to_string(apps.size()) +
                     " applications, " + std::to_string(amount) + " fen",
                 who.org_path});
  json::object out;
  out["id"] = batch_id;
  out["year"] = year;
  out["name"] = name;
  out["count"] = static_cast<int64_t>(apps.size());
  out["amount_fen"] = amount;
  out["paid_by"] = who.account_id;
  out["paid_at"] = iso_utc(now);
  out["application_ids"] = std::move(ids);
  return http::Response::json(201, out);
}

http::Response Routes::report(http::Ctx& ctx) {
  const auto& who = ctx.who();
  int64_t year = query_year(ctx.req, true);
  std::string upper = modules::subtree_upper(who.org_path);
  auto [total, regions] = store_.read([&](db::Tx& tx) {
    return std::pair{tx.query(kReportTotal, {year, who.org_path, upper}),
                     tx.query(kReportRegions, {year, who.org_path, upper})};
  });
  json::array by_region;
  for (const auto& row : regions) {
    json::object o;
    std::string code = row[0].str();
    auto region = Regions::instance().find(code);
    o["region_code"] = code;
    o["region_name"] = region ? region->name : "";
    o["people"] = row[1].i64();
    o["amount_fen"] = row[2].i64();
    o["applications"] = row[3].i64();
    by_region.push_back(std::move(o));
  }
  json::object out;
  out["year"] = year;
  out["people"] = total[0][0].i64();
  out["amount_fen"] = total[0][1].i64();
  out["applications"] = total[0][2].i64();
  out["by_region"] = std::move(by_region);
  return http::Response::json(200, out);
}

}  // namespace gh::relief
