#include "core/date.h"

#include <gtest/gtest.h>

#include <ctime>

#include "core/test_printers.h"

namespace gh {
namespace {

// Day numbers computed independently (Python: date(y, m, d) - date(1970, 1, 1)).
struct DayCase {
  Date date;
  int64_t days;
};
const DayCase kDayCases[] = {
    {{1970, 1, 1}, 0},       {{1969, 12, 31}, -1},   {{1900, 1, 1}, -25567},
    {{1949, 12, 31}, -7306}, {{2000, 2, 29}, 11016}, {{2000, 3, 1}, 11017},
    {{2024, 2, 29}, 19782},  {{1, 1, 1}, -719162},   {{9999, 12, 31}, 2932896},
    {{1600, 3, 1}, -135080},
};

TEST(Date, DaysMatchIndependentValues) {
  for (const auto& c : kDayCases) {
    EXPECT_EQ(c.date.days(), c.days) << c.date.iso();
    EXPECT_EQ(Date::from_days(c.days), c.date) << c.days;
  }
}

TEST(Date, EveryDayRoundTripsAndIsConsecutive) {
  // 1600-01-01 to 2400-12-31: each day number maps to a valid date one day
  // after the previous one, and back to the same number.
  Date prev = Date::from_days(Date{1599, 12, 31}.days());
  for (int64_t n = Date{1600, 1, 1}.days(); n <= Date{2400, 12, 31}.days(); ++n) {
    const Date d = Date::from_days(n);
    ASSERT_TRUE(is_valid_date(d.year, d.month, d.day)) << n;
    ASSERT_EQ(d.days(), n);
    ASSERT_LT(prev, d);
    const bool next_in_month =
        d.year == prev.year && d.month == prev.month && d.day == prev.day + 1;
    const bool first_of_month = d.day == 1 && prev.day == days_in_month(prev.year, prev.month);
    ASSERT_TRUE(next_in_month || first_of_month) << prev.iso() << " → " << d.iso();
    prev = d;
  }
}

TEST(Date, LeapYears) {
  const struct {
    int year;
    bool leap;
  } cases[] = {{1900, false}, {2000, true},  {2023, false},
               {2024, true},  {2100, false}, {1600, true}};
  for (const auto& c : cases) {
    EXPECT_EQ(is_leap_year(c.year), c.leap) << c.year;
    EXPECT_EQ(days_in_month(c.year, 2), c.leap ? 29 : 28) << c.year;
  }
}

TEST(Date, DaysInMonth) {
  const int expected[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int m = 1; m <= 12; ++m) EXPECT_EQ(days_in_month(2023, m), expected[m - 1]) << m;
  EXPECT_EQ(days_in_month(2023, 0), 0);
  EXPECT_EQ(days_in_month(2023, 13), 0);
}

TEST(Date, Parse) {
  const struct {
    const char* text;
    std::optional<Date> expected;
  } cases[] = {
      {"2024-02-29", Date{2024, 2, 29}}, {"1900-01-01", Date{1900, 1, 1}},
      {"0001-01-01", Date{1, 1, 1}},     {"9999-12-31", Date{9999, 12, 31}},
      {"2023-02-29", std::nullopt},  // not a leap year
      {"1900-02-29", std::nullopt},  // century, not a leap year
      {"2024-04-31", std::nullopt},      {"2024-13-01", std::nullopt},
      {"2024-00-10", std::nullopt},      {"2024-01-00", std::nullopt},
      {"0000-01-01", std::nullopt},      {"2024-1-01", std::nullopt},
      {"2024-01-1", std::nullopt},       {"2024/01/01", std::nullopt},
      {"20240101", std::nullopt},        {"2024-01-01 ", std::nullopt},
      {" 2024-01-01", std::nullopt},     {"+024-01-01", std::nullopt},
      {"2024-01-0a", std::nullopt},      {"", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(Date::parse(c.text), c.expected) << c.text;
}

TEST(Date, IsoRoundTrips) {
  for (const auto& c : kDayCases) EXPECT_EQ(Date::parse(c.date.iso()), c.date);
  EXPECT_EQ((Date{2024, 3, 5}.iso()), "2024-03-05");
  EXPECT_EQ((Date{1, 1, 1}.iso()), "0001-01-01");
}

TEST(Date, Ordering) {
  EXPECT_LT((Date{2023, 12, 31}), (Date{2024, 1, 1}));
  EXPECT_LT((Date{2024, 1, 31}), (Date{2024, 2, 1}));
  EXPECT_LT((Date{2024, 2, 1}), (Date{2024, 2, 2}));
  EXPECT_EQ((Date{2024, 2, 1}), (Date{2024, 2, 1}));
}

TEST(Date, IsoUtc) {
  const struct {
    int64_t ms;
    const char* text;
  } cases[] = {
      {0, "1970-01-01T00:00:00.000Z"},
      {-1, "1969-12-31T23:59:59.999Z"},
      {-86400001, "1969-12-30T23:59:59.999Z"},
      {951782400000, "2000-02-29T00:00:00.000Z"},
      {1700000000123, "2023-11-14T22:13:20.123Z"},
  };
  for (const auto& c : cases) EXPECT_EQ(iso_utc(c.ms), c.text) << c.ms;
}

// The same date computed through the C library: UTC+8, then gmtime.
Date shanghai_via_libc() {
  const std::time_t t = std::time(nullptr) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  return Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

TEST(Date, TodayShanghaiMatchesLibc) {
  const Date before = shanghai_via_libc();
  const Date today = Date::today_shanghai();
  const Date after = shanghai_via_libc();
  // Midnight may pass between the calls.
  EXPECT_TRUE(today == before || today == after) << today.iso() << " vs " << before.iso();
}

TEST(Date, ShanghaiDateOfAnInstant) {
  // 2026-07-01T00:00:00+08:00 is 2026-06-30T16:00:00Z.
  const int64_t midnight = (Date{2026, 6, 30}.days() * 86400 + 16 * 3600) * int64_t{1000};
  EXPECT_EQ(Date::shanghai(midnight), (Date{2026, 7, 1}));
  EXPECT_EQ(Date::shanghai(midnight - 1), (Date{2026, 6, 30}));
  EXPECT_EQ(Date::shanghai(0), (Date{1970, 1, 1}));
  EXPECT_EQ(Date::shanghai(-8 * 3'600'000 - 1), (Date{1969, 12, 31}));
}

TEST(Date, ParseInstant) {
  const int64_t base = Date{2026, 7, 1}.days() * 86'400'000;
  EXPECT_EQ(parse_instant("2026-07-01T00:00:00Z"), base);
  EXPECT_EQ(parse_instant("2026-07-01T08:00:00+08:00"), base);
  EXPECT_EQ(parse_instant("2026-06-30T20:00:00-04:00"), base);
  EXPECT_EQ(parse_instant("2026-07-01T00:00:00.250Z"), base + 250);
  EXPECT_EQ(parse_instant("2026-07-01T00:00:00.5Z"), base + 500);
  EXPECT_EQ(parse_instant("2026-07-01T00:00:00.123456Z"), base + 123);
  for (std::string_view bad : {"2026-07-01", "2026-07-01T00:00:00", "2026-07-01 00:00:00Z", "2026-07-01T24:00:00Z",
                               "2026-02-30T00:00:00Z", "2026-07-01T00:00:00.Z", "2026-07-01T00:00:00+8:00",
                               "2026-07-01T00:00:00+08:00x", ""})
    EXPECT_FALSE(parse_instant(bad)) << bad;
}

}  // namespace
}  // namespace gh
