#include "core/phone.h"

#include <gtest/gtest.h>

namespace gh {
namespace {

TEST(Phone, Parse) {
  const struct {
    const char* input;
    const char* value;  // nullptr when rejected
  } cases[] = {
      {"13800138000", "13800138000"},
      {"19912345678", "19912345678"},
      {"+8613800138000", "13800138000"},
      {"+86 138 0013 8000", "13800138000"},
      {"8613800138000", "13800138000"},
      {"138-0013-8000", "13800138000"},
      {" 13800138000 ", "13800138000"},
      {"12800138000", nullptr},   // second digit 2
      {"10800138000", nullptr},   // second digit 0
      {"23800138000", nullptr},   // does not start with 1
      {"1380013800", nullptr},    // 10 digits
      {"138001380001", nullptr},  // 12 digits
      {"86138001380", nullptr},   // "86" + 9 digits is not a country code
      {"+8612800138000", nullptr},
      {"+85213800138000", nullptr},  // Hong Kong prefix
      {"1380013800a", nullptr},
      {"(138)00138000", nullptr},
      {"", nullptr},
  };
  for (const auto& c : cases) {
    const auto p = parse_phone(c.input);
    if (c.value != nullptr) {
      ASSERT_TRUE(p.ok()) << c.input;
      EXPECT_EQ(*p, c.value);
    } else {
      ASSERT_FALSE(p.ok()) << c.input;
      EXPECT_EQ(p.error().code, "phone.format") << c.input;
    }
  }
}

TEST(Phone, Mask) {
  EXPECT_EQ(mask_phone("13812345678"), "138****5678");
  EXPECT_EQ(mask_phone("1381234567"), "****");
  EXPECT_EQ(mask_phone(""), "****");
}

TEST(Phone, MaskName) {
  const struct {
    const char* name;
    const char* masked;
  } cases[] = {
      {"张三", "张*"},
      {"张三丰", "张**"},
      {"欧阳娜娜", "欧阳**"},
      {"司马光", "司马*"},
      {"欧阳", "欧*"},  // two characters: surname 欧, given name 阳
      {"张", "*"},      // never the whole name
      {"买买提·吐尔逊", "买******"},
      {"Li Lei", "L*****"},
      {"", ""},
      {"\xff\xfe", "**"},                    // not UTF-8: nothing kept
      {"\xe5\xbc\xa0\xff", "张*"},           // 张 then a stray byte
      {"\xe5\xbc", "**"},                    // truncated sequence
      {"\xed\xa0\x80\xe4\xb8\x89", "****"},  // a UTF-16 surrogate, then 三
      {"𠀋先生", "𠀋**"},                    // a 4-byte character kept whole
  };
  for (const auto& c : cases) EXPECT_EQ(mask_name(c.name), c.masked) << c.name;
}

}  // namespace
}  // namespace gh
