#include "core/citizen_id.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/regions.h"
#include "core/test_printers.h"

namespace gh {
namespace {

// A fixed "today" so the tests do not age.
constexpr Date kToday{2024, 6, 1};

// Check characters of the synthetic numbers below were computed
// independently of this code (a short Python script implementing the
// GB 11643 weights), not by citizen_id_check_char.
struct ValidCase {
  const char* input;
  const char* number;
  Date birth;
  char sex;
  const char* region;
};

TEST(CitizenId, AcceptsValidNumbers) {
  const ValidCase cases[] = {
      // The example in GB 11643-1999 itself.
      {"11010519491231002X", "11010519491231002X", {1949, 12, 31}, 'F', "110105"},
      // The same person's 15-digit number from before 1999.
      {"110105491231002", "11010519491231002X", {1949, 12, 31}, 'F', "110105"},
      // Surrounding blanks (spreadsheets) are ignored.
      {" 11010519491231002X\t", "11010519491231002X", {1949, 12, 31}, 'F', "110105"},
      {"110105194912310011", "110105194912310011", {1949, 12, 31}, 'M', "110105"},
      // A historical region (崇文区, abolished 2010) is still a valid prefix.
      {"110103198001011235", "110103198001011235", {1980, 1, 1}, 'M', "110103"},
      {"32050819900307451X", "32050819900307451X", {1990, 3, 7}, 'M', "320508"},
      // Bounds: the first allowed birth date, and today.
      {"11010519000101001X", "11010519000101001X", {1900, 1, 1}, 'M', "110105"},
      {"110105202406010021", "110105202406010021", {2024, 6, 1}, 'F', "110105"},
  };
  for (const auto& c : cases) {
    const auto id = parse_citizen_id(c.input, Regions::instance(), kToday);
    ASSERT_TRUE(id.ok()) << c.input << ": " << id.error().code;
    EXPECT_EQ(id->number, c.number);
    EXPECT_EQ(id->birth_date, c.birth) << c.input;
    EXPECT_EQ(id->sex, c.sex) << c.input;
    EXPECT_EQ(id->region, c.region);
  }
}

TEST(CitizenId, RejectsWithTheRightCode) {
  const struct {
    const char* input;
    const char* code;
  } cases[] = {
      {"11010519491231002x", "citizen_id.lowercase_x"},
      {"110105194912310021", "citizen_id.checksum"},    // X replaced by 1
      {"11010519491231003X", "citizen_id.checksum"},    // sequence digit changed
      {"11010519941231002X", "citizen_id.checksum"},    // two digits swapped
      {"999999194912310025", "citizen_id.region"},      // checksum right, no such region
      {"000000194912310027", "citizen_id.region"},      // national is not a birth place
      {"99999949123100", "citizen_id.format"},          // 14 digits
      {"999999491231002", "citizen_id.region"},         // 15 digits, no such region
      {"110105194902300020", "citizen_id.birth_date"},  // 30 February
      {"110105490230002", "citizen_id.birth_date"},     // 15 digits, 30 February
      {"110105189912310023", "citizen_id.birth_date"},  // before 1900
      // GB 11643's valid example born 1880 (historical region 潮阳县).
      {"440524188001010014", "citizen_id.birth_date"},
      {"110105202406020027", "citizen_id.birth_date"},  // after today
      {"11010519491231002", "citizen_id.format"},       // 17 characters
      {"11010519491231002X1", "citizen_id.format"},     // 19 characters
      {"1101051949123100XX", "citizen_id.format"},      // X not last
      {"11010519491231002Y", "citizen_id.format"},
      {"11010549123100X", "citizen_id.format"},                       // 15 with X
      {"110105 19491231002X", "citizen_id.format"},                   // inner blank
      {"１１０１０５１９４９１２３１００２Ｘ", "citizen_id.format"},  // full-width
      {"", "citizen_id.format"},
  };
  for (const auto& c : cases) {
    const auto id = parse_citizen_id(c.input, Regions::instance(), kToday);
    ASSERT_FALSE(id.ok()) << c.input;
    EXPECT_EQ(id.error().code, c.code) << c.input;
    EXPECT_FALSE(id.error().message.empty());
  }
}

TEST(CitizenId, RegionMustBeKnownToTheGivenDictionary) {
  const Regions only_beijing =
      Regions::from_tsv("code\tname\tfirst_seen\tlast_seen\n110105\t朝阳区\t198012\t201904\n");
  EXPECT_TRUE(parse_citizen_id("11010519491231002X", only_beijing, kToday).ok());
  EXPECT_EQ(parse_citizen_id("32050819900307451X", only_beijing, kToday).error().code,
            "citizen_id.region");
}

TEST(CitizenId, CheckChar) {
  EXPECT_EQ(citizen_id_check_char("11010519491231002"), 'X');
  EXPECT_EQ(citizen_id_check_char("44052418800101001"), '4');
  EXPECT_EQ(citizen_id_check_char("11010319800101123"), '5');
  EXPECT_EQ(citizen_id_check_char("1101051949123100"), '\0');
  EXPECT_EQ(citizen_id_check_char("110105194912310021"), '\0');
  EXPECT_EQ(citizen_id_check_char("1101051949123100X"), '\0');
}

TEST(CitizenId, EveryCheckCharacterOccurs) {
  // One valid number per check character (same region and birth date,
  // sequences found by an independent Python script).
  const char* numbers[] = {
      "320508199003070180", "320508199003070041", "320508199003070092", "320508199003070033",
      "320508199003070084", "320508199003070025", "320508199003070076", "320508199003070017",
      "320508199003070068", "320508199003070009", "32050819900307005X",
  };
  for (const char* n : numbers) {
    const std::string_view s = n;
    EXPECT_EQ(citizen_id_check_char(s.substr(0, 17)), s[17]) << n;
    EXPECT_TRUE(parse_citizen_id(s, Regions::instance(), kToday).ok()) << n;
  }
}

TEST(CitizenId, EverySingleDigitErrorIsCaught) {
  // MOD 11-2 detects every single substitution: changing any one of the 18
  // characters of a valid number must break the check.
  const std::string valid = "11010519491231002X";
  for (size_t pos = 0; pos < 18; ++pos) {
    for (char c : std::string_view("0123456789X")) {
      if (c == valid[pos] || (c == 'X' && pos < 17)) continue;
      std::string typo = valid;
      typo[pos] = c;
      EXPECT_NE(citizen_id_check_char(typo.substr(0, 17)), typo[17]) << typo;
    }
  }
}

TEST(CitizenId, Mask) {
  EXPECT_EQ(mask_citizen_id("11010519491231002X"), "110105********002X");
  EXPECT_EQ(mask_citizen_id("110105491231002"), "110105********1002");
  EXPECT_EQ(mask_citizen_id("12345678901234"), "********");
  EXPECT_EQ(mask_citizen_id(""), "********");
}

TEST(CitizenId, MakeBuildsValidNumbers) {
  // The standard's own example comes out of the generator.
  EXPECT_EQ(make_citizen_id("110105", {1949, 12, 31}, 2), "11010519491231002X");
  EXPECT_EQ(make_citizen_id("110103", {1980, 1, 1}, 123), "110103198001011235");
  const struct {
    const char* region;
    Date birth;
    int seq;
    char sex;
  } cases[] = {{"320508", {1990, 3, 7}, 451, 'M'},
               {"320508", {1990, 3, 7}, 450, 'F'},
               {"110101", {2000, 2, 29}, 0, 'F'},
               {"110101", {1965, 7, 1}, 999, 'M'}};
  for (const auto& c : cases) {
    const std::string n = make_citizen_id(c.region, c.birth, c.seq);
    const auto id = parse_citizen_id(n, Regions::instance(), kToday);
    ASSERT_TRUE(id.ok()) << n << ": " << id.error().code;
    EXPECT_EQ(id->birth_date, c.birth);
    EXPECT_EQ(id->sex, c.sex) << n;
    EXPECT_EQ(id->region, c.region);
  }
}

TEST(CitizenId, MakeRejectsBadInput) {
  EXPECT_THROW(make_citizen_id("11010", {1990, 1, 1}, 1), Error);
  EXPECT_THROW(make_citizen_id("11010a", {1990, 1, 1}, 1), Error);
  EXPECT_THROW(make_citizen_id("110101", {1990, 2, 30}, 1), Error);
  EXPECT_THROW(make_citizen_id("110101", {999, 1, 1}, 1), Error);
  EXPECT_THROW(make_citizen_id("110101", {1990, 1, 1}, -1), Error);
  EXPECT_THROW(make_citizen_id("110101", {1990, 1, 1}, 1000), Error);
}

}  // namespace
}  // namespace gh
