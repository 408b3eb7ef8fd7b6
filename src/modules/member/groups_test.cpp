#include "modules/member/groups.h"

#include <gtest/gtest.h>

namespace gh::member {
namespace {

TEST(MemberGroups, Parse) {
  EXPECT_TRUE(parse_groups({"all"})->all);
  auto g = parse_groups({"rural", "needy", "rural"});
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->all);
  EXPECT_TRUE(g->rural);
  EXPECT_TRUE(g->needy);
  EXPECT_FALSE(g->new_employment);
  EXPECT_EQ(groups_text(*g), "needy,rural");
  EXPECT_EQ(groups_text(Groups{}), "all");
  EXPECT_FALSE(parse_groups({}));
  EXPECT_FALSE(parse_groups({"all", "needy"}));
  EXPECT_FALSE(parse_groups({"retired"}));
  const auto back = groups_from_text("new_employment,needy,rural");
  EXPECT_EQ(group_names(back), (std::vector<std::string>{"new_employment", "needy", "rural"}));
  EXPECT_TRUE(groups_from_text("all").all);
}

TEST(MemberGroups, Eligible) {
  const MemberFacts plain{"active", "urban", "standard", std::nullopt};
  const MemberFacts rider{"active", "urban", "delivery_rider", "none"};
  const MemberFacts needy{"active", "urban", "standard", "relative"};
  const MemberFacts rural{"active", "rural", "standard", std::nullopt};
  const MemberFacts flexible{"active", "urban", "flexible", std::nullopt};
  const MemberFacts suspended{"suspended", "rural", "courier", "deep"};
  const Groups all{};
  const Groups new_emp{false, true, false, false};
  const Groups needy_or_rural{false, false, true, true};

  EXPECT_TRUE(eligible(all, plain));
  EXPECT_FALSE(eligible(all, suspended));  // only active members
  EXPECT_TRUE(eligible(new_emp, rider));
  EXPECT_FALSE(eligible(new_emp, plain));
  EXPECT_FALSE(eligible(new_emp, flexible));  // 其他灵活就业 is not one of the new employment forms
  EXPECT_TRUE(eligible(needy_or_rural, needy));
  EXPECT_TRUE(eligible(needy_or_rural, rural));
  EXPECT_FALSE(eligible(needy_or_rural, plain));
  EXPECT_FALSE(eligible(needy_or_rural, rider));
  EXPECT_FALSE(eligible(needy_or_rural, suspended));

  for (const char* f : {"courier", "delivery_rider", "ride_hailing_driver", "truck_driver"})
    EXPECT_TRUE(is_new_employment(f)) << f;
  for (const char* f : {"standard", "flexible", ""}) EXPECT_FALSE(is_new_employment(f)) << f;
  for (const char* s : {"deep", "relative", "accident"}) EXPECT_TRUE(is_needy(std::string(s))) << s;
  EXPECT_FALSE(is_needy(std::string("none")));
  EXPECT_FALSE(is_needy(std::nullopt));
}

}  // namespace
}  // namespace gh::member
