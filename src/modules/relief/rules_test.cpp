#include "modules/relief/rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>

namespace gh::relief {
namespace {

namespace json = boost::json;

struct Case {
  int64_t out_of_pocket;
  bool eligible;
  int tier;
  int64_t aid;
};

TEST(ReliefDecide, DefaultTableAtEveryBandEdge) {
  const Case cases[] = {
      {0, false, 0, 0},
      {5'999'999, false, 0, 0},
      {6'000'000, false, 0, 0},  // not above the threshold
      {6'000'001, true, 1, 1'000'000},
      {7'000'000, true, 1, 1'000'000},  // a tier includes its upper bound
      {7'000'001, true, 2, 2'000'000},
      {8'000'000, true, 2, 2'000'000},
      {8'000'001, true, 3, 3'000'000},
      {9'000'000, true, 3, 3'000'000},
      {9'000'001, true, 4, 4'000'000},
      {10'000'000, true, 4, 4'000'000},
      {10'000'001, true, 5, 5'000'000},
      {kMaxFen, true, 5, 5'000'000},
  };
  const auto t = default_tiers();
  for (const auto& c : cases) {
    SCOPED_TRACE("out of pocket " + std::to_string(c.out_of_pocket));
    auto d = decide(c.out_of_pocket, 0, 0, 0, t);
    EXPECT_EQ(d.out_of_pocket_fen, c.out_of_pocket);
    EXPECT_EQ(d.eligible, c.eligible);
    EXPECT_EQ(d.tier, c.tier);
    EXPECT_EQ(d.aid_fen, c.aid);
  }
}

TEST(ReliefDecide, OutOfPocketSubtractsAllThreeReimbursements) {
  const auto t = default_tiers();
  // 20,000,000 − 10,000,000 − 2,000,000 − 1,000,000 = 7,000,000 → tier 1.
  auto d = decide(20'000'000, 10'000'000, 2'000'000, 1'000'000, t);
  EXPECT_EQ(d.out_of_pocket_fen, 7'000'000);
  EXPECT_TRUE(d.eligible);
  EXPECT_EQ(d.tier, 1);
  EXPECT_EQ(d.aid_fen, 1'000'000);
  // One fen more of secondary reimbursement → exactly 6,999,999, still tier 1.
  EXPECT_EQ(decide(20'000'000, 10'000'000, 2'000'000, 1'000'001, t).tier, 1);
  // One fen less → 7,000,001 → tier 2.
  EXPECT_EQ(decide(20'000'000, 10'000'000, 2'000'000, 999'999, t).tier, 2);
  // Reimbursed down to exactly the threshold → not eligible.
  auto n = decide(20'000'000, 10'000'000, 3'000'000, 1'000'000, t);
  EXPECT_EQ(n.out_of_pocket_fen, 6'000'000);
  EXPECT_FALSE(n.eligible);
  EXPECT_EQ(n.tier, 0);
  EXPECT_EQ(n.aid_fen, 0);
}

TEST(ReliefDecide, CustomTiers) {
  Tiers t{100, {{200, 10}, {300, 10}, {std::nullopt, 50}}};
  const Case cases[] = {
      {99, false, 0, 0},  {100, false, 0, 0}, {101, true, 1, 10}, {200, true, 1, 10},
      {201, true, 2, 10}, {300, true, 2, 10}, {301, true, 3, 50}, {1'000'000, true, 3, 50},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("out of pocket " + std::to_string(c.out_of_pocket));
    auto d = decide(c.out_of_pocket, 0, 0, 0, t);
    EXPECT_EQ(d.eligible, c.eligible);
    EXPECT_EQ(d.tier, c.tier);
    EXPECT_EQ(d.aid_fen, c.aid);
  }
  // A single open tier: everything above the threshold gets the same aid.
  Tiers one{0, {{std::nullopt, 7}}};
  EXPECT_FALSE(decide(0, 0, 0, 0, one).eligible);
  auto d = decide(1, 0, 0, 0, one);
  EXPECT_TRUE(d.eligible);
  EXPECT_EQ(d.tier, 1);
  EXPECT_EQ(d.aid_fen, 7);
}

TEST(ReliefTiers, DefaultTableRoundTripsThroughJson) {
  const auto t = default_tiers();
  json::value v = tiers_json(t);
  EXPECT_EQ(json::serialize(v),
            R"({"threshold_fen":6000000,"tiers":[{"up_to_fen":7000000,"aid_fen":1000000},)"
            R"({"up_to_fen":8000000,"aid_fen":2000000},{"up_to_fen":9000000,"aid_fen":3000000},)"
            R"({"up_to_fen":10000000,"aid_fen":4000000},{"up_to_fen":null,"aid_fen":5000000}]})");
  std::vector<FieldError> errors;
  auto back = parse_tiers(v, errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(back.tiers.size(), t.tiers.size());
  EXPECT_EQ(back.threshold_fen, t.threshold_fen);
  for (size_t i = 0; i < t.tiers.size(); ++i) {
    EXPECT_EQ(back.tiers[i].up_to_fen, t.tiers[i].up_to_fen);
    EXPECT_EQ(back.tiers[i].aid_fen, t.tiers[i].aid_fen);
  }
}

TEST(ReliefTiers, ValidCustomTables) {
  for (
      const char* text : {
          R"({"threshold_fen": 0, "tiers": [{"up_to_fen": null, "aid_fen": 0}]})",
          R"({"threshold_fen": 100, "tiers": [{"up_to_fen": 101, "aid_fen": 5}, {"up_to_fen": null, "aid_fen": 5}]})",
          R"({"threshold_fen": 100, "tiers": [{"up_to_fen": 200, "aid_fen": 0}, {"up_to_fen": 300, "aid_fen": 1},
               {"up_to_fen": null, "aid_fen": 2}]})",
      }) {
    SCOPED_TRACE(text);
    std::vector<FieldError> errors;
    parse_tiers(json::parse(text), errors);
    EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors[0].field + " " + errors[0].code);
  }
}

struct Bad {
  const char* text;
  const char* field;
  const char* code;
};

TEST(ReliefTiers, InvalidTablesNameTheField) {
  const Bad cases[] = {
      {R"([])", "body", "body.not_object"},
      {R"({"tiers": [{"up_to_fen": null, "aid_fen": 1}]})", "threshold_fen",
       "threshold_fen.required"},
      {R"({"threshold_fen": -1, "tiers": [{"up_to_fen": null, "aid_fen": 1}]})", "threshold_fen",
       "threshold_fen.range"},
      {R"({"threshold_fen": "100", "tiers": [{"up_to_fen": null, "aid_fen": 1}]})", "threshold_fen",
       "threshold_fen.type"},
      {R"({"threshold_fen": 1.5, "tiers": [{"up_to_fen": null, "aid_fen": 1}]})", "threshold_fen",
       "threshold_fen.type"},
      {R"({"threshold_fen": 100})", "tiers", "tiers.required"},
      {R"({"threshold_fen": 100, "tiers": {}})", "tiers", "tiers.type"},
      {R"({"threshold_fen": 100, "tiers": []})", "tiers", "tiers.too_short"},
      {R"({"threshold_fen": 100, "tiers": [1]})", "tiers[0]", "tiers.type"},
      // The last tier must be open, and only the last.
      {R"({"threshold_fen": 100, "tiers": [{"up_to_fen": 200, "aid_fen": 1}]})",
       "tiers[0].up_to_fen", "up_to_fen.last_not_null"},
      {R"({"threshold_fen": 100, "tiers": [{"up_to_fen": null, "aid_fen": 1}, {"up_to_fen": null, "aid_fen": 2}]})",
       "tiers[0].up_to_fen", "up_to_fen.null_not_last"},
      {R"({"threshold_fen": 100, "tiers": [{"aid_fen": 1}]})", "tiers[0].up_to_fen",
       "up_to_fen.required"},
      // Bounds strictly ascending, the first above the threshold.
      {R"({"threshold_fen": 100, "tiers": [{"up_to_fen": 100, "aid_fen": 1}, {"up_to_fen": null, "aid_fen": 2}]})",
       "tiers[0].up_to_fen", "up_to_fen.order"},
      {R"({"threshold_fen": 100, "tiers": [{"up_to_fen": 50, "aid_fen": 1}, {"up_to_fen": null, "aid_fen": 2}]})",
       "tiers[0].up_to_fen", "up_to_fen.order"},
      {R"({"threshold_fen": 100, "tiers": [{"up_to_fen": 300, "aid_fen": 1}, {"up_to_fen": 300, "aid_fen": 2},
           {"up_to_fen": null, "aid_fen": 3}]})",
       "tiers[1].up_to_fen", "up_to_fen.order"},
      {R"({"threshold_fen": 100, "tiers": [{"up_to_fen": 300, "aid_fen": 1}, {"up_to_fen": 200, "aid_fen": 2},
           {"up_to_fen": null, "aid_fen": 3}]})",
       "tiers[1].up_to_fen", "up_to_fen.order"},
      {R"({"threshold_fen": 100, "tiers": [{"up_to_fen": "200", "aid_fen": 1}, {"up_to_fen": null, "aid_fen": 2}]})",
       "tiers[0].up_to_fen", "up_to_fen.type"},
      // Aids non-negative integers, never decreasing.
      {R"({"threshold_fen": 100, "tiers": [{"up_to_fen": null, "aid_fen": -1}]})",
       "tiers[0].aid_fen", "aid_fen.range"},
      {R"({"threshold_fen": 100, "tiers": [{"up_to_fen": null}]})", "tiers[0].aid_fen",
       "aid_fen.required"},
      {R"({"threshold_fen": 100, "tiers": [{"up_to_fen": null, "aid_fen": 2.5}]})",
       "tiers[0].aid_fen", "aid_fen.type"},
      {R"({"threshold_fen": 100, "tiers": [{"up_to_fen": 200, "aid_fen": 5}, {"up_to_fen": null, "aid_fen": 4}]})",
       "tiers[1].aid_fen", "aid_fen.decreasing"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    std::vector<FieldError> errors;
    parse_tiers(json::parse(c.text), errors);
    ASSERT_FALSE(errors.empty());
    bool found = false;
    for (const auto& e : errors) found = found || (e.field == c.field && e.code == c.code);
    EXPECT_TRUE(found) << "first error: " << errors[0].field << " " << errors[0].code;
  }
}

TEST(ReliefTiers, TooManyTiers) {
  json::array tiers;
  for (int i = 0; i < kMaxTiers; ++i) tiers.push_back({{"up_to_fen", 1000 + i}, {"aid_fen", i}});
  tiers.push_back({{"up_to_fen", nullptr}, {"aid_fen", 100}});
  json::object v{{"threshold_fen", 1}, {"tiers", tiers}};
  std::vector<FieldError> errors;
  parse_tiers(v, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code, "tiers.too_many");
}

TEST(ReliefTiers, EveryProblemIsReportedAtOnce) {
  std::vector<FieldError> errors;
  parse_tiers(json::parse(R"({"threshold_fen": -5, "tiers": [{"up_to_fen": 1, "aid_fen": -1},
                                {"up_to_fen": 0, "aid_fen": 1}, {"up_to_fen": 3, "aid_fen": 0}]})"),
              errors);
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "threshold_fen"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "tiers[0].aid_fen"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "tiers[1].up_to_fen"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "tiers[2].up_to_fen"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "tiers[2].aid_fen"), fields.end());
}

}  // namespace
}  // namespace gh::relief
