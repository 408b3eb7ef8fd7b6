#include "modules/offer/rules.h"

#include <gtest/gtest.h>

#include <string>

#include "core/date.h"

namespace gh::offer {
namespace {

struct PriceCase {
  Terms terms;
  int64_t original;
  int64_t pays;
  int64_t subsidy;
};

TEST(OfferAmounts, EachKind) {
  const PriceCase cases[] = {
      // fixed: the 1-fen subway ride
      {{Kind::fixed, 1, 0, 0}, 400, 1, 399},
      {{Kind::fixed, 1, 0, 0}, 1, 1, 0},
      {{Kind::fixed, 500, 0, 0}, 400, 400, 0},  // price above the original: pays the original, no subsidy
      {{Kind::fixed, 0, 0, 0}, 250, 0, 250},
      {{Kind::fixed, 1, 0, 0}, 0, 0, 0},
      // percent: the member pays 40 % of the price
      {{Kind::percent, 0, 40, 0}, 10000, 4000, 6000},
      {{Kind::percent, 0, 40, 0}, 1001, 400, 601},  // 400.4 → 400
      {{Kind::percent, 0, 35, 0}, 1010, 354, 656},  // 353.5 → 354 (half up)
      {{Kind::percent, 0, 35, 0}, 1009, 353, 656},  // 353.15 → 353
      {{Kind::percent, 0, 1, 0}, 49, 0, 49},        // 0.49 → 0
      {{Kind::percent, 0, 1, 0}, 50, 1, 49},        // 0.5 → 1
      {{Kind::percent, 0, 99, 0}, 1, 1, 0},         // 0.99 → 1
      {{Kind::percent, 0, 99, 0}, kMaxOriginalFen, 99'000'000, 1'000'000},
      // free: up to the item's value
      {{Kind::free, 0, 0, 4000}, 4000, 0, 4000},
      {{Kind::free, 0, 0, 4000}, 3500, 0, 3500},
      {{Kind::free, 0, 0, 4000}, 6000, 2000, 4000},  // a dearer ticket: pays the difference
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(kind_name(c.terms.kind)) + " original " + std::to_string(c.original));
    const auto a = amounts(c.terms, c.original);
    EXPECT_EQ(a.original_fen, c.original);
    EXPECT_EQ(a.member_pays_fen, c.pays);
    EXPECT_EQ(a.subsidy_fen, c.subsidy);
    EXPECT_EQ(a.member_pays_fen + a.subsidy_fen, a.original_fen);
    EXPECT_GE(a.subsidy_fen, 0);
  }
}

TEST(OfferAmounts, NeverNegativeForAnyPercentAndAmount) {
  for (int p = 1; p <= 99; ++p)
    for (int64_t original : {0, 1, 2, 3, 99, 100, 101, 12345, 99999}) {
      const auto a = amounts({Kind::percent, 0, p, 0}, original);
      ASSERT_GE(a.subsidy_fen, 0) << p << " " << original;
      ASSERT_GE(a.member_pays_fen, 0);
      ASSERT_LE(a.member_pays_fen, original);
    }
}

TEST(OfferKinds, RoundTrip) {
  for (Kind k : {Kind::fixed, Kind::percent, Kind::free}) EXPECT_EQ(parse_kind(kind_name(k)), k);
  EXPECT_FALSE(parse_kind("discount"));
  EXPECT_FALSE(parse_kind(""));
}

TEST(OfferLimits, ExactlyAtTheLimitIsRefusedOneBelowAllowed) {
  const Limits l{2, 5, 10};
  EXPECT_EQ(check_limits(l, {1, 1, 1}), LimitHit::none);
  EXPECT_EQ(check_limits(l, {2, 2, 2}), LimitHit::per_day);
  EXPECT_EQ(check_limits(l, {1, 4, 4}), LimitHit::none);
  EXPECT_EQ(check_limits(l, {1, 5, 5}), LimitHit::per_month);
  EXPECT_EQ(check_limits(l, {0, 4, 9}), LimitHit::none);
  EXPECT_EQ(check_limits(l, {0, 0, 10}), LimitHit::total);
  EXPECT_EQ(check_limits(l, {2, 5, 10}), LimitHit::per_day);  // the first reached, day before month before total
  EXPECT_EQ(check_limits({}, {1000, 1000, 1000}), LimitHit::none);
  EXPECT_EQ(check_limits({std::nullopt, std::nullopt, 1}, {0, 0, 0}), LimitHit::none);
  EXPECT_EQ(check_limits({std::nullopt, std::nullopt, 1}, {0, 0, 1}), LimitHit::total);
  EXPECT_EQ(limit_name(LimitHit::per_day), "per_day");
  EXPECT_EQ(limit_name(LimitHit::total), "total");
  EXPECT_EQ(limit_name(LimitHit::none), "");
}

TEST(OfferLimits, Remaining) {
  EXPECT_EQ(remaining({2, 5, 10}, {0, 0, 0}), 2);
  EXPECT_EQ(remaining({2, 5, 10}, {1, 4, 4}), 1);
  EXPECT_EQ(remaining({2, 5, 10}, {0, 4, 4}), 1);
  EXPECT_EQ(remaining({2, 5, 10}, {0, 0, 10}), 0);
  EXPECT_EQ(remaining({2, 5, 10}, {3, 3, 3}), 0);  // never negative
  EXPECT_EQ(remaining({}, {7, 7, 7}), std::nullopt);
  EXPECT_EQ(remaining({std::nullopt, 4, std::nullopt}, {9, 1, 9}), 3);
}

// Unix ms of a Shanghai wall-clock time.
int64_t shanghai_ms(Date d, int h, int m, int s, int ms = 0) {
  return ((d.days() * 86400 + h * 3600 + m * 60 + s) - 8 * 3600) * int64_t{1000} + ms;
}

TEST(OfferLimits, DaysAndMonthsAreShanghaiLocal) {
  // 23:59:59.999 and 00:00:00.000 local on either side of midnight.
  const int64_t before = shanghai_ms({2026, 7, 31}, 23, 59, 59, 999);
  const int64_t after = shanghai_ms({2026, 8, 1}, 0, 0, 0);
  EXPECT_EQ(after - before, 1);
  EXPECT_EQ(local_period(before).day, "2026-07-31");
  EXPECT_EQ(local_period(before).month, "2026-07");
  EXPECT_EQ(local_period(after).day, "2026-08-01");
  EXPECT_EQ(local_period(after).month, "2026-08");
  // 16:00 UTC is already the next local day.
  const int64_t utc_16 = Date{2026, 7, 31}.days() * 86'400'000 + 16 * 3'600'000;
  EXPECT_EQ(local_period(utc_16).day, "2026-08-01");
  EXPECT_EQ(local_period(utc_16 - 1).day, "2026-07-31");
  // Year end and leap day.
  EXPECT_EQ(local_period(shanghai_ms({2027, 1, 1}, 0, 0, 0)).month, "2027-01");
  EXPECT_EQ(local_period(shanghai_ms({2026, 12, 31}, 23, 59, 59)).month, "2026-12");
  EXPECT_EQ(local_period(shanghai_ms({2028, 2, 29}, 12, 0, 0)).day, "2028-02-29");
}

TEST(OfferWhen, UploadWindow) {
  const int64_t now = 1'800'000'000'000;
  EXPECT_EQ(check_at(now, now), "");
  EXPECT_EQ(check_at(now + kAheadMs, now), "");
  EXPECT_EQ(check_at(now + kAheadMs + 1, now), "at.in_future");
  EXPECT_EQ(check_at(now - kMaxAgeMs, now), "");
  EXPECT_EQ(check_at(now - kMaxAgeMs - 1, now), "at.too_old");
}

TEST(OfferWhen, OfferWindowIsHalfOpen) {
  EXPECT_EQ(check_window("active", 100, 200, 100), "");
  EXPECT_EQ(check_window("active", 100, 200, 199), "");
  EXPECT_EQ(check_window("active", 100, 200, 99), "offer.not_started");
  EXPECT_EQ(check_window("active", 100, 200, 200), "offer.ended");
  EXPECT_EQ(check_window("paused", 100, 200, 150), "offer.paused");
}

}  // namespace
}  // namespace gh::offer
