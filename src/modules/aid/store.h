// Storage of the mutual-aid plan: periods, rule sets, enrolments, claims,
// per-unit running totals, and the period report. Every function runs inside
// the caller's transaction.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/db.h"
#include "modules/aid/rules.h"

namespace gh::aid {

struct Period {
  int64_t id = 0;
  int64_t org_id = 0;
  std::string org_path;
  int64_t number = 0;
  std::string name;
  int64_t premium_fen = 0;
  int64_t cap_fen = 0;
  int waiting_days = 0;
  Date enrol_start, enrol_end, cover_start, cover_end;
  int64_t rules_version = 0;
  Benefits benefits;  // of rules_version
  int64_t created_at = 0, updated_at = 0;

  Rules rules() const { return {benefits, cover_start, cover_end, waiting_days, cap_fen}; }
  std::string fund() const { return "aid:" + std::to_string(id); }
};

std::optional<Period> find_period(db::Tx& tx, int64_t id);
// The rule set stored as `version` of the period.
Benefits load_benefits(db::Tx& tx, int64_t period_id, int64_t version);
boost::json::object period_json(const Period& p);

struct StoredClaim {
  int64_t id = 0, period_id = 0, member_id = 0, unit_id = 0;
  std::string org_path, member_name;
  Claim facts;
  std::string hospital, diagnosis;
  int64_t total_cost_fen = 0, basic_paid_fen = 0, critical_paid_fen = 0, assistance_fen = 0;
  std::string documents;  // JSON
  std::string status;
  int64_t amount_fen = 0;
  std::string assessment;  // JSON
  int64_t rules_version = 0, filed_by = 0, decided_by = 0, paid_by = 0, paid_at = 0;
  std::optional<std::string> decision_note;
  int64_t created_at = 0, updated_at = 0;
};
std::optional<StoredClaim> find_claim(db::Tx& tx, int64_t id);
boost::json::object claim_json(const StoredClaim& c);
extern const std::string_view kClaimColumns;  // for lists: SELECT <these> FROM aid_claims c JOIN members m …
StoredClaim claim_from_row(const db::Row& r);

// The member's standing in the period, excluding claim `except_claim`.
History history(db::Tx& tx, int64_t period_id, int64_t member_id, int64_t except_claim);

// Marks an approved claim paid and posts it: claims_payable → bank, and the
// unit's running totals. False when the claim is not (or no longer) approved.
bool pay_claim(db::Tx& tx, const Period& period, const StoredClaim& claim, int64_t actor_id);

// Adds enrolments' premiums (and members) to a unit's running totals.
void add_enrolled(db::Tx& tx, int64_t period_id, int64_t unit_id, const std::string& org_path, int64_t members,
                  int64_t premium_fen);

struct Figures {
  int64_t units = 0, members = 0, premium_income_fen = 0, settlements = 0, members_paid = 0, payout_fen = 0;
};
// usage rate = payouts / premium income as a percent with 2 decimals,
// rounded half up ("103.51"); "0.00" without premium income.
std::string usage_rate(int64_t payout_fen, int64_t premium_fen);
boost::json::object figures_json(const Figures& f);
// The report of a period over the units under `org_path` (the whole period
// when org_path is the period's or above it).
boost::json::object report(db::Tx& tx, const Period& period, const std::string& org_path);

}  // namespace gh::aid
