#include "core/date.h"

#include <chrono>
#include <cstdio>

namespace gh {
namespace {

// Floor division: the calendar arithmetic below must round towards minus
// infinity so that dates before 1970 (and instants before the epoch) work.
constexpr int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Howard Hinnant's days_from_civil / civil_from_days
// (https://howardhinnant.github.io/date_algorithms.html). They count in
// 400-year eras that start on 1 March, so the leap day is the last day of
// the "year" and needs no special case.
constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = floor_div(y, 400);
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

constexpr Date civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = floor_div(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);                    // [0, 146096]
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // [0, 365]
  const unsigned mp = (5 * doy + 2) / 153;                       // [0, 11]
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;               // [1, 31]
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;                  // [1, 12]
  return Date{static_cast<int>(y + (m <= 2 ? 1 : 0)), static_cast<int>(m), static_cast<int>(d)};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(civil_from_days(-1).day == 31);

constexpr int64_t kMsPerDay = 86'400'000;
// Asia/Shanghai has been UTC+8 without daylight saving since 1991.
constexpr int64_t kShanghaiOffsetMs = int64_t{8} * 3'600'000;

bool parse_digits(std::string_view s, int& out) {
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap_year(year) ? 29 : kDays[month - 1];
}

bool is_valid_date(int year, int month, int day) {
  // Years are limited to what "YYYY-MM-DD" can carry, so every valid date
  // round-trips through iso() and parse().
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
         day <= days_in_month(year, month);
}

std::string Date::iso() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

int64_t Date::days() const {
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

Date Date::from_days(int64_t days) { return civil_from_days(days); }

std::optional<Date> Date::parse(std::string_view iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  Date d;
  if (!parse_digits(iso.substr(0, 4), d.year) || !parse_digits(iso.substr(5, 2), d.month) ||
      !parse_digits(iso.substr(8, 2), d.day))
    return std::nullopt;
  if (!is_valid_date(d.year, d.month, d.day)) return std::nullopt;
  return d;
}

Date Date::today_shanghai() {
  using namespace std::chrono;
  const int64_t now_ms =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  return from_days(floor_div(now_ms + kShanghaiOffsetMs, kMsPerDay));
}

Date Date::shanghai(int64_t unix_ms) { return from_days(floor_div(unix_ms + kShanghaiOffsetMs, kMsPerDay)); }

std::optional<int64_t> parse_instant(std::string_view s) {
  if (s.size() < 20) return std::nullopt;
  auto d = Date::parse(s.substr(0, 10));
  if (!d || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') return std::nullopt;
  auto num = [&](size_t at) -> int {
    if (at + 1 >= s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
  };
  const int hh = num(11), mm = num(14), ss = num(17);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) return std::nullopt;
  size_t at = 19;
  int64_t ms = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    const size_t first = at;
    for (int scale = 100; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, scale /= 10)
      if (scale > 0) ms += (s[at] - '0') * scale;
    if (at == first) return std::nullopt;
  }
  int offset_min = 0;
  const std::string_view zone = s.substr(at);
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const int oh = num(at + 1), om = num(at + 4);
    if (oh < 0 || oh > 14 || om < 0 || om > 59) return std::nullopt;
    offset_min = (zone[0] == '+' ? 1 : -1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  const int64_t secs = d->days() * 86400 + hh * 3600 + mm * 60 + ss - int64_t{offset_min} * 60;
  return secs * 1000 + ms;
}

std::string iso_utc(int64_t unix_ms) {
  const int64_t day = floor_div(unix_ms, kMsPerDay);
  const int64_t ms_of_day = unix_ms - day * kMsPerDay;
  const Date d = Date::from_days(day);
  const auto h = static_cast<int>(ms_of_day / 3'600'000);
  const auto min = static_cast<int>(ms_of_day / 60'000 % 60);
  const auto s = static_cast<int>(ms_of_day / 1000 % 60);
  const auto ms = static_cast<int>(ms_of_day % 1000);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day, h,
                min, s, ms);
  return buf;
}

}  // namespace gh
