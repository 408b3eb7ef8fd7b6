#include "core/pickup_code.h"

#include <sodium.h>

namespace gh {
namespace {

// The totally anti-symmetric quasigroup of order 10 from H. M. Damm's 2004
// thesis (the table every Damm implementation uses).
constexpr unsigned char kDamm[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0}};

}  // namespace

char damm_check_digit(std::string_view digits) {
  if (digits.empty()) return '\0';
  unsigned interim = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return '\0';
    interim = kDamm[interim][c - '0'];
  }
  return static_cast<char>('0' + interim);
}

std::string make_pickup_code() {
  std::string code;
  code.reserve(kPickupCodeDigits);
  for (size_t i = 0; i + 1 < kPickupCodeDigits; ++i) code.push_back(static_cast<char>('0' + randombytes_uniform(10)));
  code.push_back(damm_check_digit(code));
  return code;
}

Checked<std::string> parse_pickup_code(std::string_view input) {
  std::string s;
  s.reserve(kPickupCodeDigits);
  for (char c : input) {
    if (c == ' ' || c == '-') continue;
    if (c < '0' || c > '9' || s.size() == kPickupCodeDigits)
      return Invalid{"pickup_code.format", "a pickup code has 12 digits"};
    s.push_back(c);
  }
  if (s.size() != kPickupCodeDigits) return Invalid{"pickup_code.format", "a pickup code has 12 digits"};
  if (damm_check_digit(std::string_view(s).substr(0, kPickupCodeDigits - 1)) != s.back())
    return Invalid{"pickup_code.checksum", "the check digit does not match; a digit is probably mistyped"};
  return s;
}

std::string format_pickup_code(std::string_view code) {
  std::string out;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i && i % 4 == 0) out.push_back(' ');
    out.push_back(code[i]);
  }
  return out;
}

}  // namespace gh
