#include "modules/aid/routes.h"

#include <set>
#include <unordered_set>

#include "modules/common.h"
#include "modules/aid/operations.h"
#include "modules/aid/store.h"
#include "modules/ledger/ledger.h"
#include "modules/member/store.h"
#include "modules/org/store.h"
#include "modules/unit/store.h"

namespace gh::aid {
namespace {

using http::Method;
using auth::Perm;
namespace json = boost::json;

constexpr int64_t kMaxFen = 100'000'000'000;
constexpr size_t kMaxEnrolIds = 5000;

constexpr std::string_view kInsertRules =
    "INSERT INTO aid_rule_sets (period_id, version, rules, created_by, created_at) VALUES ($1, $2, $3, $4, $5)";
constexpr std::string_view kBumpRules = "UPDATE aid_periods SET rules_version = $2, updated_at = $3 WHERE id = $1";
constexpr std::string_view kRuleVersions =
    "SELECT version, created_by, created_at FROM aid_rule_sets WHERE period_id = $1 ORDER BY version";
constexpr std::string_view kCorrectClaim =
    "UPDATE aid_claims SET admission = $2, discharge = $3, hospital = $4, diagnosis = $5, disease_code = $6, "
    "total_cost_fen = $7, basic_paid_fen = $8, critical_paid_fen = $9, assistance_fen = $10, self_paid_fen = $11, "
    "documents = $12, status = 'submitted', amount_fen = $13, assessment = $14, rules_version = $15, "
    "updated_at = $16 WHERE id = $1 AND status = 'returned'";
constexpr std::string_view kApprovedIds =
    "SELECT id FROM aid_claims WHERE period_id = $1 AND status = 'approved' AND org_path >= $2 AND org_path < $3 "
    "ORDER BY id";
constexpr std::string_view kUnitTotals =
    "SELECT t.unit_id, u.name, u.region_code, t.members, t.premium_fen, t.settlements, t.members_paid, t.payout_fen "
    "FROM aid_unit_totals t JOIN units u ON u.id = t.unit_id";
constexpr std::string_view kMyEnrolments =
    "SELECT e.period_id, p.number, p.name, p.cover_start, p.cover_end, e.premium_fen, e.enrolled_on "
    "FROM aid_enrollments e JOIN aid_periods p ON p.id = e.period_id WHERE e.member_id = $1 ORDER BY e.period_id DESC";

// Staff see a period run by their org, by an org above it, or inside their subtree.
bool sees_period(const auth::Principal& who, const Period& p) { return modules::covers_or_within(who, p.org_path); }

Period visible_period(db::Tx& tx, const auth::Principal& who, int64_t id) {
  auto p = find_period(tx, id);
  if (!p) throw Error::not_found("period");
  if (!sees_period(who, *p)) throw Error::out_of_scope("period");
  return *p;
}

// A period named in a body: unknown (or invisible) is a 422 on the field.
Period period_field(db::Tx& tx, const auth::Principal& who, int64_t id, bool member_ok) {
  auto p = id > 0 ? find_period(tx, id) : std::nullopt;
  if (!p || (!member_ok && !sees_period(who, *p)))
    throw Error::invalid("period_id", "period_id.unknown", "no mutual-aid period with this id");
  return *p;
}

std::optional<Date> date_field(http::Fields& f, std::string_view name) {
  auto s = f.str(name, {.max = 10});
  if (s.empty()) return std::nullopt;
  auto d = Date::parse(s);
  if (!d) f.add(std::string(name), std::string(name) + ".format", std::string(name) + " must be a date YYYY-MM-DD");
  return d;
}

int64_t fen(http::Fields& f, std::string_view name) { return f.i64(name, 0, kMaxFen); }


ClaimInput read_claim(http::Fields& f) {
  ClaimInput in;
  auto adm = date_field(f, "admission");
  auto dis = date_field(f, "discharge");
  in.hospital = f.str("hospital", {.max = 100});
  in.diagnosis = f.str("diagnosis", {.max = 200});
  in.facts.disease_code = f.opt_str("disease_code", {.max = 20, .required = false});
  in.total = fen(f, "total_cost_fen");
  in.basic = fen(f, "basic_paid_fen");
  in.critical = fen(f, "critical_paid_fen");
  in.assistance = fen(f, "assistance_fen");
  in.facts.self_paid_fen = fen(f, "self_paid_fen");
  if (adm && dis) {
    in.facts.admission = *adm;
    in.facts.discharge = *dis;
    if (*dis < *adm)
      f.add("discharge", "discharge.before_admission", "discharge must not be before admission");
  }
  if (f.ok() && in.basic + in.critical + in.assistance + in.facts.self_paid_fen > in.total)
    f.add("total_cost_fen", "amounts.inconsistent",
          "basic insurance + critical-illness insurance + medical assistance + self-paid exceed the total cost");
  if (const auto* docs = f.raw("documents")) {
    if (!docs->is_array() || docs->as_array().size() > 50) {
      f.add("documents", "documents.type", "documents must be an array of at most 50 {kind, name} objects");
    } else {
      for (size_t i = 0; i < docs->as_array().size(); ++i) {
        http::Fields d(docs->as_array()[i], "documents[" + std::to_string(i) + "].");
        auto kind = d.str("kind", {.max = 40});
        auto name = d.str("name", {.max = 200});
        auto size = d.opt_i64("size", 0, 100'000'000);
        for (const auto& e : d.errors()) f.add(e);
        if (d.ok()) {
          json::object doc{{"kind", kind}, {"name", name}};
          if (size) doc["size"] = *size;
          in.facts.document_kinds.push_back(kind);
          in.documents.push_back(std::move(doc));
        }
      }
    }
  }
  return in;
}

std::string note_of(http::Fields& f, bool required) {
  return f.opt_str("note", {.min = 2, .max = 500, .required = required}).value_or("");
}

int64_t actor(const auth::Principal& who) { return who.account_id; }

void require_claim_scope(const auth::Principal& who, const StoredClaim& c) {
  if (who.kind == auth::PrincipalKind::member) {
    if (who.member_id != c.member_id) throw Error::not_found("claim");
    return;
  }
  modules::require_scope(who, c.org_path, "claim");
}

}  // namespace

void Routes::mount(http::Router& r) {
  auto staff = [](Perm p, bool idempotent = false) {
    return http::RouteOptions{.auth = http::AuthMode::staff, .perm = p, .idempotent = idempotent};
  };
  r.add_tx(Method::post, "/api/v1/mutual-aid/periods", staff(Perm::fund_manage, true),
           [this](http::Ctx& c, db::Tx& tx) { return create_period(c, tx); });
  r.add(Method::get, "/api/v1/mutual-aid/periods", staff(Perm::fund_read), [this](http::Ctx& c) { return list_periods(c); });
  r.add(Method::get, "/api/v1/mutual-aid/periods/{id}", staff(Perm::fund_read),
        [this](http::Ctx& c) { return get_period(c); });
  r.add_tx(Method::put, "/api/v1/mutual-aid/periods/{id}/rules", staff(Perm::fund_manage),
           [this](http::Ctx& c, db::Tx& tx) { return put_rules(c, tx); });
  r.add_tx(Method::post, "/api/v1/mutual-aid/periods/{id}/enrollments", staff(Perm::fund_enrol, true),
           [this](http::Ctx& c, db::Tx& tx) { return enrol(c, tx); });
  r.add(Method::get, "/api/v1/mutual-aid/periods/{id}/enrollments", staff(Perm::fund_read),
        [this](http::Ctx& c) { return list_enrollments(c); });
  r.add(Method::get, "/api/v1/mutual-aid/periods/{id}/report", staff(Perm::fund_read),
        [this](http::Ctx& c) { return report(c); });
  r.add(Method::get, "/api/v1/mutual-aid/periods/{id}/report/units", staff(Perm::fund_read),
        [this](http::Ctx& c) { return report_units(c); });
  r.add_tx(Method::post, "/api/v1/mutual-aid/claims", {.auth = http::AuthMode::session, .idempotent = true},
           [this](http::Ctx& c, db::Tx& tx) { return file_claim(c, tx); });
  r.add(Method::get, "/api/v1/mutual-aid/claims", staff(Perm::fund_read), [this](http::Ctx& c) { return list_claims(c); });
  r.add(Method::get, "/api/v1/mutual-aid/claims/{id}", {.auth = http::AuthMode::session},
        [this](http::Ctx& c) { return get_claim(c); });
  r.add_tx(Method::patch, "/api/v1/mutual-aid/claims/{id}", {.auth = http::AuthMode::session},
           [this](http::Ctx& c, db::Tx& tx) { return correct_claim(c, tx); });
  r.add_tx(Method::post, "/api/v1/mutual-aid/claims/{id}/approve", staff(Perm::claim_review, true),
           [this](http::Ctx& c, db::Tx& tx) { return decide(c, tx, "approve"); });
  r.add_tx(Method::post, "/api/v1/mutual-aid/claims/{id}/reject", staff(Perm::claim_review, true),
           [this](http::Ctx& c, db::Tx& tx) { return decide(c, tx, "reject"); });
  r.add_tx(Method::post, "/api/v1/mutual-aid/claims/{id}/return", staff(Perm::claim_review, true),
           [this](http::Ctx& c, db::Tx& tx) { return decide(c, tx, "return"); });
  r.add_tx(Method::post, "/api/v1/mutual-aid/claims/{id}/pay", staff(Perm::fund_pay, true),
           [this](http::Ctx& c, db::Tx& tx) { return pay(c, tx); });
  r.add_tx(Method::post, "/api/v1/mutual-aid/payments", staff(Perm::fund_pay, true),
           [this](http::Ctx& c, db::Tx& tx) { return pay_batch(c, tx); });
  r.add(Method::get, "/api/v1/me/mutual-aid", {.auth = http::AuthMode::member}, [this](http::Ctx& c) { return mine(c); });
}

http::Response Routes::create_period(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  const int64_t org_id = f.id("org_id");
  const int64_t number = f.i64("number", 1, 9999);
  auto name = f.str("name", {.max = 100});
  const int64_t premium = f.opt_i64("premium_fen", 1, kMaxFen).value_or(10000);
  const int64_t cap = f.opt_i64("cap_fen", 1, kMaxFen).value_or(20'000'000);
  const int64_t waiting = f.opt_i64("waiting_days", 0, 366).value_or(0);
  auto es = date_field(f, "enrol_start"), ee = date_field(f, "enrol_end");
  auto cs = date_field(f, "cover_start"), ce = date_field(f, "cover_end");
  if (es && ee && *ee < *es) f.add("enrol_end", "enrol_end.before_start", "enrol_end must not be before enrol_start");
  if (cs && ce && *ce < *cs) f.add("cover_end", "cover_end.before_start", "cover_end must not be before cover_start");
  std::optional<Benefits> benefits;
  if (const auto* rules = f.raw("rules")) benefits = read_benefits(*rules, f);
  else f.add("rules", "rules.required", "rules is required");
  f.done();

  auto org = org::find(tx, org_id);
  if (!org) throw Error::invalid("org_id", "org_id.unknown", "no org with this id");
  modules::require_scope(who, org->path, "org");
  const int64_t id = aid::create_period(
      tx, audit_, who, *org, {number, name, premium, cap, waiting, *es, *ee, *cs, *ce, std::move(*benefits)});
  return http::Response::json(201, period_json(*find_period(tx, id)));
}

http::Response Routes::list_periods(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  std::vector<db::Value> params;
  std::string where = " FROM aid_periods WHERE " + modules::covering_paths_sql("org_path", who.org_path, true, params);
  if (int64_t org = modules::query_id(ctx.req, "org_id")) {
    params.emplace_back(org);
    where += " AND org_id = $" + std::to_string(params.size());
  }
  auto [rows, total] = modules::paged(store_, "id", where, params, "id DESC", page);
  json::array items;
  store_.read([&](db::Tx& tx) {
    for (const auto& r : rows) {
      auto p = find_period(tx, r[0].i64());
      json::object o = period_json(*p);
      o.erase("rules");
      items.push_back(std::move(o));
    }
  });
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::get_period(http::Ctx& ctx) {
  const auto& who = ctx.who();
  return store_.read([&](db::Tx& tx) {
    auto p = visible_period(tx, who, ctx.id_param());
    json::object o = period_json(p);
    json::array versions;
    for (const auto& r : tx.query(kRuleVersions, {p.id}))
      versions.push_back({{"version", r[0].i64()},
                          {"created_by", r[1].is_null() ? json::value(nullptr) : json::value(r[1].i64())},
                          {"created_at", iso_utc(r[2].i64())}});
    o["rule_versions"] = std::move(versions);
    return http::Response::json(200, o);
  });
}

http::Response Routes::put_rules(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto p = visible_period(tx, who, ctx.id_param());
  modules::require_scope(who, p.org_path, "period");
  http::Fields f(ctx.json());
  std::optional<Benefits> benefits;
  if (const auto* rules = f.raw("rules")) benefits = read_benefits(*rules, f);
  else f.add("rules", "rules.required", "rules is required");
  f.done();
  const int64_t version = p.rules_version + 1, now = db::now_ms();
  tx.exec(kInsertRules, {p.id, version, json::serialize(benefits_json(*benefits)), actor(who), now});
  tx.exec(kBumpRules, {p.id, version, now});
  audit_.append(tx, audit::Actor::of(&who),
                {"aid.rules.update", "aid_period", std::to_string(p.id), "ok", "version " + std::to_string(version),
                 p.org_path});
  return http::Response::json(200, period_json(*find_period(tx, p.id)));
}

http::Response Routes::enrol(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto p = visible_period(tx, who, ctx.id_param());
  http::Fields f(ctx.json());
  const int64_t unit_id = f.id("unit_id");
  std::optional<std::set<int64_t>> wanted;
  if (const auto* ids = f.raw("member_ids")) {
    if (!ids->is_array() || ids->as_array().size() > kMaxEnrolIds) {
      f.add("member_ids", "member_ids.type", "member_ids must be an array of at most 5000 member ids");
    } else {
      wanted.emplace();
      for (const auto& v : ids->as_array()) {
        if (!v.is_int64() || v.as_int64() <= 0) {
          f.add("member_ids", "member_ids.type", "member_ids must hold positive integer ids");
          break;
        }
        wanted->insert(v.as_int64());
      }
    }
  }
  f.done();
  auto unit = unit::find(tx, unit_id);
  if (!unit || !who.in_scope(unit->org_path) || !unit->org_path.starts_with(p.org_path))
    throw Error::invalid("unit_id", "unit_id.unknown", "no unit with this id in your organisation and this period");
  const Date today = Date::today_shanghai();
  if (today < p.enrol_start || today > p.enrol_end)
    throw Error::invalid("period_id", "period.enrolment_closed",
                         "enrolment for this period is open from " + p.enrol_start.iso() + " to " + p.enrol_end.iso());

  auto res = aid::enrol(tx, audit_, who, p, *unit, wanted, today);
  json::array skipped;
  for (const auto& [id, code] : res.skipped) skipped.push_back({{"member_id", id}, {"code", code}});
  json::object out;
  out["enrolled"] = res.enrolled;
  out["premium_fen"] = res.premium_fen;
  out["skipped"] = std::move(skipped);
  return http::Response::json(200, out);
}

http::Response Routes::list_enrollments(http::Ctx& ctx) {
  const auto& who = ctx.who();
  const int64_t id = ctx.id_param();
  auto p = store_.read([&](db::Tx& tx) { return visible_period(tx, who, id); });
  auto page = http::page_from(ctx.req);
  const std::string& from = modules::inner_path(who.org_path, p.org_path);
  std::vector<db::Value> params{p.id, from, modules::subtree_upper(from)};
  std::string where =
      " FROM aid_enrollments e JOIN members m ON m.id = e.member_id WHERE e.period_id = $1 AND e.org_path >= $2 AND "
      "e.org_path < $3";
  if (int64_t unit = modules::query_id(ctx.req, "unit_id")) {
    params.emplace_back(unit);
    where += " AND e.unit_id = $" + std::to_string(params.size());
  }
  auto [rows, total] = modules::paged(
      store_, "e.id, e.member_id, m.name, e.unit_id, e.premium_fen, e.first_time, e.enrolled_on", where, params,
      "e.id", page);
  json::array items;
  for (const auto& r : rows)
    items.push_back({{"id", r[0].i64()},
                     {"member_id", r[1].i64()},
                     {"member_name", r[2].str()},
                     {"unit_id", r[3].i64()},
                     {"premium_fen", r[4].i64()},
                     {"first_time", r[5].i64() != 0},
                     {"enrolled_on", r[6].str()}});
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::file_claim(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  const bool member = who.kind == auth::PrincipalKind::member;
  if (!member && !who.can(Perm::claim_file)) throw Error::forbidden("filing claims needs claim.file");
  http::Fields f(ctx.json());
  const int64_t period_id = f.id("period_id");
  int64_t member_id = member ? who.member_id : f.id("member_id");
  ClaimInput in = read_claim(f);
  f.done();
  auto p = period_field(tx, who, period_id, member);
  auto m = member::find(tx, member_id);
  if (!m || (!member && !who.in_scope(m->org_path)))
    throw Error::invalid("member_id", "member_id.unknown", "no member with this id in your organisation");
  if (!m->org_path.starts_with(p.org_path))
    throw Error::invalid("period_id", "period_id.unknown", "this period does not cover the member's union");

  const int64_t id = aid::file_claim(tx, audit_, who, p, *m, in);
  return http::Response::json(201, claim_json(*find_claim(tx, id)));
}

http::Response Routes::correct_claim(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  if (who.kind == auth::PrincipalKind::staff && !who.can(Perm::claim_file))
    throw Error::forbidden("correcting claims needs claim.file");
  auto c = find_claim(tx, ctx.id_param());
  if (!c) throw Error::not_found("claim");
  require_claim_scope(who, *c);
  http::Fields f(ctx.json());
  ClaimInput in = read_claim(f);
  f.done();
  if (c->status != "returned")
    throw Error::conflict("claim.state", "only a claim returned for more documents can be corrected (it is " +
                                             c->status + ")");
  auto p = *find_period(tx, c->period_id);
  auto a = assess(in.facts, p.rules(), history(tx, p.id, c->member_id, c->id));
  tx.exec(kCorrectClaim, {c->id, in.facts.admission.iso(), in.facts.discharge.iso(), in.hospital, in.diagnosis,
                          in.facts.disease_code, in.total, in.basic, in.critical, in.assistance, in.facts.self_paid_fen,
                          json::serialize(in.documents), a.amount_fen, json::serialize(assessment_json(a, p.benefits)),
                          p.rules_version, db::now_ms()});
  audit_.append(tx, audit::Actor::of(&who),
                {"aid.claim.correct", "aid_claim", std::to_string(c->id), "ok", std::string(outcome_name(a.outcome)),
                 c->org_path});
  return http::Response::json(200, claim_json(*find_claim(tx, c->id)));
}

http::Response Routes::decide(http::Ctx& ctx, db::Tx& tx, std::string_view decision) {
  const auto& who = ctx.who();
  auto c = find_claim(tx, ctx.id_param());
  if (!c) throw Error::not_found("claim");
  require_claim_scope(who, *c);
  http::Fields f(ctx.json());
  auto note = note_of(f, decision != "approve");
  f.done();
  aid::decide(tx, audit_, who, *c, decision, note);
  return http::Response::json(200, claim_json(*find_claim(tx, c->id)));
}

http::Response Routes::pay(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  auto c = find_claim(tx, ctx.id_param());
  if (!c) throw Error::not_found("claim");
  require_claim_scope(who, *c);
  auto p = *find_period(tx, c->period_id);
  if (c->status != "approved" || !pay_claim(tx, p, *c, actor(who)))
    throw Error::conflict("claim.state", "only an approved claim can be paid (it is " + c->status + ")");
  audit_.append(tx, audit::Actor::of(&who),
                {"aid.claim.pay", "aid_claim", std::to_string(c->id), "ok", std::to_string(c->amount_fen), c->org_path});
  return http::Response::json(200, claim_json(*find_claim(tx, c->id)));
}

http::Response Routes::pay_batch(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  const int64_t period_id = f.id("period_id");
  std::vector<int64_t> ids;
  bool listed = false;
  if (const auto* v = f.raw("claim_ids")) {
    listed = true;
    if (!v->is_array() || v->as_array().size() > 10000) {
      f.add("claim_ids", "claim_ids.type", "claim_ids must be an array of at most 10000 claim ids");
    } else {
      for (const auto& x : v->as_array()) {
        if (!x.is_int64() || x.as_int64() <= 0) {
          f.add("claim_ids", "claim_ids.type", "claim_ids must hold positive integer ids");
          break;
        }
        ids.push_back(x.as_int64());
      }
    }
  }
  f.done();
  auto p = period_field(tx, who, period_id, false);
  if (!listed) {
    const std::string& from = modules::inner_path(who.org_path, p.org_path);
    for (const auto& r : tx.query(kApprovedIds, {p.id, from, modules::subtree_upper(from)})) ids.push_back(r[0].i64());
  }
  int64_t paid = 0, amount = 0;
  json::array skipped;
  for (int64_t id : ids) {
    auto c = find_claim(tx, id);
    if (!c || c->period_id != p.id || !who.in_scope(c->org_path)) {
      skipped.push_back({{"claim_id", id}, {"code", "claim.unknown"}});
      continue;
    }
    if (c->status != "approved" || !pay_claim(tx, p, *c, actor(who))) {
      skipped.push_back({{"claim_id", id}, {"code", "claim.state"}, {"status", c->status}});
      continue;
    }
    ++paid;
    amount += c->amount_fen;
  }
  audit_.append(tx, audit::Actor::of(&who),
                {"aid.payment", "aid_period", std::to_string(p.id), "ok",
                 "{\"paid\":" + std::to_string(paid) + ",\"amount_fen\":" + std::to_string(amount) + "}", who.org_path});
  json::object out;
  out["paid"] = paid;
  out["amount_fen"] = amount;
  out["skipped"] = std::move(skipped);
  return http::Response::json(200, out);
}

http::Response Routes::list_claims(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  std::vector<db::Value> params{who.org_path, modules::subtree_upper(who.org_path)};
  std::string where = " FROM aid_claims c JOIN members m ON m.id = c.member_id WHERE c.org_path >= $1 AND c.org_path < $2";
  auto add = [&](std::string cond, db::Value v) {
    params.push_back(std::move(v));
    where += " AND " + cond + " $" + std::to_string(params.size());
  };
  if (int64_t period = modules::query_id(ctx.req, "period_id")) add("c.period_id =", period);
  if (int64_t member = modules::query_id(ctx.req, "member_id")) add("c.member_id =", member);
  if (int64_t unit = modules::query_id(ctx.req, "unit_id")) add("c.unit_id =", unit);
  if (auto s = ctx.req.query_param("status"); s && !s->empty()) {
    static const std::set<std::string, std::less<>> kStatuses{"submitted", "returned", "approved", "rejected", "paid"};
    if (!kStatuses.contains(*s))
      throw Error::invalid("status", "status.one_of", "status must be one of submitted, returned, approved, rejected, paid");
    add("c.status =", std::string(*s));
  }
  auto [rows, total] = modules::paged(store_, kClaimColumns, where, params, "c.id DESC", page);
  json::array items;
  for (const auto& r : rows) items.push_back(claim_json(claim_from_row(r)));
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::get_claim(http::Ctx& ctx) {
  const auto& who = ctx.who();
  if (who.kind == auth::PrincipalKind::staff && !who.can(Perm::fund_read)) throw Error::forbidden("needs fund.read");
  return store_.read([&](db::Tx& tx) {
    auto c = find_claim(tx, ctx.id_param());
    if (!c) throw Error::not_found("claim");
    require_claim_scope(who, *c);
    return http::Response::json(200, claim_json(*c));
  });
}

http::Response Routes::report(http::Ctx& ctx) {
  const auto& who = ctx.who();
  return store_.read([&](db::Tx& tx) {
    auto p = visible_period(tx, who, ctx.id_param());
    return http::Response::json(200, aid::report(tx, p, who.org_path));
  });
}

http::Response Routes::report_units(http::Ctx& ctx) {
  const auto& who = ctx.who();
  const int64_t id = ctx.id_param();
  auto p = store_.read([&](db::Tx& tx) { return visible_period(tx, who, id); });
  auto page = http::page_from(ctx.req, 1000);
  const std::string& from = modules::inner_path(who.org_path, p.org_path);
  std::vector<db::Value> params{p.id, from, modules::subtree_upper(from)};
  std::string sql(kUnitTotals);
  std::string where = sql.substr(sql.find(" FROM")) +
                      " WHERE t.period_id = $1 AND t.org_path >= $2 AND t.org_path < $3 AND t.members > 0";
  auto [rows, total] = modules::paged(store_, sql.substr(7, sql.find(" FROM") - 7), where, params, "t.unit_id", page);
  json::array items;
  for (const auto& r : rows) {
    Figures fig{1, r[3].i64(), r[4].i64(), r[5].i64(), r[6].i64(), r[7].i64()};
    json::object o = figures_json(fig);
    o.erase("units");
    o["unit_id"] = r[0].i64();
    o["unit_name"] = r[1].str();
    o["region_code"] = r[2].str();
    items.push_back(std::move(o));
  }
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::mine(http::Ctx& ctx) {
  const auto& who = ctx.who();
  return store_.read([&](db::Tx& tx) {
    json::array enrolments, claims;
    for (const auto& r : tx.query(kMyEnrolments, {who.member_id}))
      enrolments.push_back({{"period_id", r[0].i64()},
                            {"number", r[1].i64()},
                            {"name", r[2].str()},
                            {"cover_start", r[3].str()},
                            {"cover_end", r[4].str()},
                            {"premium_fen", r[5].i64()},
                            {"enrolled_on", r[6].str()}});
    static const std::string sql = "SELECT " + std::string(kClaimColumns) +
                                   " FROM aid_claims c JOIN members m ON m.id = c.member_id WHERE c.member_id = $1 "
                                   "ORDER BY c.id DESC LIMIT 100";
    for (const auto& r : tx.query(sql, {who.member_id})) claims.push_back(claim_json(claim_from_row(r)));
    json::object out;
    out["enrollments"] = std::move(enrolments);
    out["claims"] = std::move(claims);
    return http::Response::json(200, out);
  });
}

}  // namespace gh::aid
