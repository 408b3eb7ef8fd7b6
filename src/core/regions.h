// GB/T 2260 administrative division codes (行政区划代码). The dictionary is
// built into the binary from data/gb2260/codes.tsv (every code published
// 1980–2019 with first/last revision seen) and can be extended at run time
// with codes published later (`add`).
//
// Thread-safety: lookups are safe from any thread; `add` takes a lock.
#pragma once

#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/checked.h"

namespace gh {

// The whole country: the region of the national federation. Contains every code.
inline constexpr std::string_view kNationalRegion = "000000";

struct Region {
  std::string code;   // 6 digits
  std::string name;   // latest name, e.g. "东城区"
  bool current = false;  // in the latest revision (or added by an administrator)
};

enum class RegionLevel { national, province, prefecture, county };

class Regions {
 public:
  // The built-in dictionary (loaded once, on first use).
  static Regions& instance();

  // Loads a TSV with header "code\tname\tfirst_seen\tlast_seen"; codes whose
  // last_seen equals the newest revision in the file are current.
  static Regions from_tsv(std::string_view tsv);

  std::optional<Region> find(std::string_view code) const;
  bool is_current(std::string_view code) const;   // usable for new orgs and units
  bool is_known(std::string_view code) const;     // current or historical (citizen IDs)
  // Adds or renames a current code (e.g. one created after 2019).
  void add(std::string code, std::string name);
  size_t size() const;

  // Checks a code for an org or unit: 6 digits and current (or kNationalRegion).
  Checked<std::string> check_current(std::string_view code) const;

  static RegionLevel level(std::string_view code);
  // True when `inner` lies inside `outer` (same code counts as inside).
  static bool contains(std::string_view outer, std::string_view inner);

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Region> by_code_;
};

}  // namespace gh
