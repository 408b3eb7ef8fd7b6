#include "core/phone.h"

#include <array>
#include <vector>

namespace gh {
namespace {

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
size_t utf8_sequence_length(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return i < s.size() && b(i) >= lo && b(i) <= hi;
  };
  if (s.empty()) return 0;
  const unsigned c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80;  // overlong
    const unsigned hi = c == 0xED ? 0x9F : 0xBF;  // surrogates
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80;  // overlong
    const unsigned hi = c == 0xF4 ? 0x8F : 0xBF;  // above U+10FFFF
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

// The name's characters; an invalid byte is a character of its own (it is
// masked like any other, never kept).
struct Char {
  std::string_view bytes;
  bool valid;
};

std::vector<Char> split_chars(std::string_view s) {
  std::vector<Char> out;
  while (!s.empty()) {
    const size_t n = utf8_sequence_length(s);
    out.push_back({s.substr(0, n == 0 ? 1 : n), n != 0});
    s.remove_prefix(n == 0 ? 1 : n);
  }
  return out;
}

// Common two-character surnames (复姓). Keeping only their first character
// would turn "欧阳娜娜" into "欧***", which reads as a different surname.
constexpr std::array<std::string_view, 40> kCompoundSurnames = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门",
    "百里", "呼延", "澹台", "公冶", "申屠", "太史", "闻人", "司空", "万俟", "拓跋",
    "东郭", "濮阳", "淳于", "单于", "赫连", "第五", "左丘", "宗政", "鲜于", "闾丘"};

}  // namespace

Checked<std::string> parse_phone(std::string_view input) {
  std::string s;
  s.reserve(input.size());
  for (char c : input)
    if (c != ' ' && c != '-') s.push_back(c);
  if (s.starts_with("+86")) {
    s.erase(0, 3);
  } else if (s.size() == 13 && s.starts_with("86")) {
    // Without the "+", "86" is a country code only when 11 digits follow: a
    // mobile number itself starts with "1".
    s.erase(0, 2);
  }
  if (s.size() != 11 || !all_digits(s) || s[0] != '1' || s[1] < '3')
    return Invalid{"phone.format", "a mobile number has 11 digits and starts with 13–19"};
  return s;
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() < 11) return "****";
  std::string out(phone.substr(0, 3));
  out.append("****").append(phone.substr(phone.size() - 4));
  return out;
}

std::string mask_name(std::string_view name) {
  const std::vector<Char> chars = split_chars(name);
  size_t keep = chars.empty() || !chars[0].valid ? 0 : 1;
  if (chars.size() >= 3 && chars[0].valid && chars[1].valid) {
    const size_t len = chars[0].bytes.size() + chars[1].bytes.size();
    for (std::string_view surname : kCompoundSurnames)
      if (name.substr(0, len) == surname) keep = 2;
  }
  // Never the whole name: a one-character name is masked entirely.
  if (keep >= chars.size()) keep = 0;
  std::string out;
  for (size_t i = 0; i < chars.size(); ++i) {
    if (i < keep)
      out.append(chars[i].bytes);
    else
      out.push_back('*');
  }
  return out;
}

}  // namespace gh
