#include "modules/aid/store.h"

#include <map>

#include "core/error.h"
#include "core/regions.h"
#include "modules/common.h"
#include "modules/ledger/ledger.h"

namespace gh::aid {
namespace {

namespace json = boost::json;

constexpr std::string_view kPeriod =
    "SELECT id, org_id, org_path, number, name, premium_fen, cap_fen, waiting_days, enrol_start, enrol_end, "
    "cover_start, cover_end, rules_version, created_at, updated_at FROM aid_periods WHERE id = $1";
constexpr std::string_view kRules = "SELECT rules FROM aid_rule_sets WHERE period_id = $1 AND version = $2";
constexpr std::string_view kEnrolment =
    "SELECT first_time, enrolled_on FROM aid_enrollments WHERE period_id = $1 AND member_id = $2";
constexpr std::string_view kOtherClaims =
    "SELECT admission, discharge, status, amount_fen FROM aid_claims "
    "WHERE period_id = $1 AND member_id = $2 AND id <> $3 AND status <> 'rejected'";
constexpr std::string_view kMarkPaid =
    "UPDATE aid_claims SET status = 'paid', paid_by = $2, paid_at = $3, updated_at = $3 "
    "WHERE id = $1 AND status = 'approved'";
constexpr std::string_view kOtherPaid =
    "SELECT 1 FROM aid_claims WHERE period_id = $1 AND member_id = $2 AND status = 'paid' AND id <> $3";
constexpr std::string_view kAddTotals =
    "INSERT INTO aid_unit_totals (period_id, unit_id, org_path, members, premium_fen, settlements, members_paid, "
    "payout_fen) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (period_id, unit_id) DO UPDATE SET "
    "members = aid_unit_totals.members + excluded.members, premium_fen = aid_unit_totals.premium_fen + "
    "excluded.premium_fen, settlements = aid_unit_totals.settlements + excluded.settlements, members_paid = "
    "aid_unit_totals.members_paid + excluded.members_paid, payout_fen = aid_unit_totals.payout_fen + excluded.payout_fen";
constexpr std::string_view kReportRows =
    "SELECT u.region_code, COUNT(*), SUM(t.members), SUM(t.premium_fen), SUM(t.settlements), SUM(t.members_paid), "
    "SUM(t.payout_fen) FROM aid_unit_totals t JOIN units u ON u.id = t.unit_id "
    "WHERE t.period_id = $1 AND t.org_path >= $2 AND t.org_path < $3 AND t.members > 0 GROUP BY u.region_code";

const std::string kClaimColumnsText =
    "c.id, c.period_id, c.member_id, c.unit_id, c.org_path, m.name, c.admission, c.discharge, c.hospital, "
    "c.diagnosis, c.disease_code, c.total_cost_fen, c.basic_paid_fen, c.critical_paid_fen, c.assistance_fen, "
    "c.self_paid_fen, c.documents, c.status, c.amount_fen, c.assessment, c.rules_version, c.filed_by, "
    "c.decided_by, c.decision_note, c.paid_by, c.paid_at, c.created_at, c.updated_at";

Date date_of(const db::Value& v) {
  auto d = Date::parse(v.str());
  if (!d) throw Error::internal("aid: bad date in the store");
  return *d;
}

}  // namespace

const std::string_view kClaimColumns = kClaimColumnsText;

Benefits load_benefits(db::Tx& tx, int64_t period_id, int64_t version) {
  auto r = tx.one(kRules, {period_id, version});
  if (!r) throw Error::internal("aid: rule set missing");
  const json::value none = json::object{};
  const json::value stored = json::parse((*r)[0].str());
  http::Fields f(none);
  auto b = read_benefits(stored, f);
  if (!b) throw Error::internal("aid: stored rule set does not validate");
  return *b;
}

std::optional<Period> find_period(db::Tx& tx, int64_t id) {
  auto r = tx.one(kPeriod, {id});
  if (!r) return std::nullopt;
  const auto& row = *r;
  Period p;
  p.id = row[0].i64();
  p.org_id = row[1].i64();
  p.org_path = row[2].str();
  p.number = row[3].i64();
  p.name = row[4].str();
  p.premium_fen = row[5].i64();
  p.cap_fen = row[6].i64();
  p.waiting_days = static_cast<int>(row[7].i64());
  p.enrol_start = date_of(row[8]);
  p.enrol_end = date_of(row[9]);
  p.cover_start = date_of(row[10]);
  p.cover_end = date_of(row[11]);
  p.rules_version = row[12].i64();
  p.created_at = row[13].i64();
  p.updated_at = row[14].i64();
  p.benefits = load_benefits(tx, p.id, p.rules_version);
  return p;
}

json::object period_json(const Period& p) {
  json::object o;
  o["id"] = p.id;
  o["org_id"] = p.org_id;
  o["number"] = p.number;
  o["name"] = p.name;
  o["premium_fen"] = p.premium_fen;
  o["cap_fen"] = p.cap_fen;
  o["waiting_days"] = p.waiting_days;
  o["enrol_start"] = p.enrol_start.iso();
  o["enrol_end"] = p.enrol_end.iso();
  o["cover_start"] = p.cover_start.iso();
  o["cover_end"] = p.cover_end.iso();
  o["rules_version"] = p.rules_version;
  o["rules"] = benefits_json(p.benefits);
  json::array text;
  for (auto& s : benefits_text(p.benefits)) text.emplace_back(s);
  o["rules_text"] = std::move(text);
  o["created_at"] = iso_utc(p.created_at);
  o["updated_at"] = iso_utc(p.updated_at);
  return o;
}

StoredClaim claim_from_row(const db::Row& r) {
  StoredClaim c;
  c.id = r[0].i64();
  c.period_id = r[1].i64();
  c.member_id = r[2].i64();
  c.unit_id = r[3].i64();
  c.org_path = r[4].str();
  c.member_name = r[5].str();
  c.facts.admission = date_of(r[6]);
  c.facts.discharge = date_of(r[7]);
  c.hospital = r[8].str();
  c.diagnosis = r[9].str();
  c.facts.disease_code = r[10].opt_str();
  c.total_cost_fen = r[11].i64();
  c.basic_paid_fen = r[12].i64();
  c.critical_paid_fen = r[13].i64();
  c.assistance_fen = r[14].i64();
  c.facts.self_paid_fen = r[15].i64();
  c.documents = r[16].str();
  const json::value docs = json::parse(c.documents);
  for (const auto& d : docs.as_array())
    if (const auto* k = d.as_object().if_contains("kind"); k && k->is_string())
      c.facts.document_kinds.emplace_back(k->as_string());
  c.status = r[17].str();
  c.amount_fen = r[18].i64();
  c.assessment = r[19].str();
  c.rules_version = r[20].i64();
  c.filed_by = r[21].i64();
  c.decided_by = r[22].is_null() ? 0 : r[22].i64();
  c.decision_note = r[23].opt_str();
  c.paid_by = r[24].is_null() ? 0 : r[24].i64();
  c.paid_at = r[25].is_null() ? 0 : r[25].i64();
  c.created_at = r[26].i64();
  c.updated_at = r[27].i64();
  return c;
}

std::optional<StoredClaim> find_claim(db::Tx& tx, int64_t id) {
  static const std::string sql =
      "SELECT " + kClaimColumnsText + " FROM aid_claims c JOIN members m ON m.id = c.member_id WHERE c.id = $1";
  auto r = tx.one(sql, {id});
  if (!r) return std::nullopt;
  return claim_from_row(*r);
}

json::object claim_json(const StoredClaim& c) {
  json::object o;
  o["id"] = c.id;
  o["period_id"] = c.period_id;
  o["member_id"] = c.member_id;
  o["member_name"] = c.member_name;
  o["unit_id"] = c.unit_id;
  o["admission"] = c.facts.admission.iso();
  o["discharge"] = c.facts.discharge.iso();
  o["hospital"] = c.hospital;
  o["diagnosis"] = c.diagnosis;
  o["disease_code"] = modules::opt_json(c.facts.disease_code);
  o["total_cost_fen"] = c.total_cost_fen;
  o["basic_paid_fen"] = c.basic_paid_fen;
  o["critical_paid_fen"] = c.critical_paid_fen;
  o["assistance_fen"] = c.assistance_fen;
  o["self_paid_fen"] = c.facts.self_paid_fen;
  o["documents"] = json::parse(c.documents);
  o["status"] = c.status;
  o["amount_fen"] = c.amount_fen;
  o["assessment"] = json::parse(c.assessment);
  o["rules_version"] = c.rules_version;
  o["filed_by"] = c.filed_by;
  o["decided_by"] = c.decided_by ? json::value(c.decided_by) : json::value(nullptr);
  o["decision_note"] = modules::opt_json(c.decision_note);
  o["paid_at"] = c.paid_at ? json::value(iso_utc(c.paid_at)) : json::value(nullptr);
  o["created_at"] = iso_utc(c.created_at);
  o["updated_at"] = iso_utc(c.updated_at);
  return o;
}

History history(db::Tx& tx, int64_t period_id, int64_t member_id, int64_t except_claim) {
  History h;
  if (auto e = tx.one(kEnrolment, {period_id, member_id})) {
    h.enrolled = true;
    h.first_time = (*e)[0].i64() != 0;
    h.enrolled_on = date_of((*e)[1]);
  }
  for (const auto& r : tx.query(kOtherClaims, {period_id, member_id, except_claim})) {
    h.stays.push_back({date_of(r[0]), date_of(r[1])});
    if (r[2].str() == "approved" || r[2].str() == "paid") h.used_fen += r[3].i64();
  }
  return h;
}

void add_enrolled(db::Tx& tx, int64_t period_id, int64_t unit_id, const std::string& org_path, int64_t members,
                  int64_t premium_fen) {
  tx.exec(kAddTotals, {period_id, unit_id, org_path, members, premium_fen, 0, 0, 0});
}

bool pay_claim(db::Tx& tx, const Period& period, const StoredClaim& claim, int64_t actor_id) {
  const int64_t now = db::now_ms();
  if (tx.exec(kMarkPaid, {claim.id, actor_id, now}) != 1) return false;
  ledger::post(tx,
               ledger::transfer(period.fund(), "aid.claim.pay", "aid_claim", claim.id, "claims_payable", "bank",
                                claim.amount_fen, "claim " + std::to_string(claim.id)),
               actor_id);
  const bool first_paid = !tx.one(kOtherPaid, {claim.period_id, claim.member_id, claim.id});
  tx.exec(kAddTotals, {claim.period_id, claim.unit_id, claim.org_path, 0, 0, 1, first_paid ? 1 : 0, claim.amount_fen});
  return true;
}

std::string usage_rate(int64_t payout_fen, int64_t premium_fen) {
  if (premium_fen <= 0) return "0.00";
  // Basis points, rounded half up: (2 × payout × 10000 + premium) / (2 × premium).
  // Amounts are at most 10^11 fen (validated), so nothing here overflows.
  const int64_t v = (payout_fen * 20000 + premium_fen) / (2 * premium_fen);
  std::string frac = std::to_string(v % 100);
  if (frac.size() < 2) frac.insert(0, "0");
  return std::to_string(v / 100) + "." + frac;
}

json::object figures_json(const Figures& f) {
  json::object o;
  o["units"] = f.units;
  o["members"] = f.members;
  o["premium_income_fen"] = f.premium_income_fen;
  o["settlements"] = f.settlements;
  o["members_paid"] = f.members_paid;
  o["payout_fen"] = f.payout_fen;
  o["average_payout_fen"] = f.settlements ? (f.payout_fen + f.settlements / 2) / f.settlements : 0;
  o["usage_rate"] = usage_rate(f.payout_fen, f.premium_income_fen);
  return o;
}

json::object report(db::Tx& tx, const Period& period, const std::string& org_path) {
  const std::string& from = modules::inner_path(org_path, period.org_path);
  Figures total;
  std::map<std::string, Figures> regions;  // by city-level region code
  for (const auto& r : tx.query(kReportRows, {period.id, from, modules::subtree_upper(from)})) {
    std::string code = r[0].str();
    if (code.size() == 6) code = code.substr(0, 4) + "00";
    Figures& g = regions[code];
    for (Figures* x : {&g, &total}) {
      x->units += r[1].i64();
      x->members += r[2].i64();
      x->premium_income_fen += r[3].i64();
      x->settlements += r[4].i64();
      x->members_paid += r[5].i64();
      x->payout_fen += r[6].i64();
    }
  }
  json::object o = figures_json(total);
  o["period_id"] = period.id;
  json::array by_region;
  for (const auto& [code, g] : regions) {
    json::object j = figures_json(g);
    j["region_code"] = code;
    auto reg = Regions::instance().find(code);
    j["region_name"] = reg ? reg->name : code;
    by_region.push_back(std::move(j));
  }
  o["by_region"] = std::move(by_region);
  return o;
}

}  // namespace gh::aid
