// Critical-illness relief (大病救助) rules: the tier table of a year and the
// decision for one application. Pure functions, no I/O; table-driven tests
// in rules_test.cpp. See docs/funds.md "Critical-illness relief".
//
// Out of pocket = total cost − basic insurance − unit commercial insurance −
// unit secondary reimbursement. Eligible only when it is ABOVE the
// threshold; each tier includes its upper bound (7,000,000 fen → tier 1,
// 7,000,001 fen → tier 2 with the default table).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/error.h"

namespace gh::relief {

// Largest amount accepted anywhere in relief (10^13 fen = 100 billion yuan):
// sums of a few of them never overflow int64.
inline constexpr int64_t kMaxFen = 10'000'000'000'000;
inline constexpr int kMaxTiers = 20;

struct Tier {
  std::optional<int64_t>
      up_to_fen;  // inclusive upper bound of out of pocket; nullopt: no limit (last tier)
  int64_t aid_fen = 0;
};

struct Tiers {
  int64_t threshold_fen = 0;  // eligible when out of pocket is above this
  std::vector<Tier> tiers;
};

// The default table: threshold 60,000 yuan; 60–70k → 10,000; 70–80k → 20,000;
// 80–90k → 30,000; 90–100k → 40,000; above → 50,000.
Tiers default_tiers();

// Reads {"threshold_fen": …, "tiers": [{"up_to_fen": …|null, "aid_fen": …}, …]}.
// Every problem is appended to `errors` in the http::Fields style (field
// "threshold_fen", "tiers", "tiers[2].up_to_fen" …; code "<name>.<problem>");
// the result is meaningful only when no error was added. Rules: threshold
// and aids are integers in [0, kMaxFen]; 1–kMaxTiers tiers; up_to_fen
// strictly ascending and above the threshold, null exactly on the last
// tier; aid_fen non-decreasing.
Tiers parse_tiers(const boost::json::value& v, std::vector<FieldError>& errors);

// The inverse of parse_tiers: {"threshold_fen", "tiers": [{"up_to_fen", "aid_fen"}]}.
boost::json::object tiers_json(const Tiers& t);

struct Decision {
  bool eligible = false;
  int64_t out_of_pocket_fen = 0;
  int tier = 0;  // 1-based; 0 when not eligible
  int64_t aid_fen = 0;
};

// Preconditions: amounts in [0, kMaxFen], reimbursements not above the
// total (callers reject that as amounts.inconsistent), `t` well formed.
Decision decide(int64_t total_cost_fen, int64_t basic_fen, int64_t commercial_fen,
                int64_t secondary_fen, const Tiers& t);

}  // namespace gh::relief
