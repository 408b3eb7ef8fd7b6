#include "modules/member/rules.h"

#include <gtest/gtest.h>

#include <set>

#include "core/regions.h"
#include "modules/member/dictionaries.h"

namespace gh::member {
namespace {

namespace json = boost::json;

json::object valid_row() {
  return {{"name", "张三"},
          {"citizen_id", "11010519491231002X"},
          {"phone", "13800138000"},
          {"unit_id", 3},
          {"household", "rural"},
          {"employment_form", "delivery_rider"},
          {"employment_status", "in_service"}};
}

std::optional<Input> read(const json::value& v, std::vector<FieldError>& errors) {
  http::Fields f(v);
  auto in = read_input(f, Regions::instance(), Date{2026, 11, 29});
  errors = f.errors();
  return in;
}

TEST(ReadInput, ValidRowDerivesSexAndBirthDate) {
  std::vector<FieldError> errors;
  auto in = read(valid_row(), errors);
  ASSERT_TRUE(in.has_value()) << errors.front().message;
  EXPECT_EQ(in->citizen.number, "11010519491231002X");
  EXPECT_EQ(in->citizen.sex, 'F');
  EXPECT_EQ(in->citizen.birth_date.iso(), "1949-12-31");
  EXPECT_EQ(in->household, "rural");
  EXPECT_EQ(in->employment_form, "delivery_rider");
}

TEST(ReadInput, AliasesAndLabelsBecomeCodes) {
  auto row = valid_row();
  row["household"] = "农村";
  row["employment_form"] = "rider";
  row["employment_status"] = "在职";
  row["ethnic_group"] = "汉族";
  std::vector<FieldError> errors;
  auto in = read(row, errors);
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->household, "rural");
  EXPECT_EQ(in->employment_form, "delivery_rider");
  EXPECT_EQ(in->employment_status, "in_service");
  EXPECT_EQ(in->ethnic_group, "01");
}

struct Bad {
  const char* field;
  json::value value;
  const char* code;
};

class ReadInputRejects : public ::testing::TestWithParam<Bad> {};

TEST_P(ReadInputRejects, NamesTheField) {
  const auto& b = GetParam();
  auto row = valid_row();
  if (b.value.is_null()) row.erase(b.field);
  else row[b.field] = b.value;
  std::vector<FieldError> errors;
  EXPECT_FALSE(read(row, errors).has_value());
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.front().field, b.field);
  EXPECT_EQ(errors.front().code, b.code);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, ReadInputRejects,
    ::testing::Values(Bad{"citizen_id", "11010519491231002Y", "citizen_id.format"},
                      Bad{"citizen_id", "110105194912310021", "citizen_id.checksum"},
                      Bad{"citizen_id", "11010519491231002x", "citizen_id.lowercase_x"},
                      Bad{"phone", "12800138000", "phone.format"},
                      Bad{"household", "suburban", "household.unknown"},
                      Bad{"employment_form", "pilot", "employment_form.unknown"},
                      Bad{"ethnic_group", "99", "ethnic_group.unknown"}));

TEST(ReadInput, MissingAndWrongTypesAreAllReported) {
  json::object row{{"name", 5}, {"unit_id", "x"}};
  std::vector<FieldError> errors;
  EXPECT_FALSE(read(row, errors).has_value());
  std::set<std::string> fields;
  for (const auto& e : errors) fields.insert(e.field);
  for (auto f : {"name", "citizen_id", "phone", "unit_id", "household", "employment_form", "employment_status"})
    EXPECT_TRUE(fields.count(f)) << f;
}

TEST(Dictionaries, AllowedListsEveryCode) {
  EXPECT_EQ(households().allowed(), "urban, rural");
  EXPECT_EQ(ethnic_groups().entries.size(), 56u);
  EXPECT_EQ(*employment_statuses().canonical("retired"), "retired");
  EXPECT_FALSE(employment_statuses().canonical("sacked").has_value());
}

}  // namespace
}  // namespace gh::member
