// Mainland China mobile numbers: 11 digits, "1" then 3–9. A leading "+86"
// or "86" and spaces/hyphens are accepted and removed.
#pragma once

#include <string>
#include <string_view>

#include "core/checked.h"

namespace gh {

// Error code: phone.format. The value is the bare 11 digits.
Checked<std::string> parse_phone(std::string_view input);
// "138****5678": first 3 and last 4 kept. Anything shorter than 11
// characters is not a phone number: "****", nothing revealed.
std::string mask_phone(std::string_view phone);
// "张*", "欧阳**": the surname kept, every other character (UTF-8 code
// point) replaced by one '*'. The surname is the first character, or the
// first two for a common compound surname (复姓) in a name of 3 or more
// characters. A one-character name becomes "*". Bytes that are not valid
// UTF-8 count as one character each and are always masked.
std::string mask_name(std::string_view name);

}  // namespace gh
