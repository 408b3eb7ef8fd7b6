#include "core/citizen_id.h"

#include "core/error.h"
#include "core/regions.h"

namespace gh {
namespace {

// ISO 7064 MOD 11-2: weight i is 2^(17-i) mod 11 for the 17 digits.
constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
// Indexed by (sum mod 11): the character that brings the weighted total,
// including the check character's own weight 1, to 1 mod 11.
constexpr std::string_view kCheckChars = "10X98765432";
constexpr Date kEarliestBirth{1900, 1, 1};

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int to_int(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

char citizen_id_check_char(std::string_view first17) {
  if (first17.size() != 17 || !all_digits(first17)) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheckChars[static_cast<size_t>(sum % 11)];
}

Checked<CitizenId> parse_citizen_id(std::string_view input, const Regions& regions, Date today) {
  const std::string_view s = trim(input);
  std::string number;
  if (s.size() == 15 && all_digits(s)) {
    // Numbers issued before 1999 carry a 2-digit year (all 19xx births, as
    // the 1999 standard assumes) and no check character.
    number.reserve(18);
    number.append(s.substr(0, 6)).append("19").append(s.substr(6));
    number.push_back(citizen_id_check_char(number));
  } else if (s.size() == 18 && all_digits(s.substr(0, 17))) {
    const char last = s[17];
    if (last == 'x')
      return Invalid{"citizen_id.lowercase_x", "the check character X must be uppercase"};
    if (last != 'X' && (last < '0' || last > '9'))
      return Invalid{"citizen_id.format", "the last character must be a digit or X"};
    if (citizen_id_check_char(s.substr(0, 17)) != last)
      return Invalid{"citizen_id.checksum",
                     "the check character does not match; a digit is probably mistyped"};
    number = s;
  } else {
    return Invalid{"citizen_id.format", "a citizen ID number has 18 characters (or 15 digits)"};
  }

  CitizenId id;
  id.region = number.substr(0, 6);
  if (!regions.is_known(id.region))
    return Invalid{"citizen_id.region", id.region + " is not a GB/T 2260 region code"};

  const std::string_view n = number;
  id.birth_date = Date{to_int(n.substr(6, 4)), to_int(n.substr(10, 2)), to_int(n.substr(12, 2))};
  if (!is_valid_date(id.birth_date.year, id.birth_date.month, id.birth_date.day))
    return Invalid{"citizen_id.birth_date",
                   "the birth date " + number.substr(6, 8) + " does not exist"};
  if (id.birth_date < kEarliestBirth || id.birth_date > today)
    return Invalid{"citizen_id.birth_date",
                   "the birth date " + id.birth_date.iso() + " is out of range"};

  // GB 11643: the sequence's last digit (the 17th character) is odd for men.
  id.sex = (number[16] - '0') % 2 == 1 ? 'M' : 'F';
  id.number = std::move(number);
  return id;
}

std::string mask_citizen_id(std::string_view id) {
  if (id.size() < 15) return std::string(8, '*');
  std::string out(id.substr(0, 6));
  out.append(8, '*');
  out.append(id.substr(id.size() - 4));
  return out;
}

std::string make_citizen_id(std::string_view region6, Date birth, int seq3) {
  if (region6.size() != 6 || !all_digits(region6))
    throw Error::internal("make_citizen_id: region must be 6 digits");
  if (birth.year < 1000 || birth.year > 9999 || !is_valid_date(birth.year, birth.month, birth.day))
    throw Error::internal("make_citizen_id: birth date out of range");
  if (seq3 < 0 || seq3 > 999) throw Error::internal("make_citizen_id: sequence must be 0–999");
  std::string first17(region6);
  const std::string iso = birth.iso();  // YYYY-MM-DD
  first17.append(iso, 0, 4).append(iso, 5, 2).append(iso, 8, 2);
  const std::string seq = std::to_string(seq3);
  first17.append(3 - seq.size(), '0').append(seq);
  return first17 + citizen_id_check_char(first17);
}

}  // namespace gh
