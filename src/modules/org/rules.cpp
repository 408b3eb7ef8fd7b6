#include "modules/org/rules.h"

#include <array>
#include <string>

#include "core/regions.h"

namespace gh::org {
namespace {
constexpr std::array<std::string_view, 6> kNames = {"national", "province",   "city",
                                                     "county",   "grassroots", "industry"};
}

std::optional<Level> parse_level(std::string_view s) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == s) return static_cast<Level>(i);
  return std::nullopt;
}

std::string_view level_name(Level l) { return kNames[static_cast<size_t>(l)]; }

int level_rank(Level l) {
  switch (l) {
    case Level::national: return 0;
    case Level::province: return 1;
    case Level::city: return 2;
    case Level::county: return 3;
    case Level::grassroots: return 4;
    case Level::industry: return 0;
  }
  return 0;
}

std::vector<FieldError> check_child(const ParentInfo& parent, Level level, std::string_view region,
                                    const Regions& regions) {
  std::vector<FieldError> errors;
  if (level == Level::national) {
    errors.push_back({"level", "level.national_unique", "there is only one national federation"});
  } else if (parent.level == Level::grassroots) {
    errors.push_back({"level", "level.leaf", "a grassroots union cannot have child organisations"});
  } else if (parent.level == Level::industry) {
    if (level != Level::industry && level != Level::grassroots)
      errors.push_back({"level", "level.below_parent",
                        "an industry union can only hold industry or grassroots unions"});
  } else if (level != Level::industry && level_rank(level) <= level_rank(parent.level)) {
    errors.push_back({"level", "level.below_parent",
                      std::string("a ") + std::string(level_name(level)) +
                          " union cannot sit under a " + std::string(level_name(parent.level)) +
                          " union: its level must be below its parent's"});
  }

  auto checked = regions.check_current(region);
  if (!checked) {
    errors.push_back({"region_code", checked.error().code, checked.error().message});
  } else if (region == kNationalRegion) {
    errors.push_back({"region_code", "region.outside_parent", "only the national federation covers the whole country"});
  } else if (!Regions::contains(parent.region, region)) {
    errors.push_back({"region_code", "region.outside_parent",
                      "region " + std::string(region) + " is not inside the parent's region " +
                          std::string(parent.region)});
  } else if (level == Level::province && Regions::level(region) != RegionLevel::province) {
    errors.push_back({"region_code", "region.level", "a province union needs a province-level region code (XX0000)"});
  }
  return errors;
}

}  // namespace gh::org
