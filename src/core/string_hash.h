// A transparent string hash: unordered containers keyed by std::string that
// are looked up with a std::string_view (or a literal) without building a
// std::string for every lookup.
//
//   std::unordered_map<std::string, V, StringHash, std::equal_to<>> m;
//   m.find(std::string_view{...});
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace gh {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace gh
