#include "core/regions.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/error.h"

namespace gh {
namespace {

// Expected figures counted independently from data/gb2260/codes.tsv (awk):
// 7,042 data rows, 3,219 with last_seen 201904, none of them a placeholder.
TEST(Regions, BuiltinTableLoads) {
  const Regions& r = Regions::instance();
  EXPECT_EQ(r.size(), 7042u);
  EXPECT_EQ(&r, &Regions::instance());  // one shared dictionary
}

struct LookupCase {
  const char* code;
  bool known;
  bool current;
  const char* name;  // nullptr when unknown
};

TEST(Regions, BuiltinLookups) {
  const LookupCase cases[] = {
      {"110000", true, true, "北京市"},
      {"110101", true, true, "东城区"},
      {"110103", true, false, "崇文区"},  // merged into 东城区 in 2010
      {"110229", true, false, "延庆县"},  // became 110119 延庆区 in 2015
      {"110119", true, true, "延庆区"},
      {"110100", true, false, "市辖区"},  // placeholder row
      {"110200", true, false, "县"},      // placeholder row
      {"320508", true, true, "姑苏区"},
      {"440524", true, false, "潮阳县"},
      {"810000", true, true, "香港特别行政区"},
      {"110120", false, false, nullptr},
      {"999999", false, false, nullptr},
      {"000000", false, false, nullptr},  // national: not a dictionary entry
      {"11010", false, false, nullptr},
  };
  const Regions& r = Regions::instance();
  for (const auto& c : cases) {
    EXPECT_EQ(r.is_known(c.code), c.known) << c.code;
    EXPECT_EQ(r.is_current(c.code), c.current) << c.code;
    const auto found = r.find(c.code);
    ASSERT_EQ(found.has_value(), c.name != nullptr) << c.code;
    if (found) {
      EXPECT_EQ(found->code, c.code);
      EXPECT_EQ(found->name, c.name);
      EXPECT_EQ(found->current, c.current) << c.code;
    }
  }
}

TEST(Regions, CheckCurrent) {
  const struct {
    const char* code;
    const char* error;  // nullptr when accepted
  } cases[] = {
      {"110101", nullptr},
      {"320000", nullptr},
      {"000000", nullptr},  // kNationalRegion
      {"110103", "region.historical"},
      {"440524", "region.historical"},
      {"110100", "region.unknown"},  // 市辖区 is not a place
      {"130101", "region.unknown"},
      {"110200", "region.unknown"},  // 县 is not a place
      {"110120", "region.unknown"},
      {"11010", "region.format"},
      {"1101011", "region.format"},
      {"11010a", "region.format"},
      {"１１０１０１", "region.format"},  // full-width digits
      {"", "region.format"},
  };
  const Regions& r = Regions::instance();
  for (const auto& c : cases) {
    const auto checked = r.check_current(c.code);
    if (c.error == nullptr) {
      ASSERT_TRUE(checked.ok()) << c.code << ": " << checked.error().code;
      EXPECT_EQ(*checked, c.code);
    } else {
      ASSERT_FALSE(checked.ok()) << c.code;
      EXPECT_EQ(checked.error().code, c.error) << c.code;
      EXPECT_FALSE(checked.error().message.empty());
    }
  }
}

const char kSmallTable[] =
    "code\tname\tfirst_seen\tlast_seen\r\n"
    "110000\t北京市\t198012\t201512\r\n"
    "110100\t市辖区\t200212\t201512\r\n"
    "110101\t东城区\t198012\t201512\r\n"
    "110103\t崇文区\t198012\t200912\r\n"
    "\r\n";

TEST(Regions, FromTsvTakesNewestRevisionFromTheFile) {
  // Newest revision here is 201512, so rows seen then are current; a
  // placeholder is never current, even when in the newest revision.
  const Regions r = Regions::from_tsv(kSmallTable);
  EXPECT_EQ(r.size(), 4u);
  EXPECT_TRUE(r.is_current("110000"));
  EXPECT_TRUE(r.is_current("110101"));
  EXPECT_FALSE(r.is_current("110103"));
  EXPECT_FALSE(r.is_current("110100"));
  EXPECT_TRUE(r.is_known("110100"));
  EXPECT_TRUE(r.is_known("110103"));
  EXPECT_FALSE(r.is_known("110105"));
}

TEST(Regions, FromTsvRejectsMalformedFiles) {
  const char* bad[] = {
      "",
      "code\tname\n110000\t北京市\t198012\t201904\n",                         // header
      "code\tname\tfirst_seen\tlast_seen\n110000\t北京市\t198012\n",          // 3 fields
      "code\tname\tfirst_seen\tlast_seen\n11000\t北京市\t198012\t201904\n",   // 5-digit code
      "code\tname\tfirst_seen\tlast_seen\n110000\t\t198012\t201904\n",        // no name
      "code\tname\tfirst_seen\tlast_seen\n110000\t北京市\t1980\t201904\n",    // revision
      "code\tname\tfirst_seen\tlast_seen\n110000\t北京市\t201904\t198012\n",  // order
      "code\tname\tfirst_seen\tlast_seen\n110000\t北京市\t198012\t201904\n"
      "110000\t北京\t198012\t201904\n",  // duplicate
  };
  for (const char* tsv : bad) {
    try {
      (void)Regions::from_tsv(tsv);
      ADD_FAILURE() << "accepted: " << tsv;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::unprocessable);
      ASSERT_EQ(e.errors().size(), 1u);
      EXPECT_EQ(e.errors()[0].code, "region.tsv");
    }
  }
}

TEST(Regions, AddMakesACodeCurrent) {
  Regions r = Regions::from_tsv(kSmallTable);
  EXPECT_FALSE(r.check_current("110120").ok());
  r.add("110120", "新区");  // published after the table
  EXPECT_TRUE(r.check_current("110120").ok());
  EXPECT_EQ(r.find("110120")->name, "新区");
  EXPECT_EQ(r.size(), 5u);

  // Renaming an existing code, and reviving a historical one.
  r.add("110101", "东城");
  EXPECT_EQ(r.find("110101")->name, "东城");
  EXPECT_EQ(r.check_current("110103").error().code, "region.historical");
  r.add("110103", "崇文区");
  EXPECT_TRUE(r.is_current("110103"));
  EXPECT_EQ(r.size(), 5u);
}

TEST(Regions, AddRejectsBadInput) {
  Regions r = Regions::from_tsv(kSmallTable);
  const struct {
    const char* code;
    const char* name;
    const char* field;
  } cases[] = {{"11012", "x", "code"},
               {"11012a", "x", "code"},
               {"000000", "全国", "code"},
               {"110120", "", "name"}};
  for (const auto& c : cases) {
    try {
      r.add(c.code, c.name);
      ADD_FAILURE() << "accepted: " << c.code;
    } catch (const Error& e) {
      ASSERT_EQ(e.errors().size(), 1u);
      EXPECT_EQ(e.errors()[0].field, c.field) << c.code;
    }
  }
  EXPECT_EQ(r.size(), 4u);
}

TEST(Regions, MoveKeepsTheEntries) {
  Regions a = Regions::from_tsv(kSmallTable);
  Regions b(std::move(a));
  EXPECT_EQ(b.size(), 4u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): documented as empty
  Regions c;
  c = std::move(b);
  EXPECT_TRUE(c.is_current("110101"));
  EXPECT_EQ(b.size(), 0u);  // NOLINT(bugprone-use-after-move)
}

TEST(Regions, ConcurrentAddAndLookup) {
  Regions r = Regions::from_tsv(kSmallTable);
  std::thread writer([&] {
    for (int i = 0; i < 500; ++i) r.add(std::to_string(120000 + i), "测试");
  });
  size_t seen_known = 0;
  for (int i = 0; i < 2000; ++i) seen_known += r.is_known("110101") ? 1 : 0;
  writer.join();
  EXPECT_EQ(seen_known, 2000u);
  EXPECT_EQ(r.size(), 504u);
}

TEST(Regions, Level) {
  const struct {
    const char* code;
    RegionLevel level;
  } cases[] = {
      {"000000", RegionLevel::national},   {"110000", RegionLevel::province},
      {"320000", RegionLevel::province},   {"320500", RegionLevel::prefecture},
      {"110100", RegionLevel::prefecture}, {"320508", RegionLevel::county},
      {"110101", RegionLevel::county},
  };
  for (const auto& c : cases) EXPECT_EQ(Regions::level(c.code), c.level) << c.code;
}

TEST(Regions, Contains) {
  const struct {
    const char* outer;
    const char* inner;
    bool inside;
  } cases[] = {
      {"000000", "000000", true},  {"000000", "320508", true},  {"000000", "110000", true},
      {"320000", "320000", true},  {"320000", "320500", true},  {"320000", "320508", true},
      {"320000", "330100", false}, {"320000", "000000", false}, {"320500", "320500", true},
      {"320500", "320508", true},  {"320500", "320000", false}, {"320500", "320600", false},
      {"320500", "320601", false}, {"320508", "320508", true},  {"320508", "320500", false},
      {"320508", "320509", false}, {"110000", "110101", true},  {"110100", "110101", true},
      {"32000", "320508", false},  {"320000", "32050a", false}, {"", "", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(Regions::contains(c.outer, c.inner), c.inside) << c.outer << " ⊇ " << c.inner;
}

}  // namespace
}  // namespace gh
