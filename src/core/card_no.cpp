#include "core/card_no.h"

#include "core/error.h"

namespace gh {
namespace {

constexpr int64_t kMaxSerial = 999'999'999;  // 9 digits

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

char luhn_check_digit(std::string_view digits) {
  if (digits.empty() || !all_digits(digits)) return '\0';
  // Walking from the right, every other digit starting with the rightmost
  // payload digit is doubled: once the check digit is appended those are the
  // digits in even positions counted from the right, as ISO/IEC 7812 has it.
  int sum = 0;
  bool twice = true;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, twice = !twice) {
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::string make_card_no(std::string_view region6, int64_t serial) {
  if (region6.size() != 6 || !all_digits(region6))
    throw Error::internal("make_card_no: region must be 6 digits");
  if (serial < 0 || serial > kMaxSerial)
    throw Error::internal("make_card_no: serial must fit 9 digits");
  std::string out(region6);
  const std::string s = std::to_string(serial);
  out.append(9 - s.size(), '0').append(s);
  out.push_back(luhn_check_digit(out));
  return out;
}

Checked<std::string> parse_card_no(std::string_view input) {
  std::string s;
  s.reserve(16);
  for (char c : input)
    if (c != ' ' && c != '-') s.push_back(c);
  if (s.size() != 16 || !all_digits(s))
    return Invalid{"card_no.format", "a member card number has 16 digits"};
  if (luhn_check_digit(std::string_view(s).substr(0, 15)) != s[15])
    return Invalid{"card_no.checksum",
                   "the check digit does not match; a digit is probably mistyped"};
  return s;
}

}  // namespace gh
