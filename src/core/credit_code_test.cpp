#include "core/credit_code.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace gh {
namespace {

// Real codes quoted in public material, and synthetic ones. Every expected
// check character here was computed independently of this code (a short
// Python script implementing the GB 32100 and GB 11714 weights).
struct ValidCase {
  const char* input;
  const char* code;
  char authority, category;
  const char* region;
  const char* org_code;
};

TEST(CreditCode, AcceptsValidCodes) {
  const ValidCase cases[] = {
      {"91350100M000100Y43", "91350100M000100Y43", '9', '1', "350100", "M000100Y4"},
      {"91110000600037341L", "91110000600037341L", '9', '1', "110000", "600037341"},
      {" 91110000600037341L\t", "91110000600037341L", '9', '1', "110000", "600037341"},
      // Trade-union bodies (authority 8).
      {"813205001234567882", "813205001234567882", '8', '1', "320500", "123456788"},
      {"82110105MA01ABCD5D", "82110105MA01ABCD5D", '8', '2', "110105", "MA01ABCD5"},
      // Edge values of both checks: org check 'X' and '0', credit check '0' and 'Y'.
      {"8132050800000006XE", "8132050800000006XE", '8', '1', "320508", "00000006X"},
      {"81320508000000000E", "81320508000000000E", '8', '1', "320508", "000000000"},
      {"813205080000004570", "813205080000004570", '8', '1', "320508", "000000457"},
      {"81320508000000334Y", "81320508000000334Y", '8', '1', "320508", "000000334"},
  };
  for (const auto& c : cases) {
    const auto cc = parse_credit_code(c.input);
    ASSERT_TRUE(cc.ok()) << c.input << ": " << cc.error().code;
    EXPECT_EQ(cc->code, c.code);
    EXPECT_EQ(cc->authority, c.authority);
    EXPECT_EQ(cc->category, c.category);
    EXPECT_EQ(cc->region, c.region);
    EXPECT_EQ(cc->org_code, c.org_code);
  }
}

TEST(CreditCode, RejectsWithTheRightCode) {
  const struct {
    const char* input;
    const char* code;
  } cases[] = {
      {"91350100M000100Y4", "credit_code.format"},    // 17
      {"91350100M000100Y433", "credit_code.format"},  // 19
      {"", "credit_code.format"},
      {"91350100I000100Y43", "credit_code.format"},  // I
      {"91350100O000100Y43", "credit_code.format"},  // O
      {"91350100Z000100Y43", "credit_code.format"},  // Z
      {"91350100S000100Y43", "credit_code.format"},  // S
      {"91350100V000100Y43", "credit_code.format"},  // V
      {"91350100m000100y43", "credit_code.format"},  // lower case
      {"91350100M000100Y4-", "credit_code.format"},
      {"9135 100M000100Y43", "credit_code.format"},
      {"91AB0100M000100Y43", "credit_code.format"},    // region not digits
      {"91350100M000100Y53", "credit_code.org_code"},  // org check 4 → 5
      {"91350100M000101Y43", "credit_code.org_code"},
      {"91350100M000100Y44", "credit_code.checksum"},  // check 3 → 4
      {"91350101M000100Y43", "credit_code.checksum"},  // region digit changed
      {"92350100M000100Y43", "credit_code.checksum"},  // category changed
  };
  for (const auto& c : cases) {
    const auto cc = parse_credit_code(c.input);
    ASSERT_FALSE(cc.ok()) << c.input;
    EXPECT_EQ(cc.error().code, c.code) << c.input;
    EXPECT_FALSE(cc.error().message.empty());
  }
}

TEST(CreditCode, EverySingleSubstitutionIsCaught) {
  // 31 is prime and no weight is 0 mod 31, so changing any one character to
  // any other of the charset breaks the final check (if not the org check).
  const std::string valid = "91350100M000100Y43";
  const std::string_view charset = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  for (size_t pos = 0; pos < valid.size(); ++pos) {
    for (char c : charset) {
      if (c == valid[pos]) continue;
      std::string typo = valid;
      typo[pos] = c;
      EXPECT_FALSE(parse_credit_code(typo).ok()) << typo;
    }
  }
}

TEST(CreditCode, OverridesAcceptKnownBadCodesOnly) {
  const std::set<std::string, std::less<>> overrides = {"91350100M000100Y44", "91350100M000100Y53",
                                                        "91350100I000100Y43"};
  const auto bad_check = parse_credit_code("91350100M000100Y44", overrides);
  ASSERT_TRUE(bad_check.ok());
  EXPECT_EQ(bad_check->org_code, "M000100Y4");
  EXPECT_TRUE(parse_credit_code("91350100M000100Y53", overrides).ok());
  EXPECT_TRUE(parse_credit_code(" 91350100M000100Y44 ", overrides).ok());
  // The format check still applies, and other codes are still checked.
  EXPECT_EQ(parse_credit_code("91350100I000100Y43", overrides).error().code, "credit_code.format");
  EXPECT_EQ(parse_credit_code("91350100M000100Y45", overrides).error().code,
            "credit_code.checksum");
  EXPECT_TRUE(parse_credit_code("91350100M000100Y43", overrides).ok());
}

TEST(CreditCode, CheckChars) {
  EXPECT_EQ(credit_code_check_char("91350100M000100Y4"), '3');
  EXPECT_EQ(credit_code_check_char("91110000600037341"), 'L');
  EXPECT_EQ(credit_code_check_char("9135010OM000100Y4"), '\0');
  EXPECT_EQ(credit_code_check_char("91350100M000100Y"), '\0');
  // GB 11714's own example: D2143569-X.
  EXPECT_EQ(org_code_check_char("D2143569"), 'X');
  EXPECT_EQ(org_code_check_char("M000100Y"), '4');
  EXPECT_EQ(org_code_check_char("60003734"), '1');
  EXPECT_EQ(org_code_check_char("00000000"), '0');
  // GB 11714 values letters over the whole alphabet (I = 18, O = 24 …).
  EXPECT_EQ(org_code_check_char("MA01IOZS"), '3');
  EXPECT_EQ(org_code_check_char("m000100Y"), '\0');
  EXPECT_EQ(org_code_check_char("M000100"), '\0');
  EXPECT_EQ(org_code_check_char("M000-100"), '\0');
}

TEST(CreditCode, MakeBuildsValidCodes) {
  EXPECT_EQ(make_credit_code('8', '1', "320500", "12345678"), "813205001234567882");
  EXPECT_EQ(make_credit_code('8', '2', "110105", "MA01ABCD"), "82110105MA01ABCD5D");
  EXPECT_EQ(make_credit_code('9', '1', "440300", "MA5F0K9P"), "91440300MA5F0K9P6X");
  EXPECT_EQ(make_credit_code('9', '1', "350100", "M000100Y"), "91350100M000100Y43");
  for (int i = 0; i < 200; ++i) {
    std::string org = std::to_string(10'000'000 + i * 7919);
    org[0] = "MNPQ"[i % 4];
    const std::string code = make_credit_code('8', '9', "320508", org);
    EXPECT_TRUE(parse_credit_code(code).ok()) << code;
  }
}

TEST(CreditCode, MakeRejectsBadInput) {
  EXPECT_THROW(make_credit_code('I', '1', "320500", "12345678"), Error);
  EXPECT_THROW(make_credit_code('8', 'o', "320500", "12345678"), Error);
  EXPECT_THROW(make_credit_code('8', '1', "32050a", "12345678"), Error);
  EXPECT_THROW(make_credit_code('8', '1', "32050", "12345678"), Error);
  EXPECT_THROW(make_credit_code('8', '1', "320500", "1234567"), Error);
  EXPECT_THROW(make_credit_code('8', '1', "320500", "1234567O"), Error);
}

}  // namespace
}  // namespace gh
