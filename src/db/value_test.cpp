#include <gtest/gtest.h>

#include <limits>

#include "core/error.h"
#include "db/db.h"
#include "db/postgres/postgres.h"
#include "db/scratch.h"

namespace gh::db {
namespace {

TEST(Value, KindsFromConstructors) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_TRUE(Value(nullptr).is_null());
  EXPECT_TRUE(Value(1).is_int());
  EXPECT_TRUE(Value(int64_t{1}).is_int());
  EXPECT_TRUE(Value(true).is_int());
  EXPECT_TRUE(Value(1.5).is_double());
  EXPECT_TRUE(Value("a").is_text());
  EXPECT_TRUE(Value(std::string_view("a")).is_text());
  EXPECT_TRUE(Value(std::optional<int64_t>()).is_null());
  EXPECT_TRUE(Value(std::optional<int64_t>(3)).is_int());
  EXPECT_TRUE(Value(std::optional<std::string>("x")).is_text());
}

TEST(Value, ConversionsAreLenient) {
  EXPECT_EQ(Value(42).str(), "42");
  EXPECT_EQ(Value("42").i64(), 42);
  EXPECT_EQ(Value("-9223372036854775808").i64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Value("2.75").f64(), 2.75);
  EXPECT_EQ(Value("2.75").i64(), 2);
  EXPECT_EQ(Value(2.75).i64(), 2);
  EXPECT_EQ(Value(-2.75).i64(), -2);
  EXPECT_EQ(Value(7).f64(), 7.0);
  EXPECT_EQ(Value(0.1).str(), "0.1");
  EXPECT_EQ(Value("t").i64(), 1);
  EXPECT_EQ(Value("f").i64(), 0);
  EXPECT_TRUE(Value(true).boolean());
  EXPECT_FALSE(Value(0).boolean());
}

TEST(Value, NullConvertsToZeroOrEmpty) {
  Value n;
  EXPECT_EQ(n.i64(), 0);
  EXPECT_EQ(n.f64(), 0.0);
  EXPECT_EQ(n.str(), "");
  EXPECT_FALSE(n.opt_i64());
  EXPECT_FALSE(n.opt_str());
  EXPECT_EQ(Value(5).opt_i64(), 5);
  EXPECT_EQ(Value("x").opt_str(), "x");
}

TEST(Value, TextThatIsNotANumberIsABug) {
  EXPECT_THROW(Value("abc").i64(), Error);
  EXPECT_THROW(Value("12abc").f64(), Error);
  EXPECT_EQ(Value("abc").text(), "abc");
  EXPECT_EQ(Value(1).text(), "");
}

TEST(Value, HugeDoublesSaturate) {
  EXPECT_EQ(Value(1e300).i64(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Value(-1e300).i64(), std::numeric_limits<int64_t>::min());
}

TEST(Clock, NowIsUnixMilliseconds) {
  int64_t now = now_ms();
  EXPECT_GT(now, 1'700'000'000'000);  // after Nov 2023
  EXPECT_LT(now, 4'102'444'800'000);  // before 2100
}

TEST(Urls, PasswordsAreRedacted) {
  EXPECT_EQ(redact_url("postgresql://u:secret@h:5432/db"), "postgresql://u:***@h:5432/db");
  EXPECT_EQ(redact_url("postgresql://u@h:5432/db"), "postgresql://u@h:5432/db");
  EXPECT_EQ(redact_url("postgresql://h/db"), "postgresql://h/db");
}

TEST(Urls, WithDatabaseReplacesThePath) {
  EXPECT_EQ(with_database("postgresql://postgres@127.0.0.1:55432/gonghui_test", "x"),
            "postgresql://postgres@127.0.0.1:55432/x");
  EXPECT_EQ(with_database("postgresql://h:1", "x"), "postgresql://h:1/x");
  EXPECT_EQ(with_database("postgresql://h/db?sslmode=disable", "x"),
            "postgresql://h/x?sslmode=disable");
  EXPECT_EQ(with_database("postgresql://h?sslmode=disable", "x"),
            "postgresql://h/x?sslmode=disable");
}

TEST(Open, SqliteNeedsAFile) {
  StoreOptions o;
  o.url = "sqlite::memory:";
  EXPECT_THROW(Store::open(o), Error);
}

TEST(Open, UnreachablePostgresIsUnavailable) {
  StoreOptions o;
  o.url = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2";
  try {
    Store::open(o);
    ADD_FAILURE() << "opened a store on a closed port";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
  }
}

}  // namespace
}  // namespace gh::db
