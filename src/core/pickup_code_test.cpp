#include "core/pickup_code.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <set>

namespace gh {
namespace {

TEST(PickupCode, DammPublishedVectors) {
  // Wikipedia's worked example: 572 → check digit 4.
  EXPECT_EQ(damm_check_digit("572"), '4');
  // A number followed by its check digit checks to 0.
  EXPECT_EQ(damm_check_digit("5724"), '0');
  EXPECT_EQ(damm_check_digit(""), '\0');
  EXPECT_EQ(damm_check_digit("12a"), '\0');
}

TEST(PickupCode, MadeCodesParseAndLookRandom) {
  ASSERT_GE(sodium_init(), 0);
  std::set<std::string> seen;
  int digit_counts[10] = {};
  for (int i = 0; i < 2000; ++i) {
    auto code = make_pickup_code();
    ASSERT_EQ(code.size(), kPickupCodeDigits);
    auto parsed = parse_pickup_code(code);
    ASSERT_TRUE(parsed) << code;
    EXPECT_EQ(*parsed, code);
    seen.insert(code);
    for (size_t k = 0; k + 1 < code.size(); ++k) ++digit_counts[code[k] - '0'];
  }
  EXPECT_EQ(seen.size(), 2000u);
  // 22,000 random digits: each digit about 2,200 times (far from 0 or all).
  for (int c : digit_counts) {
    EXPECT_GT(c, 1800);
    EXPECT_LT(c, 2600);
  }
}

TEST(PickupCode, EverySingleTypoAndAdjacentSwapIsCaught) {
  const std::string code = "40719286335" + std::string(1, damm_check_digit("40719286335"));
  ASSERT_TRUE(parse_pickup_code(code));
  for (size_t i = 0; i < code.size(); ++i)
    for (char d = '0'; d <= '9'; ++d) {
      if (d == code[i]) continue;
      std::string typo = code;
      typo[i] = d;
      auto r = parse_pickup_code(typo);
      ASSERT_FALSE(r) << typo;
      EXPECT_EQ(r.error().code, "pickup_code.checksum");
    }
  for (size_t i = 0; i + 1 < code.size(); ++i) {
    if (code[i] == code[i + 1]) continue;
    std::string swapped = code;
    std::swap(swapped[i], swapped[i + 1]);
    EXPECT_FALSE(parse_pickup_code(swapped)) << swapped;
  }
}

TEST(PickupCode, FormatAndSeparators) {
  const std::string code = "40719286335" + std::string(1, damm_check_digit("40719286335"));
  EXPECT_EQ(format_pickup_code(code), code.substr(0, 4) + " " + code.substr(4, 4) + " " + code.substr(8));
  EXPECT_EQ(*parse_pickup_code(format_pickup_code(code)), code);
  EXPECT_EQ(*parse_pickup_code(code.substr(0, 4) + "-" + code.substr(4)), code);
  for (std::string_view bad : {"", "1234", "12345678901", "1234567890123", "40719286335x", "4071 9286 33５0"})
    EXPECT_EQ(parse_pickup_code(bad).error().code, "pickup_code.format") << bad;
}

}  // namespace
}  // namespace gh
