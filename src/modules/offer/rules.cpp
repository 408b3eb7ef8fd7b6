#include "modules/offer/rules.h"

#include <algorithm>

#include "core/date.h"

namespace gh::offer {

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::fixed:
      return "fixed";
    case Kind::percent:
      return "percent";
    case Kind::free:
      return "free";
  }
  return "fixed";
}

std::optional<Kind> parse_kind(std::string_view s) {
  if (s == "fixed") return Kind::fixed;
  if (s == "percent") return Kind::percent;
  if (s == "free") return Kind::free;
  return std::nullopt;
}

Amounts amounts(const Terms& t, int64_t original_fen) {
  Amounts a;
  a.original_fen = original_fen;
  switch (t.kind) {
    case Kind::fixed:
      a.member_pays_fen = std::min(t.price_fen, original_fen);
      break;
    case Kind::percent:
      // Half a fen and more rounds up: 40 % of 1,001 fen is 400.4 → 400,
      // 35 % of 1,010 fen is 353.5 → 354. Exact in integers up to kMaxOriginalFen.
      a.member_pays_fen = (original_fen * t.percent + 50) / 100;
      break;
    case Kind::free:
      a.member_pays_fen = std::max<int64_t>(0, original_fen - t.value_fen);
      break;
  }
  a.member_pays_fen = std::clamp<int64_t>(a.member_pays_fen, 0, original_fen);
  a.subsidy_fen = original_fen - a.member_pays_fen;
  return a;
}

std::string_view limit_name(LimitHit h) {
  switch (h) {
    case LimitHit::per_day:
      return "per_day";
    case LimitHit::per_month:
      return "per_month";
    case LimitHit::total:
      return "total";
    case LimitHit::none:
      break;
  }
  return "";
}

LimitHit check_limits(const Limits& l, const Used& u) {
  if (l.per_day && u.day >= *l.per_day) return LimitHit::per_day;
  if (l.per_month && u.month >= *l.per_month) return LimitHit::per_month;
  if (l.total && u.total >= *l.total) return LimitHit::total;
  return LimitHit::none;
}

std::optional<int64_t> remaining(const Limits& l, const Used& u) {
  std::optional<int64_t> left;
  auto take = [&](const std::optional<int64_t>& limit, int64_t used) {
    if (!limit) return;
    const int64_t n = std::max<int64_t>(0, *limit - used);
    left = left ? std::min(*left, n) : n;
  };
  take(l.per_day, u.day);
  take(l.per_month, u.month);
  take(l.total, u.total);
  return left;
}

LocalPeriod local_period(int64_t unix_ms) {
  const std::string day = Date::shanghai(unix_ms).iso();
  return {day, day.substr(0, 7)};
}

std::string_view check_at(int64_t at_ms, int64_t now_ms) {
  if (at_ms > now_ms + kAheadMs) return "at.in_future";
  if (at_ms < now_ms - kMaxAgeMs) return "at.too_old";
  return "";
}

std::string_view check_window(std::string_view status, int64_t starts_at, int64_t ends_at, int64_t at_ms) {
  if (status != "active") return "offer.paused";
  if (at_ms < starts_at) return "offer.not_started";
  if (at_ms >= ends_at) return "offer.ended";
  return "";
}

}  // namespace gh::offer
