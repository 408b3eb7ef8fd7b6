// Member card numbers (会员卡号), gonghui's own scheme, documented in
// docs/card-numbers.md:
//   GH-style 16 digits = region (6) + serial (9, zero-padded) + Luhn check (1)
// The region is the issuing unit's GB/T 2260 code, the serial the member's
// id. Luhn catches every single-digit error and most adjacent swaps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/checked.h"

namespace gh {

// Throws gh::Error (internal) unless region6 is 6 digits and
// 0 <= serial <= 999,999,999.
std::string make_card_no(std::string_view region6, int64_t serial);
// Spaces and hyphens (cards print the number in groups of 4) are ignored;
// the value is the bare 16 digits.
// Error codes: card_no.format (not 16 digits), card_no.checksum.
Checked<std::string> parse_card_no(std::string_view input);
// The Luhn digit to append to `digits` (the rightmost payload digit is
// doubled); '\0' when `digits` is empty or holds a non-digit.
char luhn_check_digit(std::string_view digits);

}  // namespace gh
