#include "modules/ledger/ledger.h"

#include <limits>
#include <map>

#include "core/error.h"

namespace gh::ledger {
namespace {

constexpr std::string_view kInsertTxn =
    "INSERT INTO ledger_txns (fund, kind, ref_type, ref_id, memo, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
    "ON CONFLICT (fund, kind, ref_type, ref_id) DO NOTHING RETURNING id";
constexpr std::string_view kInsertLine =
    "INSERT INTO ledger_entries (txn_id, fund, account, debit_fen, credit_fen) VALUES ($1, $2, $3, $4, $5)";
constexpr std::string_view kBalance =
    "SELECT COALESCE(SUM(debit_fen), 0) - COALESCE(SUM(credit_fen), 0) FROM ledger_entries "
    "WHERE fund = $1 AND account = $2";
constexpr std::string_view kFundTotals =
    "SELECT fund, SUM(debit_fen), SUM(credit_fen), COUNT(DISTINCT txn_id) FROM ledger_entries GROUP BY fund ORDER BY fund";
constexpr std::string_view kUnbalanced =
    "SELECT t.id, t.fund, t.kind, COALESCE(SUM(e.debit_fen), 0), COALESCE(SUM(e.credit_fen), 0), COUNT(e.id) "
    "FROM ledger_txns t LEFT JOIN ledger_entries e ON e.txn_id = t.id GROUP BY t.id, t.fund, t.kind "
    "HAVING COALESCE(SUM(e.debit_fen), 0) <> COALESCE(SUM(e.credit_fen), 0) OR COUNT(e.id) < 2 ORDER BY t.id";
constexpr std::string_view kMismatchedFund =
    "SELECT e.id FROM ledger_entries e JOIN ledger_txns t ON t.id = e.txn_id WHERE e.fund <> t.fund";
// Money out of the bank for payments, per fund.
constexpr std::string_view kBankPaid =
    "SELECT e.fund, SUM(e.credit_fen) FROM ledger_entries e JOIN ledger_txns t ON t.id = e.txn_id "
    "WHERE e.account = 'bank' AND t.kind IN ('aid.claim.pay', 'relief.pay') GROUP BY e.fund";
constexpr std::string_view kAidPaid =
    "SELECT period_id, SUM(amount_fen) FROM aid_claims WHERE status = 'paid' GROUP BY period_id";
constexpr std::string_view kReliefPaid =
    "SELECT year, SUM(aid_fen) FROM relief_applications WHERE status = 'paid' GROUP BY year";

}  // namespace

std::string check(const Posting& p) {
  if (p.fund.empty() || p.kind.empty() || p.ref_type.empty()) return "fund, kind and ref_type are required";
  if (p.lines.size() < 2) return "a posting needs at least two lines";
  int64_t debit = 0, credit = 0;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 4;
  for (const auto& l : p.lines) {
    if (l.account.empty()) return "a line without an account";
    if (l.debit_fen < 0 || l.credit_fen < 0) return "negative amount on " + l.account;
    if ((l.debit_fen == 0) == (l.credit_fen == 0)) return "a line must be a debit or a credit: " + l.account;
    if (l.debit_fen > kMax - debit || l.credit_fen > kMax - credit) return "amount out of range";
    debit += l.debit_fen;
    credit += l.credit_fen;
  }
  if (debit != credit)
    return "unbalanced: debits " + std::to_string(debit) + " ≠ credits " + std::to_string(credit);
  return {};
}

Posting transfer(std::string fund, std::string kind, std::string ref_type, int64_t ref_id, std::string debit_account,
                 std::string credit_account, int64_t amount_fen, std::string memo) {
  Posting p{std::move(fund), std::move(kind), std::move(ref_type), ref_id, std::move(memo), {}};
  p.lines.push_back({std::move(debit_account), amount_fen, 0});
  p.lines.push_back({std::move(credit_account), 0, amount_fen});
  return p;
}

int64_t post(db::Tx& tx, const Posting& p, int64_t actor_id) {
  if (auto why = check(p); !why.empty()) throw Error::internal("ledger: " + why);
  auto row = tx.one(kInsertTxn, {p.fund, p.kind, p.ref_type, p.ref_id, p.memo, actor_id, db::now_ms()});
  if (!row)
    throw Error{ErrorKind::conflict, "ledger.duplicate", "this has already been posted to the fund ledger"};
  int64_t id = (*row)[0].i64();
  for (const auto& l : p.lines) tx.exec(kInsertLine, {id, p.fund, l.account, l.debit_fen, l.credit_fen});
  return id;
}

int64_t balance(db::Tx& tx, std::string_view fund, std::string_view account) {
  return tx.query(kBalance, {fund, account})[0][0].i64();
}

VerifyReport verify(db::Store& store) {
  return store.read([](db::Tx& tx) {
    VerifyReport r;
    std::map<std::string, FundCheck> funds;
    for (const auto& row : tx.query(kFundTotals)) {
      FundCheck& f = funds[row[0].str()];
      f.fund = row[0].str();
      f.debit_fen = row[1].i64();
      f.credit_fen = row[2].i64();
      f.txns = row[3].i64();
      if (f.debit_fen != f.credit_fen) {
        f.ok = false;
        r.problems.push_back(f.fund + ": debits " + std::to_string(f.debit_fen) + " ≠ credits " +
                             std::to_string(f.credit_fen));
      }
    }
    for (const auto& row : tx.query(kUnbalanced)) {
      r.problems.push_back("posting " + std::to_string(row[0].i64()) + " (" + row[1].str() + ", " + row[2].str() +
                           ") does not balance: debits " + std::to_string(row[3].i64()) + ", credits " +
                           std::to_string(row[4].i64()) + ", lines " + std::to_string(row[5].i64()));
      if (auto it = funds.find(row[1].str()); it != funds.end()) it->second.ok = false;
    }
    for (const auto& row : tx.query(kMismatchedFund))
      r.problems.push_back("entry " + std::to_string(row[0].i64()) + " is filed under another fund than its posting");
    for (const auto& row : tx.query(kBankPaid)) funds[row[0].str()].paid_out_fen = row[1].i64();
    for (const auto& row : tx.query(kAidPaid)) funds["aid:" + std::to_string(row[0].i64())].paid_records_fen = row[1].i64();
    for (const auto& row : tx.query(kReliefPaid))
      funds["relief:" + std::to_string(row[0].i64())].paid_records_fen = row[1].i64();
    for (auto& [name, f] : funds) {
      f.fund = name;
      if (f.paid_out_fen != f.paid_records_fen) {
        f.ok = false;
        r.problems.push_back(name + ": the bank paid out " + std::to_string(f.paid_out_fen) +
                             " fen but the paid records add up to " + std::to_string(f.paid_records_fen) + " fen");
      }
      r.funds.push_back(f);
    }
    r.ok = r.problems.empty();
    return r;
  });
}

}  // namespace gh::ledger
