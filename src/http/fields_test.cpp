#include "http/fields.h"

#include <gtest/gtest.h>

#include "http/http.h"

namespace gh::http {
namespace {

namespace json = boost::json;

json::value obj(std::string_view text) { return json::parse(text); }

const FieldError* find(const Fields& f, std::string_view field) {
  for (const auto& e : f.errors())
    if (e.field == field) return &e;
  return nullptr;
}

TEST(Fields, ReadsValidValues) {
  auto v =
      obj(R"({"name":"  工会 ","org_id":7,"n":5,"ok":true,"level":"city","tags":["a"," b "]})");
  Fields f(v);
  EXPECT_EQ(f.str("name"), "工会");
  EXPECT_EQ(f.id("org_id"), 7);
  EXPECT_EQ(f.i64("n", 1, 10), 5);
  EXPECT_TRUE(f.boolean("ok"));
  EXPECT_EQ(f.one_of("level", {"city", "county"}), "city");
  EXPECT_EQ(f.str_list("tags"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(f.ok());
  EXPECT_NO_THROW(f.done());
}

TEST(Fields, MissingRequiredFields) {
  auto v = obj("{}");
  Fields f(v);
  EXPECT_EQ(f.str("name"), "");
  EXPECT_EQ(f.id("org_id"), 0);
  EXPECT_EQ(f.i64("n", 0, 5), 0);
  EXPECT_FALSE(f.boolean("flag"));
  EXPECT_EQ(f.one_of("level", {"a"}), "");
  ASSERT_EQ(f.errors().size(), 5u);
  for (const auto& e : f.errors()) {
    EXPECT_EQ(e.code, e.field + ".required");
    EXPECT_NE(e.message.find(e.field), std::string::npos) << e.message;
  }
}

TEST(Fields, WrongTypes) {
  auto v = obj(R"({"name":3,"org_id":"7","n":1.5,"flag":"yes","level":1,"tags":"x"})");
  Fields f(v);
  f.str("name");
  f.id("org_id");
  f.i64("n", 0, 5);
  f.boolean("flag");
  f.one_of("level", {"a"});
  f.str_list("tags");
  ASSERT_EQ(f.errors().size(), 6u);
  for (const auto& e : f.errors()) EXPECT_EQ(e.code, e.field + ".type") << e.field;
  EXPECT_EQ(find(f, "name")->message, "name must be a string");
}

TEST(Fields, LengthsCountCodePoints) {
  // 4 CJK characters = 12 bytes
  auto v = obj(R"({"a":"中华全国","b":"中华全国总"})");
  Fields f(v);
  EXPECT_EQ(f.str("a", {.max = 4}), "中华全国");
  EXPECT_EQ(f.str("b", {.max = 4}), "");
  ASSERT_EQ(f.errors().size(), 1u);
  EXPECT_EQ(f.errors()[0].field, "b");
  EXPECT_EQ(f.errors()[0].code, "b.too_long");
  EXPECT_EQ(f.errors()[0].message, "b must be at most 4 characters long");
}

TEST(Fields, TooShortAndEmpty) {
  auto v = obj(R"({"a":"x","b":"   ","c":"\u3000"})");
  Fields f(v);
  f.str("a", {.min = 2});
  f.str("b");
  EXPECT_EQ(f.opt_str("c"), std::nullopt);  // optional + empty after trim = absent
  ASSERT_EQ(f.errors().size(), 2u);
  EXPECT_EQ(find(f, "a")->code, "a.too_short");
  EXPECT_EQ(find(f, "b")->code, "b.required");
}

TEST(Fields, ControlCharactersRejected) {
  auto v = obj(R"({"a":"x\u0000y","b":"line\nbreak"})");
  Fields f(v);
  f.str("a");
  f.str("b");
  ASSERT_EQ(f.errors().size(), 2u);
  EXPECT_EQ(find(f, "a")->code, "a.control");
  EXPECT_EQ(find(f, "b")->code, "b.control");
}

TEST(Fields, OptionalsAreAbsentWithoutErrors) {
  auto v = obj(R"({"x":null})");
  Fields f(v);
  EXPECT_EQ(f.opt_str("x"), std::nullopt);
  EXPECT_EQ(f.opt_id("y"), std::nullopt);
  EXPECT_EQ(f.opt_i64("z", 0, 1), std::nullopt);
  EXPECT_TRUE(f.boolean("b", true));
  EXPECT_EQ(f.one_of("l", {"a", "b"}, "b"), "b");
  EXPECT_TRUE(f.str_list("t").empty());
  EXPECT_TRUE(f.ok());
}

TEST(Fields, IdsArePositive) {
  auto v = obj(R"({"a":0,"b":-3,"c":18446744073709551615})");
  Fields f(v);
  f.id("a");
  f.opt_id("b");
  f.id("c");
  ASSERT_EQ(f.errors().size(), 3u);
  EXPECT_EQ(find(f, "a")->code, "a.range");
  EXPECT_EQ(find(f, "b")->code, "b.range");
  EXPECT_EQ(find(f, "c")->code, "c.type");  // beyond int64
}

TEST(Fields, IntegerRange) {
  auto v = obj(R"({"a":11,"b":-1,"c":10})");
  Fields f(v);
  f.i64("a", 0, 10);
  f.opt_i64("b", 0, 10);
  EXPECT_EQ(f.i64("c", 0, 10), 10);
  ASSERT_EQ(f.errors().size(), 2u);
  EXPECT_EQ(find(f, "a")->code, "a.range");
  EXPECT_EQ(find(f, "a")->message, "a must be between 0 and 10");
}

TEST(Fields, OneOfListsChoices) {
  auto v = obj(R"({"level":"planet"})");
  Fields f(v);
  EXPECT_EQ(f.one_of("level", {"city", "county"}), "");
  ASSERT_EQ(f.errors().size(), 1u);
  EXPECT_EQ(f.errors()[0].code, "level.one_of");
  EXPECT_EQ(f.errors()[0].message, "level must be one of: city, county");
}

TEST(Fields, StrListLimits) {
  auto v = obj(R"({"a":["x","y","z"],"b":["ok",3,""]})");
  Fields f(v);
  EXPECT_TRUE(f.str_list("a", 2).empty());
  EXPECT_EQ(f.str_list("b"), std::vector<std::string>{"ok"});
  ASSERT_EQ(f.errors().size(), 3u);
  EXPECT_EQ(find(f, "a")->code, "a.too_many");
  EXPECT_EQ(find(f, "b[1]")->code, "b.type");
  EXPECT_EQ(find(f, "b[2]")->code, "b.type");
}

TEST(Fields, PrefixGoesIntoFieldNotCode) {
  auto v = obj(R"({"name":1})");
  Fields f(v, "rows[3].");
  f.str("name");
  ASSERT_EQ(f.errors().size(), 1u);
  EXPECT_EQ(f.errors()[0].field, "rows[3].name");
  EXPECT_EQ(f.errors()[0].code, "name.type");
}

TEST(Fields, NotAnObjectRecordsOneErrorAndNeverThrowsUntilDone) {
  auto v = obj("[1,2]");
  Fields f(v);
  EXPECT_EQ(f.str("name"), "");
  EXPECT_EQ(f.id("id"), 0);
  ASSERT_EQ(f.errors().size(), 1u);
  EXPECT_EQ(f.errors()[0].field, "body");
  EXPECT_EQ(f.errors()[0].code, "body.not_object");
  Fields g(v, "rows[2].");
  ASSERT_EQ(g.errors().size(), 1u);
  EXPECT_EQ(g.errors()[0].field, "rows[2]");
}

TEST(Fields, DoneThrowsInvalidWithAllErrors) {
  auto v = obj(R"({"a":1})");
  Fields f(v);
  f.str("a");
  f.str("b");
  f.add("c", "c.custom", "c is odd");
  try {
    f.done();
    FAIL() << "done() must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unprocessable);
    EXPECT_EQ(e.code(), "validation");
    ASSERT_EQ(e.errors().size(), 3u);
    EXPECT_EQ(e.errors()[2].code, "c.custom");
  }
}

TEST(Fields, RawGivesAccessToTheValue) {
  auto v = obj(R"({"a":{"b":1}})");
  Fields f(v);
  ASSERT_NE(f.raw("a"), nullptr);
  EXPECT_TRUE(f.raw("a")->is_object());
  EXPECT_EQ(f.raw("zzz"), nullptr);
}

TEST(PageFrom, DefaultsAndValues) {
  Request r;
  auto p = page_from(r);
  EXPECT_EQ(p.page, 1);
  EXPECT_EQ(p.size, 20);
  r.query = {{"page", "3"}, {"page_size", "50"}};
  p = page_from(r);
  EXPECT_EQ(p.page, 3);
  EXPECT_EQ(p.size, 50);
  EXPECT_EQ(p.offset(), 100);
}

TEST(PageFrom, InvalidValuesAre422NamingTheField) {
  Request r;
  r.query = {{"page", "0"}, {"page_size", "abc"}};
  try {
    page_from(r);
    FAIL() << "must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unprocessable);
    ASSERT_EQ(e.errors().size(), 2u);
    EXPECT_EQ(e.errors()[0].field, "page");
    EXPECT_EQ(e.errors()[0].code, "page.range");
    EXPECT_EQ(e.errors()[1].field, "page_size");
    EXPECT_EQ(e.errors()[1].code, "page_size.type");
  }
  r.query = {{"page_size", "201"}};
  EXPECT_THROW(page_from(r), Error);
  r.query = {{"page_size", "10"}};
  EXPECT_THROW(page_from(r, 5), Error);
  EXPECT_EQ(page_from(r, 10).size, 10);
}

}  // namespace
}  // namespace gh::http
