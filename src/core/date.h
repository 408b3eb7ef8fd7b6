// Calendar dates (proleptic Gregorian) and the business time zone.
// Business dates are local dates in Asia/Shanghai (UTC+8, no DST).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gh {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;

  auto operator<=>(const Date&) const = default;
  // "YYYY-MM-DD"
  std::string iso() const;
  // Days since 1970-01-01.
  int64_t days() const;
  static Date from_days(int64_t days);
  // Parses "YYYY-MM-DD" (exactly); nothing when malformed or not a real date.
  static std::optional<Date> parse(std::string_view iso);
  // Today in Asia/Shanghai.
  static Date today_shanghai();
  // The Asia/Shanghai date of an instant (Unix ms).
  static Date shanghai(int64_t unix_ms);
};

bool is_leap_year(int year);
int days_in_month(int year, int month);  // 0 for a month outside 1–12
// A real date with a year in 1–9999 (what "YYYY-MM-DD" can carry).
bool is_valid_date(int year, int month, int day);

// Unix ms → "2026-11-29T12:00:00.000Z".
std::string iso_utc(int64_t unix_ms);

// An RFC 3339 instant with a zone ("2026-07-01T08:00:00+08:00",
// "2026-07-01T00:00:00.250Z") → Unix ms; fractions of a second are kept to
// the millisecond. Nothing when malformed or without a zone.
std::optional<int64_t> parse_instant(std::string_view s);

}  // namespace gh
