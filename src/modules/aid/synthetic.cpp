#include "modules/aid/synthetic.h"

#include <string>
#include <vector>

#include "core/error.h"
#include "modules/aid/rules.h"
#include "modules/aid/store.h"
#include "modules/ledger/ledger.h"

namespace gh::aid {
namespace {

// Cities of Yunnan (GB/T 2260), so the report has regions to group by.
const char* const kCities[] = {"530100", "530300", "530400", "530500", "530600", "530700", "530800", "530900"};

// "WITH RECURSIVE s(i) …": a series 1..$1 that SQLite and PostgreSQL both run.
constexpr std::string_view kSeries =
    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $1) ";

}  // namespace

int64_t build_synthetic_period(db::Store& store, const SyntheticSpec& spec) {
  const int64_t now = db::now_ms();
  store.write([&](db::Tx& tx) {
    tx.exec("INSERT INTO orgs (id, name, level, parent_id, region_code, path, depth, created_at, updated_at) "
            "VALUES (1, '中华全国总工会', 'national', NULL, '100000', '/1/', 0, $1, $1), "
            "(2, '云南省总工会', 'province', 1, '530000', '/1/2/', 1, $1, $1)",
            {now});
    const int64_t cities = static_cast<int64_t>(std::size(kCities));
    for (int64_t u = 1; u <= spec.units; ++u)
      tx.exec("INSERT INTO units (id, name, credit_code, region_code, org_id, org_path, created_at, updated_at) "
              "VALUES ($1, $2, $3, $4, 2, '/1/2/', $5, $5)",
              {u, "单位" + std::to_string(u), "SYN" + std::to_string(u), std::string(kCities[u % cities]), now});
    tx.exec(std::string(kSeries) +
                "INSERT INTO members (id, name, citizen_enc, citizen_bidx, citizen_masked, sex, birth_date, "
                "phone_enc, phone_bidx, phone_masked, unit_id, org_id, org_path, household, employment_form, "
                "employment_status, status, card_no, joined_at, created_at, updated_at) "
                "SELECT i, '职工', 'x', 'syn' || i, 'x', 'M', '1990-01-01', 'x', 'p' || i, 'x', 1 + i % $2, 2, '/1/2/', "
                "'urban', 'standard', 'in_service', 'active', 'c' || i, $3, $3, $3 FROM s",
            {spec.members, spec.units, now});
  });

  int64_t period_id = 0;
  store.write([&](db::Tx& tx) {
    period_id = tx.one("INSERT INTO aid_periods (org_id, org_path, number, name, premium_fen, cap_fen, waiting_days, "
                       "enrol_start, enrol_end, cover_start, cover_end, rules_version, created_at, updated_at) "
                       "VALUES (2, '/1/2/', 5, '2021年互助期', $1, 20000000, 0, '2021-01-01', '2021-03-31', "
                       "'2021-01-01', '2021-12-31', 1, $2, $2) RETURNING id",
                       {spec.premium_fen, now})
                    ->at(0)
                    .i64();
    Benefits b;
    b.bands = {{std::nullopt, 100}};
    tx.exec("INSERT INTO aid_rule_sets (period_id, version, rules, created_at) VALUES ($1, 1, $2, $3)",
            {period_id, boost::json::serialize(benefits_json(b)), now});
    tx.exec(std::string(kSeries) +
                "INSERT INTO aid_enrollments (period_id, member_id, unit_id, org_path, premium_fen, first_time, "
                "enrolled_on, created_at) SELECT $2, i, 1 + i % $3, '/1/2/', $4, 0, '2021-01-15', $5 FROM s",
            {spec.members, period_id, spec.units, spec.premium_fen, now});
    // Premiums per unit, as the enrolment endpoint books them.
    for (const auto& r : tx.query("SELECT unit_id, COUNT(*), MIN(id) FROM aid_enrollments WHERE period_id = $1 "
                                  "GROUP BY unit_id ORDER BY unit_id",
                                  {period_id})) {
      const int64_t unit = r[0].i64(), n = r[1].i64();
      add_enrolled(tx, period_id, unit, "/1/2/", n, n * spec.premium_fen);
      ledger::post(tx,
                   ledger::transfer("aid:" + std::to_string(period_id), "aid.premium", "aid_enrollment", r[2].i64(),
                                    "bank", "premium_income", n * spec.premium_fen),
                   0);
    }
  });

  // Claims: the payout split as evenly as fen allow, each on its own member.
  const int64_t base = spec.payout_fen / spec.claims, extra = spec.payout_fen % spec.claims;
  store.write([&](db::Tx& tx) {
    tx.exec(std::string(kSeries) +
                "INSERT INTO aid_claims (period_id, member_id, unit_id, org_path, admission, discharge, hospital, "
                "diagnosis, total_cost_fen, basic_paid_fen, critical_paid_fen, assistance_fen, self_paid_fen, "
                "documents, status, amount_fen, assessment, rules_version, filed_by, created_at, updated_at) "
                "SELECT $2, m.id, m.unit_id, '/1/2/', '2021-06-01', '2021-06-10', '医院', '诊断', "
                "CASE WHEN s.i <= $5 THEN $4 + 1 ELSE $4 END, 0, 0, 0, CASE WHEN s.i <= $5 THEN $4 + 1 ELSE $4 END, "
                "'[]', 'approved', CASE WHEN s.i <= $5 THEN $4 + 1 ELSE $4 END, '{}', 1, 1, $6, $6 "
                "FROM s JOIN members m ON m.id = 1 + (s.i * 11) % $3",
            {spec.claims, period_id, spec.members, base, extra, now});
  });
  store.write([&](db::Tx& tx) {
    auto period = find_period(tx, period_id);
    for (const auto& r : tx.query("SELECT id FROM aid_claims WHERE period_id = $1 ORDER BY id", {period_id})) {
      auto claim = find_claim(tx, r[0].i64());
      ledger::post(tx,
                   ledger::transfer(period->fund(), "aid.claim.approve", "aid_claim", claim->id, "claims_expense",
                                    "claims_payable", claim->amount_fen),
                   0);
      if (!pay_claim(tx, *period, *claim, 0)) throw Error::internal("synthetic claim was not payable");
    }
  });
  return period_id;
}

}  // namespace gh::aid
