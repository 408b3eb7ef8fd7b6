// The rules of offers (惠工服务), pure: what a member pays and what the union
// subsidises, who may use an offer, how many uses the per-member limits
// leave, and which redemption times an upload accepts. See docs/offers.md.
// Money is int64 fen; instants are Unix ms; days and months are
// Asia/Shanghai (UTC+8) local ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "modules/member/groups.h"

namespace gh::offer {

// ---- price ----

enum class Kind { fixed, percent, free };
std::string_view kind_name(Kind k);
std::optional<Kind> parse_kind(std::string_view s);

// An offer's price rule.
//   fixed:   the member pays price_fen (e.g. 1 fen for a subway ride), but
//            never more than the original amount;
//   percent: the member pays `percent` % of the original amount (1–99),
//            rounded half up to the fen;
//   free:    the member pays nothing for an item worth up to value_fen, and
//            the part of a dearer item's price above value_fen.
struct Terms {
  Kind kind = Kind::fixed;
  int64_t price_fen = 0;
  int percent = 0;
  int64_t value_fen = 0;
};

struct Amounts {
  int64_t original_fen = 0;
  int64_t member_pays_fen = 0;
  int64_t subsidy_fen = 0;  // original − member pays; never negative
};

// For 0 <= original_fen <= kMaxOriginalFen.
Amounts amounts(const Terms& terms, int64_t original_fen);
inline constexpr int64_t kMaxOriginalFen = 100'000'000;  // 1,000,000 yuan per sale

// ---- eligibility: member groups (modules/member/groups.h) ----

using member::eligible;
using member::Groups;
using member::MemberFacts;
using member::parse_groups;
using member::group_names;
using member::groups_text;
using member::groups_from_text;

// ---- per-member limits ----

struct Limits {
  std::optional<int64_t> per_day;  // none: no limit
  std::optional<int64_t> per_month;
  std::optional<int64_t> total;
};
// The member's accepted redemptions of the offer so far.
struct Used {
  int64_t day = 0;    // on the redemption's local day
  int64_t month = 0;  // in its local month
  int64_t total = 0;
};
enum class LimitHit { none, per_day, per_month, total };
std::string_view limit_name(LimitHit h);  // "per_day" …; "" for none
// Whether one more use is allowed: a limit of n allows the use while fewer
// than n were used. The first limit reached, checked day, month, total.
LimitHit check_limits(const Limits& limits, const Used& used);
// How many more uses the limits allow (0 at the edge); none when unlimited.
std::optional<int64_t> remaining(const Limits& limits, const Used& used);

// The local day ("2026-07-01") and month ("2026-07") of an instant in
// Asia/Shanghai.
struct LocalPeriod {
  std::string day;
  std::string month;
};
LocalPeriod local_period(int64_t unix_ms);

// ---- when ----

// An upload may carry a redemption time `at` up to kAheadMs after the
// server's clock (the terminal clock window) and up to kMaxAgeMs before it
// (how long a till may stay offline).
inline constexpr int64_t kAheadMs = 300'000;
inline constexpr int64_t kMaxAgeMs = int64_t{7} * 86'400'000;
// "" when acceptable, else "at.in_future" or "at.too_old".
std::string_view check_at(int64_t at_ms, int64_t now_ms);

// Whether an offer can be used at `at`: "" or offer.paused,
// offer.not_started, offer.ended. The window is [starts_at, ends_at).
std::string_view check_window(std::string_view status, int64_t starts_at, int64_t ends_at, int64_t at_ms);

}  // namespace gh::offer
