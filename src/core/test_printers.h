// gtest printers for core value types, so failed assertions show "2024-02-29"
// rather than a byte dump. Included by tests only.
#pragma once

#include <ostream>

#include "core/date.h"

namespace gh {

inline void PrintTo(const Date& d, std::ostream* os) { *os << d.iso(); }

}  // namespace gh
