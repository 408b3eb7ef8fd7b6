// Mainland China mobile numbers: 11 digits, "1" then 3–9. A leading "+86"
// or "86" and spaces/hyphens are accepted and removed.
#pragma once

#include <string>
#include <string_view>

#include "core/checked.h"

namespace gh {

// Error code: phone.format.
Checked<std::string> parse_phone(std::string_view input);
// "138****5678"
std::string mask_phone(std::string_view phone);
// "张*", "欧阳**": the first character kept (UTF-8 aware).
std::string mask_name(std::string_view name);

}  // namespace gh
