// Citizen identity numbers (公民身份号码), GB 11643-1999.
//
// 18 characters: 6-digit region code (GB/T 2260, current or historical),
// 8-digit birth date YYYYMMDD, 3-digit sequence (odd = male), and a check
// character from ISO 7064 MOD 11-2 ("10X98765432"). 15-digit numbers (issued
// before 1999: YYMMDD, no check character) are converted to 18 by inserting
// "19" and computing the check character. Only an uppercase X is accepted.
#pragma once

#include <string>
#include <string_view>

#include "core/checked.h"
#include "core/date.h"

namespace gh {

class Regions;

struct CitizenId {
  std::string number;  // the 18-character form
  Date birth_date;
  char sex = 'M';      // 'M' or 'F' (GB/T 2261.1: 1 male, 2 female)
  std::string region;  // first 6 digits
};

// Error codes: citizen_id.format, citizen_id.lowercase_x, citizen_id.region,
// citizen_id.birth_date (impossible, before 1900-01-01 or after `today`),
// citizen_id.checksum.
Checked<CitizenId> parse_citizen_id(std::string_view input, const Regions& regions, Date today);

// The check character for the first 17 digits.
char citizen_id_check_char(std::string_view first17);

// "110101********1234": first 6 and last 4 characters kept.
std::string mask_citizen_id(std::string_view id);

}  // namespace gh
