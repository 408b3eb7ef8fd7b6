#include "modules/aid/operations.h"

#include <unordered_set>

#include "core/error.h"
#include "modules/ledger/ledger.h"

namespace gh::aid {
namespace {

namespace json = boost::json;

constexpr std::string_view kInsertPeriod =
    "INSERT INTO aid_periods (org_id, org_path, number, name, premium_fen, cap_fen, waiting_days, enrol_start, "
    "enrol_end, cover_start, cover_end, rules_version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
    "$8, $9, $10, $11, 1, $12, $12) RETURNING id";
constexpr std::string_view kPeriodNumberTaken = "SELECT 1 FROM aid_periods WHERE org_id = $1 AND number = $2";
constexpr std::string_view kInsertRules =
    "INSERT INTO aid_rule_sets (period_id, version, rules, created_by, created_at) VALUES ($1, $2, $3, $4, $5)";
constexpr std::string_view kUnitMembers =
    "SELECT id, status, employment_status FROM members WHERE unit_id = $1 ORDER BY id";
constexpr std::string_view kEnrolledInUnit =
    "SELECT e.member_id FROM aid_enrollments e JOIN members m ON m.id = e.member_id "
    "WHERE e.period_id = $1 AND m.unit_id = $2";
constexpr std::string_view kPreviousPeriod = "SELECT id FROM aid_periods WHERE org_id = $1 AND number = $2";
constexpr std::string_view kInsertEnrolment =
    "INSERT INTO aid_enrollments (period_id, member_id, unit_id, org_path, premium_fen, first_time, enrolled_on, "
    "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
constexpr std::string_view kInsertClaim =
    "INSERT INTO aid_claims (period_id, member_id, unit_id, org_path, admission, discharge, hospital, diagnosis, "
    "disease_code, total_cost_fen, basic_paid_fen, critical_paid_fen, assistance_fen, self_paid_fen, documents, "
    "status, amount_fen, assessment, rules_version, filed_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
    "$6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'submitted', $16, $17, $18, $19, $20, $20) RETURNING id";
constexpr std::string_view kDecide =
    "UPDATE aid_claims SET status = $2, amount_fen = $3, assessment = $4, rules_version = $5, decided_by = $6, "
    "decision_note = $7, updated_at = $8 WHERE id = $1 AND status = 'submitted'";

int64_t actor(const auth::Principal& who) { return who.account_id; }

}  // namespace

int64_t create_period(db::Tx& tx, const audit::Audit& audit, const auth::Principal& who, const org::Org& org,
                      const PeriodInput& in) {
  if (tx.one(kPeriodNumberTaken, {org.id, in.number}))
    throw Error{ErrorKind::conflict, "period.duplicate", "this org already has a period with this number",
                {{"number", "number.duplicate", "this org already has a period with this number"}}};
  const int64_t now = db::now_ms();
  const int64_t id = tx.one(kInsertPeriod, {org.id, org.path, in.number, in.name, in.premium_fen, in.cap_fen,
                                            in.waiting_days, in.enrol_start.iso(), in.enrol_end.iso(),
                                            in.cover_start.iso(), in.cover_end.iso(), now})
                         ->at(0)
                         .i64();
  tx.exec(kInsertRules, {id, int64_t{1}, json::serialize(benefits_json(in.benefits)), actor(who), now});
  audit.append(tx, audit::Actor::of(&who),
               {"aid.period.create", "aid_period", std::to_string(id), "ok", "number " + std::to_string(in.number),
                org.path});
  return id;
}

EnrolResult enrol(db::Tx& tx, const audit::Audit& audit, const auth::Principal& who, const Period& p,
                  const unit::Unit& unit, const std::optional<std::set<int64_t>>& wanted, Date today) {
  const int64_t unit_id = unit.id;
  EnrolResult res;
  auto skip = [&](int64_t id, std::string code) { res.skipped.emplace_back(id, std::move(code)); };
  std::unordered_set<int64_t> enrolled, previous;
  for (const auto& r : tx.query(kEnrolledInUnit, {p.id, unit_id})) enrolled.insert(r[0].i64());
  if (auto prev = tx.one(kPreviousPeriod, {p.org_id, p.number - 1}))
    for (const auto& r : tx.query(kEnrolledInUnit, {(*prev)[0].i64(), unit_id})) previous.insert(r[0].i64());

  int64_t count = 0, first_id = 0;
  const int64_t now = db::now_ms();
  std::set<int64_t> seen;
  for (const auto& r : tx.query(kUnitMembers, {unit_id})) {
    const int64_t id = r[0].i64();
    if (wanted && !wanted->contains(id)) continue;
    seen.insert(id);
    if (enrolled.contains(id)) {
      if (wanted) skip(id, "enrollment.exists");
      continue;
    }
    if (r[1].str() != "active" || r[2].str() != "in_service") {
      if (wanted) skip(id, "member.not_eligible");
      continue;
    }
    const int64_t eid = tx.one(kInsertEnrolment, {p.id, id, unit_id, unit.org_path, p.premium_fen,
                                                  int64_t{previous.contains(id) ? 0 : 1}, today.iso(), actor(who),
                                                  now})->at(0).i64();
    if (!first_id) first_id = eid;
    ++count;
  }
  if (wanted)
    for (int64_t id : *wanted)
      if (!seen.contains(id)) skip(id, "member.not_in_unit");
  const int64_t premium = count * p.premium_fen;
  if (count > 0) {
    add_enrolled(tx, p.id, unit_id, unit.org_path, count, premium);
    ledger::post(tx,
                 ledger::transfer(p.fund(), "aid.premium", "aid_enrollment", first_id, "bank", "premium_income", premium,
                                  std::to_string(count) + " members of unit " + std::to_string(unit_id)),
                 actor(who));
  }
  audit.append(tx, audit::Actor::of(&who),
                {"aid.enrol", "aid_period", std::to_string(p.id), "ok",
                 "{\"unit_id\":" + std::to_string(unit_id) + ",\"enrolled\":" + std::to_string(count) + "}",
                 unit.org_path});
  res.enrolled = count;
  res.premium_fen = premium;
  return res;
}

int64_t file_claim(db::Tx& tx, const audit::Audit& audit, const auth::Principal& who, const Period& p,
                   const member::Member& member, const ClaimInput& in) {
  const member::Member* m = &member;
  auto a = assess(in.facts, p.rules(), history(tx, p.id, m->id, 0));
  const int64_t now = db::now_ms();
  const int64_t id =
      tx.one(kInsertClaim,
             {p.id, m->id, m->unit_id, m->org_path, in.facts.admission.iso(), in.facts.discharge.iso(), in.hospital,
              in.diagnosis, in.facts.disease_code, in.total, in.basic, in.critical, in.assistance, in.facts.self_paid_fen,
              json::serialize(in.documents), a.amount_fen, json::serialize(assessment_json(a, p.benefits)),
              p.rules_version, actor(who), now})
          ->at(0)
          .i64();
  audit.append(tx, audit::Actor::of(&who),
                {"aid.claim.file", "aid_claim", std::to_string(id), "ok",
                 std::string(outcome_name(a.outcome)) + " " + std::to_string(a.amount_fen), m->org_path});
  return id;
}

void decide(db::Tx& tx, const audit::Audit& audit, const auth::Principal& who, const StoredClaim& claim,
            std::string_view decision, const std::string& note) {
  const StoredClaim* c = &claim;
  if (c->status != "submitted")
    throw Error::conflict("claim.state", "only a submitted claim can be decided (it is " + c->status + ")");
  if (c->filed_by == who.account_id)
    throw Error{ErrorKind::forbidden, "claim.four_eyes", "a claim must be decided by someone other than its filer"};
  auto p = *find_period(tx, c->period_id);
  std::string status = decision == "approve" ? "approved" : decision == "reject" ? "rejected" : "returned";
  int64_t amount = c->amount_fen;
  std::string assessment = c->assessment;
  int64_t version = c->rules_version;
  if (decision == "approve") {
    // Re-assessed against the history as it is now (another claim may have
    // used up the cap since this one was filed).
    auto a = assess(c->facts, p.rules(), history(tx, p.id, c->member_id, c->id));
    if (a.outcome != Outcome::pay) {
      std::vector<FieldError> errs;
      for (auto r : a.reasons) errs.push_back({"claim", std::string(r), "the assessment does not allow payment: " + std::string(r)});
      throw Error{ErrorKind::unprocessable, "claim.not_payable", "the claim's assessment does not allow payment",
                  std::move(errs)};
    }
    amount = a.amount_fen;
    assessment = json::serialize(assessment_json(a, p.benefits));
    version = p.rules_version;
  } else if (decision == "reject") {
    amount = 0;
  }
  if (tx.exec(kDecide, {c->id, status, amount, assessment, version, actor(who),
                        note.empty() ? db::Value() : db::Value(note), db::now_ms()}) != 1)
    throw Error::conflict("claim.state", "the claim was decided meanwhile");
  if (decision == "approve")
    ledger::post(tx,
                 ledger::transfer(p.fund(), "aid.claim.approve", "aid_claim", c->id, "claims_expense", "claims_payable",
                                  amount, "claim " + std::to_string(c->id)),
                 actor(who));
  audit.append(tx, audit::Actor::of(&who),
                {"aid.claim." + std::string(decision), "aid_claim", std::to_string(c->id), "ok",
                 std::to_string(amount), c->org_path});
}

}  // namespace gh::aid
