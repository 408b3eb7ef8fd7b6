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

std::string make_card_no(std::string_view region6, int64_t serial);
// Error codes: card_no.format, card_no.checksum.
Checked<std::string> parse_card_no(std::string_view input);
char luhn_check_digit(std::string_view digits);

}  // namespace gh
