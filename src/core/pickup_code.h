// Pickup codes (提货码) for limited gift packs, typed on a vending machine's
// numeric keypad: 12 digits, shown in groups of four ("4071 9286 3350"), of
// which 11 are random (from libsodium's CSPRNG) and the last is a Damm check
// digit. Damm's check catches every single mistyped digit and every swap of
// two adjacent digits, so a typo is refused at the keypad before it reaches
// the server. 10^11 possible codes: with 15,000 live codes in a campaign a
// blind guess succeeds once in about 6.7 million tries, and terminals are
// rate-limited. Expiry and single use are kept by the server, not in the
// code. Documented in docs/pickup-codes.md.
#pragma once

#include <string>
#include <string_view>

#include "core/checked.h"

namespace gh {

inline constexpr size_t kPickupCodeDigits = 12;

// A fresh random code (12 digits, no separators).
std::string make_pickup_code();
// Spaces and hyphens are ignored. Error codes: pickup_code.format (not 12
// digits), pickup_code.checksum (check digit wrong: a typo).
Checked<std::string> parse_pickup_code(std::string_view input);
// "407192863350" → "4071 9286 3350".
std::string format_pickup_code(std::string_view code);
// The Damm check digit of `digits`; '\0' when empty or not all digits.
char damm_check_digit(std::string_view digits);

}  // namespace gh
