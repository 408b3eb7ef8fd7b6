#include "modules/org/rules.h"

#include <gtest/gtest.h>

#include "core/regions.h"

namespace gh::org {
namespace {

struct Case {
  Level parent;
  const char* parent_region;
  Level child;
  const char* region;
  const char* error_field;  // nullptr = allowed
  const char* error_code;
};

class CheckChild : public ::testing::TestWithParam<Case> {};

TEST_P(CheckChild, FollowsTheHierarchy) {
  const auto& c = GetParam();
  auto errors = check_child({c.parent, c.parent_region}, c.child, c.region, Regions::instance());
  if (!c.error_field) {
    EXPECT_TRUE(errors.empty()) << errors.front().code;
  } else {
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors.front().field, c.error_field);
    EXPECT_EQ(errors.front().code, c.error_code);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Levels, CheckChild,
    ::testing::Values(
        Case{Level::national, "000000", Level::province, "530000", nullptr, nullptr},
        Case{Level::province, "530000", Level::city, "530100", nullptr, nullptr},
        Case{Level::city, "530100", Level::county, "530102", nullptr, nullptr},
        Case{Level::county, "530102", Level::grassroots, "530102", nullptr, nullptr},
        Case{Level::province, "530000", Level::grassroots, "530102", nullptr, nullptr},
        Case{Level::province, "530000", Level::industry, "530000", nullptr, nullptr},
        Case{Level::industry, "530000", Level::grassroots, "530102", nullptr, nullptr},
        Case{Level::industry, "530000", Level::industry, "530100", nullptr, nullptr},
        // A child's level must sit below its parent's.
        Case{Level::city, "530100", Level::province, "530000", "level", "level.below_parent"},
        Case{Level::city, "530100", Level::city, "530100", "level", "level.below_parent"},
        Case{Level::industry, "530000", Level::county, "530102", "level", "level.below_parent"},
        Case{Level::grassroots, "530102", Level::grassroots, "530102", "level", "level.leaf"},
        Case{Level::province, "530000", Level::national, "000000", "level", "level.national_unique"},
        // Regions: inside the parent's, current, and province-level for provinces.
        Case{Level::province, "530000", Level::city, "130100", "region_code", "region.outside_parent"},
        Case{Level::city, "530100", Level::county, "530302", "region_code", "region.outside_parent"},
        Case{Level::national, "000000", Level::province, "530100", "region_code", "region.level"},
        Case{Level::national, "000000", Level::province, "12345", "region_code", "region.format"},
        Case{Level::national, "000000", Level::province, "999900", "region_code", "region.unknown"},
        Case{Level::city, "110100", Level::county, "110103", "region_code", "region.historical"},
        Case{Level::national, "000000", Level::industry, "000000", "region_code", "region.outside_parent"}));

TEST(Levels, ParseAndName) {
  for (auto name : {"national", "province", "city", "county", "grassroots", "industry"}) {
    auto l = parse_level(name);
    ASSERT_TRUE(l.has_value()) << name;
    EXPECT_EQ(level_name(*l), name);
  }
  EXPECT_FALSE(parse_level("village").has_value());
  EXPECT_FALSE(parse_level("").has_value());
  EXPECT_FALSE(parse_level("Province").has_value());
}

}  // namespace
}  // namespace gh::org
