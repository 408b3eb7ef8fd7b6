// Union hierarchy rules (pure functions).
//
// national → province → city → county → grassroots; industry unions sit
// beside the regional ones under any non-grassroots org and hold industry
// sub-unions or grassroots unions. A child's level is always below its
// parent's, a grassroots union is a leaf, and a child's region lies inside
// its parent's region.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gh {
class Regions;
}

namespace gh::org {

enum class Level { national, province, city, county, grassroots, industry };

std::optional<Level> parse_level(std::string_view s);
std::string_view level_name(Level l);
int level_rank(Level l);  // national 0 … grassroots 4; industry 0 (placed by its parent)

struct ParentInfo {
  Level level;
  std::string_view region;
};

// Field errors (empty when the child may be created). Fields: level, region_code.
std::vector<FieldError> check_child(const ParentInfo& parent, Level level, std::string_view region,
                                    const Regions& regions);

}  // namespace gh::org
