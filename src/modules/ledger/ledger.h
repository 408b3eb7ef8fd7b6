// The double-entry fund ledger (基金账本). Every movement of money in a fund
// is one posting: balanced lines (debits = credits), written in the same
// transaction as the business change it records, and unique per
// (fund, kind, ref) so a retried or racing request cannot post twice.
// Append-only: corrections are new postings. See docs/funds.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/db.h"

namespace gh::ledger {

struct Line {
  std::string account;  // e.g. "bank", "premium_income"
  int64_t debit_fen = 0;
  int64_t credit_fen = 0;
};

struct Posting {
  std::string fund;      // "aid:<period id>", "relief:<year>"
  std::string kind;      // "aid.premium", "aid.claim.approve", "aid.claim.pay", "relief.pay"
  std::string ref_type;  // the business object, e.g. "aid_claim"
  int64_t ref_id = 0;
  std::string memo;
  std::vector<Line> lines;
};

// Pure: an empty string when the posting is well formed (at least two
// lines, each exactly one positive side, debits = credits, no overflow),
// else what is wrong.
std::string check(const Posting& p);

// Two-line posting: debit one account, credit another, by the same amount.
Posting transfer(std::string fund, std::string kind, std::string ref_type, int64_t ref_id,
                 std::string debit_account, std::string credit_account, int64_t amount_fen, std::string memo = {});

// Writes the posting. Throws internal on a malformed posting and conflict
// "ledger.duplicate" when (fund, kind, ref) was already posted.
int64_t post(db::Tx& tx, const Posting& p, int64_t actor_id);

// Balance of one account (debits − credits) in a fund.
int64_t balance(db::Tx& tx, std::string_view fund, std::string_view account);

struct FundCheck {
  std::string fund;
  int64_t debit_fen = 0;
  int64_t credit_fen = 0;
  int64_t txns = 0;
  // The money that left the bank account, and the same total computed from
  // the business records (paid claims, paid relief): they must agree.
  int64_t paid_out_fen = 0;
  int64_t paid_records_fen = 0;
  bool ok = true;
};
struct VerifyReport {
  bool ok = true;
  std::vector<FundCheck> funds;
  std::vector<std::string> problems;  // human-readable, one per finding
};

// Proves, for every fund: each posting balances, debits = credits overall,
// and the bank's payouts equal the paid business records.
VerifyReport verify(db::Store& store);

}  // namespace gh::ledger
