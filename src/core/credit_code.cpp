#include "core/credit_code.h"

#include "core/error.h"

namespace gh {
namespace {

// GB 32100-2015 uses 31 characters: the digits and the capitals without
// I, O, Z, S and V (easily confused with 1, 0, 2, 5 and U). A character's
// value is its index here.
constexpr std::string_view kCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";
// Weight i is 3^i mod 31.
constexpr int kCreditWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
// GB 11714-1997 organisation code: 8 body characters, then a MOD 11 check.
constexpr int kOrgWeights[8] = {3, 7, 9, 10, 5, 8, 4, 2};

int charset_value(char c) {
  const size_t i = kCharset.find(c);
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

// GB 11714 values: digits are themselves, A–Z are 10–35 (the full alphabet,
// unlike GB 32100).
int org_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

bool is_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

char credit_code_check_char(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    const int v = charset_value(first17[i]);
    if (v < 0) return '\0';
    sum += v * kCreditWeights[i];
  }
  return kCharset[static_cast<size_t>((31 - sum % 31) % 31)];
}

char org_code_check_char(std::string_view first8) {
  if (first8.size() != 8) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 8; ++i) {
    const int v = org_value(first8[i]);
    if (v < 0) return '\0';
    sum += v * kOrgWeights[i];
  }
  const int check = 11 - sum % 11;  // 1–11
  if (check == 10) return 'X';
  if (check == 11) return '0';
  return static_cast<char>('0' + check);
}

Checked<CreditCode> parse_credit_code(std::string_view input,
                                      const std::set<std::string, std::less<>>& overrides) {
  const std::string_view s = trim(input);
  if (s.size() != 18)
    return Invalid{"credit_code.format", "a unified social credit code has 18 characters"};
  for (char c : s)
    if (charset_value(c) < 0)
      return Invalid{"credit_code.format",
                     "only digits and capital letters other than I, O, Z, S and V are allowed"};
  if (!is_digits(s.substr(2, 6)))
    return Invalid{"credit_code.format", "characters 3–8 must be a 6-digit region code"};

  CreditCode code{std::string(s), s[0], s[1], std::string(s.substr(2, 6)),
                  std::string(s.substr(8, 9))};
  // Codes that were issued with a wrong check character exist and are still
  // valid registrations; an administrator lists them so they are accepted.
  if (overrides.contains(s)) return code;

  if (org_code_check_char(s.substr(8, 8)) != s[16])
    return Invalid{"credit_code.org_code",
                   "the organisation code (characters 9–17) fails its check; a character is "
                   "probably mistyped"};
  if (credit_code_check_char(s.substr(0, 17)) != s[17])
    return Invalid{"credit_code.checksum",
                   "the check character does not match; a character is probably mistyped"};
  return code;
}

std::string make_credit_code(char authority, char category, std::string_view region6,
                             std::string_view org8) {
  if (charset_value(authority) < 0 || charset_value(category) < 0)
    throw Error::internal("make_credit_code: authority/category outside the charset");
  if (region6.size() != 6 || !is_digits(region6))
    throw Error::internal("make_credit_code: region must be 6 digits");
  if (org8.size() != 8)
    throw Error::internal("make_credit_code: org code body must be 8 characters");
  for (char c : org8)
    if (charset_value(c) < 0)
      throw Error::internal("make_credit_code: org code outside the charset");
  std::string code;
  code.reserve(18);
  code.push_back(authority);
  code.push_back(category);
  code.append(region6).append(org8);
  code.push_back(org_code_check_char(org8));
  code.push_back(credit_code_check_char(code));
  return code;
}

}  // namespace gh
