// Unified social credit codes (统一社会信用代码), GB 32100-2015.
//
// 18 characters over "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I O Z S V):
// registration authority (1), organisation category (1), registering
// authority's region code (6, GB/T 2260), organisation code (9, GB 11714
// with its own check character) and a check character (mod 31).
// Trade-union bodies register with authority 8 (81 工会, 82/89 …).
// Some real codes fail the checksum; an override list accepts those.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "core/checked.h"

namespace gh {

struct CreditCode {
  std::string code;
  char authority = '9';
  char category = '1';
  std::string region;    // characters 3–8
  std::string org_code;  // characters 9–17
};

// Surrounding spaces and tabs are ignored; letters must be uppercase.
// Error codes, in the order checked: credit_code.format (length, charset,
// region not 6 digits), credit_code.org_code (embedded GB 11714 check),
// credit_code.checksum. A code in `overrides` is accepted as is after the
// format check.
Checked<CreditCode> parse_credit_code(std::string_view input,
                                      const std::set<std::string, std::less<>>& overrides = {});

// GB 32100 position 18 for the first 17 characters; '\0' unless all 17 are
// in the code's charset.
char credit_code_check_char(std::string_view first17);
// GB 11714 position 9 ('0'–'9' or 'X') for the 8-character body (digits and
// uppercase letters); '\0' for anything else.
char org_code_check_char(std::string_view first8);

// A valid 18-character code for demo and test data, both check characters
// computed. Throws gh::Error (internal) when a character lies outside the
// charset, region6 is not 6 digits or org8 is not 8 characters.
std::string make_credit_code(char authority, char category, std::string_view region6,
                             std::string_view org8);

}  // namespace gh
