#include "core/card_no.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace gh {
namespace {

// Expected digits computed independently (a Python Luhn implementation).
TEST(CardNo, LuhnCheckDigit) {
  const struct {
    const char* payload;
    char check;
  } cases[] = {
      {"7992739871", '3'},       // the classic worked example of the algorithm
      {"411111111111111", '1'},  // Visa test number 4111 1111 1111 1111
      {"320508000000123", '9'},
      {"110105000000001", '9'},
      {"000000000000000", '0'},
      {"0", '0'},
      {"", '\0'},
      {"12a4", '\0'},
  };
  for (const auto& c : cases) EXPECT_EQ(luhn_check_digit(c.payload), c.check) << c.payload;
}

TEST(CardNo, Make) {
  const struct {
    const char* region;
    int64_t serial;
    const char* card;
  } cases[] = {
      {"320508", 123, "3205080000001239"},
      {"110105", 1, "1101050000000019"},
      {"110101", 0, "1101010000000005"},
      {"320508", 999'999'999, "3205089999999998"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(make_card_no(c.region, c.serial), c.card);
    const auto parsed = parse_card_no(c.card);
    ASSERT_TRUE(parsed.ok()) << c.card;
    EXPECT_EQ(*parsed, c.card);
  }
}

TEST(CardNo, MakeRejectsBadInput) {
  EXPECT_THROW(make_card_no("32050", 1), Error);
  EXPECT_THROW(make_card_no("32050x", 1), Error);
  EXPECT_THROW(make_card_no("320508", -1), Error);
  EXPECT_THROW(make_card_no("320508", 1'000'000'000), Error);
}

TEST(CardNo, Parse) {
  const struct {
    const char* input;
    const char* value;  // nullptr when rejected
    const char* code;
  } cases[] = {
      {"3205080000001239", "3205080000001239", nullptr},
      {"3205 0800 0000 1239", "3205080000001239", nullptr},
      {"3205-0800-0000-1239", "3205080000001239", nullptr},
      {"3205080000001238", nullptr, "card_no.checksum"},
      {"3205080000002139", nullptr, "card_no.checksum"},  // swapped digits
      {"3205080000001329", nullptr, "card_no.checksum"},  // swapped digits
      {"320508000000123", nullptr, "card_no.format"},
      {"32050800000012390", nullptr, "card_no.format"},
      {"320508000000123X", nullptr, "card_no.format"},
      {"", nullptr, "card_no.format"},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_card_no(c.input);
    if (c.value != nullptr) {
      ASSERT_TRUE(parsed.ok()) << c.input;
      EXPECT_EQ(*parsed, c.value);
    } else {
      ASSERT_FALSE(parsed.ok()) << c.input;
      EXPECT_EQ(parsed.error().code, c.code) << c.input;
    }
  }
}

TEST(CardNo, EverySingleDigitErrorIsCaught) {
  const std::string valid = make_card_no("320508", 4242);
  for (size_t pos = 0; pos < valid.size(); ++pos) {
    for (char c = '0'; c <= '9'; ++c) {
      if (c == valid[pos]) continue;
      std::string typo = valid;
      typo[pos] = c;
      EXPECT_FALSE(parse_card_no(typo).ok()) << typo;
    }
  }
}

}  // namespace
}  // namespace gh
