// Value conversions and the clock.
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <system_error>

#include "core/error.h"
#include "db/db.h"

namespace gh::db {
namespace {

// A column that should hold a number but does not is a bug in the SQL or the
// schema, not bad input: fail loudly rather than read it as 0.
[[noreturn]] void not_a_number() {
  throw Error(ErrorKind::internal, "db.type", "database value is not a number");
}

bool parse_i64(std::string_view s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_f64(std::string_view s, double& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

int64_t to_i64(double d) {
  // Truncates toward zero like a C cast, but never into undefined behaviour.
  if (std::isnan(d)) not_a_number();
  if (d >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

}  // namespace

int64_t Value::i64() const {
  if (auto* i = std::get_if<int64_t>(&v_)) return *i;
  if (auto* d = std::get_if<double>(&v_)) return to_i64(*d);
  if (auto* s = std::get_if<std::string>(&v_)) {
    int64_t i = 0;
    if (parse_i64(*s, i)) return i;
    double d = 0;
    if (parse_f64(*s, d)) return to_i64(d);
    // PostgreSQL spells booleans t/f in text results.
    if (*s == "t" || *s == "true") return 1;
    if (*s == "f" || *s == "false") return 0;
    not_a_number();
  }
  return 0;
}

double Value::f64() const {
  if (auto* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
  if (auto* d = std::get_if<double>(&v_)) return *d;
  if (auto* s = std::get_if<std::string>(&v_)) {
    double d = 0;
    if (parse_f64(*s, d)) return d;
    not_a_number();
  }
  return 0;
}

std::string Value::str() const {
  if (auto* s = std::get_if<std::string>(&v_)) return *s;
  if (auto* i = std::get_if<int64_t>(&v_)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v_)) {
    // Shortest text that reads back as the same double.
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, *d);
    return std::string(buf, ec == std::errc() ? p : buf);
  }
  return {};
}

std::optional<int64_t> Value::opt_i64() const {
  if (is_null()) return std::nullopt;
  return i64();
}

std::optional<std::string> Value::opt_str() const {
  if (is_null()) return std::nullopt;
  return str();
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace gh::db
