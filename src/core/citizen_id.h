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

// Surrounding spaces and tabs are ignored. The checks run in this order, and
// the first failure is reported: citizen_id.format (not 15 digits, or 17
// digits then a digit or X), citizen_id.lowercase_x, citizen_id.checksum
// (18-digit form only), citizen_id.region (prefix not `regions.is_known`),
// citizen_id.birth_date (impossible, before 1900-01-01 or after `today`).
Checked<CitizenId> parse_citizen_id(std::string_view input, const Regions& regions, Date today);

// The check character for the first 17 digits; '\0' unless `first17` is
// exactly 17 ASCII digits.
char citizen_id_check_char(std::string_view first17);

// "110101********1234": first 6 and last 4 characters kept, always 8 '*'
// between them (the length is not revealed). Input shorter than 15
// characters is not an ID: "********" alone, nothing revealed.
std::string mask_citizen_id(std::string_view id);

// A synthetic, valid 18-character number for demo and test data: region6 +
// birth (YYYYMMDD) + seq3 (zero-padded; odd = male) + check character.
// Throws gh::Error (internal) unless region6 is 6 digits, the birth year has
// 4 digits and 0 <= seq3 <= 999. The region is not looked up.
std::string make_citizen_id(std::string_view region6, Date birth, int seq3);

}  // namespace gh
