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

#include "core/string_hash.h"
#include "core/checked.h"

namespace gh {

// The whole country: the region of the national federation. Contains every code.
inline constexpr std::string_view kNationalRegion = "000000";

struct Region {
  std::string code;      // 6 digits
  std::string name;      // latest name, e.g. "东城区"
  bool current = false;  // in the latest revision (or added by an administrator)
};

enum class RegionLevel { national, province, prefecture, county };

class Regions {
 public:
  Regions() = default;
  // Movable so that from_tsv can return by value; the moved-from object is
  // empty. Not copyable (it owns a mutex).
  Regions(Regions&& other) noexcept;
  Regions& operator=(Regions&& other) noexcept;

  // The built-in dictionary (loaded once, on first use; thread-safe).
  static Regions& instance();

  // Loads a TSV with header "code\tname\tfirst_seen\tlast_seen"; codes whose
  // last_seen equals the newest revision in the file are current, except the
  // "市辖区" / "县" placeholder rows, which are known but never current.
  // Throws gh::Error (unprocessable, "region.tsv") on a malformed file.
  static Regions from_tsv(std::string_view tsv);

  // Dictionary lookups. kNationalRegion is not a dictionary entry: these
  // return nothing/false for it; check_current and contains accept it.
  std::optional<Region> find(std::string_view code) const;
  bool is_current(std::string_view code) const;  // usable for new orgs and units
  bool is_known(std::string_view code) const;    // current or historical (citizen IDs)
  // Adds or renames a current code (e.g. one created after 2019). Throws
  // gh::Error (unprocessable, field "code") unless `code` is 6 digits other
  // than kNationalRegion, or when `name` is empty.
  void add(std::string code, std::string name);
  size_t size() const;

  // Checks a code for an org or unit: 6 digits and current (or kNationalRegion).
  // Error codes: region.format (not 6 digits), region.unknown (not a code, or
  // a placeholder that is not a place), region.historical (no longer current).
  Checked<std::string> check_current(std::string_view code) const;

  // From the code's shape: 000000 national, XX0000 province, XXXX00
  // prefecture, anything else county. Expects 6 digits.
  static RegionLevel level(std::string_view code);
  // True when `inner` lies inside `outer` (same code counts as inside):
  // national contains all, a province XX0000 every XX****, a prefecture
  // XXXX00 every XXXX**, a county only itself. False unless both are 6 digits.
  static bool contains(std::string_view outer, std::string_view inner);

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Region, StringHash, std::equal_to<>> by_code_;
};

}  // namespace gh
