#include "modules/aid/rules.h"

#include <gtest/gtest.h>

namespace gh::aid {
namespace {

Date d(int y, int m, int dd) { return Date{y, m, dd}; }

// The rule set of the API tests and docs/funds.md: deductible 1,000 yuan,
// 50 % up to 10,000 above it, 70 % beyond; 50 yuan a day from day 4, at most
// 60 days; a fixed 10,000 for C50; invoice and discharge summary required.
Rules rules() {
  Rules r;
  r.benefits.deductible_fen = 100000;
  r.benefits.bands = {{1000000, 50}, {std::nullopt, 70}};
  r.benefits.allowance = Allowance{4, 5000, 60};
  r.benefits.diseases = {{"C50", "乳腺恶性肿瘤", 1000000}};
  r.benefits.required_documents = {"invoice", "discharge_summary"};
  r.cover_start = d(2022, 1, 1);
  r.cover_end = d(2022, 12, 31);
  r.waiting_days = 90;
  r.cap_fen = 20000000;
  return r;
}

History enrolled(bool first_time = false) {
  History h;
  h.enrolled = true;
  h.first_time = first_time;
  h.enrolled_on = d(2022, 1, 10);
  return h;
}

Claim claim(int64_t self_paid_fen, Date adm = d(2022, 6, 1), Date dis = d(2022, 6, 3)) {
  Claim c;
  c.admission = adm;
  c.discharge = dis;
  c.self_paid_fen = self_paid_fen;
  c.document_kinds = {"invoice", "discharge_summary"};
  return c;
}

int64_t medical(const Assessment& a) {
  int64_t sum = 0;
  for (const auto& l : a.lines)
    if (l.item == Item::medical) sum += l.amount_fen;
  return sum;
}

TEST(AidAssess, MedicalBandsAtEveryEdge) {
  struct Case {
    int64_t self_paid;
    int64_t expected;
  };
  const Case cases[] = {
      {0, 0},
      {99999, 0},            // below the deductible
      {100000, 0},           // exactly the deductible: nothing above it
      {100001, 0},           // 1 fen above: 50 % of 1 fen rounds down to 0
      {100002, 1},
      {1099999, 499999},     // 9,999.99 above: 4,999.995 → 4,999.99
      {1100000, 500000},     // the first band's edge: 10,000 × 50 %
      {1100001, 500000},     // 1 fen into the second band: 70 % of 1 fen → 0
      {1100010, 500007},
      {2100000, 1200000},    // 10,000 × 50 % + 10,000 × 70 %
  };
  for (const auto& c : cases) {
    auto a = assess(claim(c.self_paid), rules(), enrolled());
    EXPECT_EQ(medical(a), c.expected) << c.self_paid;
  }
}

TEST(AidAssess, ExplainsEachBandOnItsOwnLine) {
  auto a = assess(claim(2100000), rules(), enrolled());
  ASSERT_EQ(a.lines.size(), 2u);
  EXPECT_EQ(a.lines[0].band, 1);
  EXPECT_EQ(a.lines[0].base_fen, 1000000);
  EXPECT_EQ(a.lines[1].band, 2);
  EXPECT_EQ(a.lines[1].base_fen, 1000000);
  EXPECT_EQ(a.lines[1].percent, 70);
  auto j = assessment_json(a, rules().benefits);
  EXPECT_EQ(j.at("lines").as_array()[1].at("text").as_string(), "医疗补助第 2 段：10000.00 元 × 70% = 7000.00 元");
}

TEST(AidAssess, DailyAllowanceFromDayNWithADayCap) {
  struct Case {
    Date adm, dis;
    int days;  // allowance days
  };
  const Case cases[] = {
      {d(2022, 6, 1), d(2022, 6, 1), 0},   // same day: 1 hospital day
      {d(2022, 6, 1), d(2022, 6, 4), 0},   // 3 days
      {d(2022, 6, 1), d(2022, 6, 5), 1},   // 4 days: day 4 is paid
      {d(2022, 6, 1), d(2022, 6, 11), 7},  // 10 days: days 4–10
      {d(2022, 2, 27), d(2022, 3, 1), 0},  // 2 days (2022 is not a leap year)
      {d(2022, 1, 1), d(2022, 3, 3), 60},  // 61 days: days 4–61 = 58 → 58
      {d(2022, 1, 1), d(2022, 12, 31), 60},
  };
  for (const auto& c : cases) {
    auto a = assess(claim(0, c.adm, c.dis), rules(), enrolled());
    int days = 0;
    for (const auto& l : a.lines)
      if (l.item == Item::allowance) days = l.days;
    const int expected = c.days == 60 && stay_days(c.adm, c.dis) == 61 ? 58 : c.days;
    EXPECT_EQ(days, expected) << c.adm.iso() << "–" << c.dis.iso();
  }
}

TEST(AidAssess, LeapYearsCountTheTwentyNinthOfFebruary) {
  EXPECT_EQ(stay_days(d(2024, 2, 27), d(2024, 3, 1)), 3);
  EXPECT_EQ(stay_days(d(2023, 2, 27), d(2023, 3, 1)), 2);
  EXPECT_EQ(stay_days(d(2000, 2, 28), d(2000, 3, 1)), 2);  // 2000 is a leap year
  EXPECT_EQ(stay_days(d(1900, 2, 28), d(1900, 3, 1)), 1);  // 1900 is not
  Rules r = rules();
  r.cover_start = d(2024, 1, 1);
  r.cover_end = d(2024, 12, 31);
  auto a = assess(claim(0, d(2024, 2, 26), d(2024, 3, 1)), r, enrolled());  // 4 days: one allowance day
  ASSERT_EQ(a.lines.size(), 1u);
  EXPECT_EQ(a.lines[0].days, 1);
}

TEST(AidAssess, AStayIsCoveredWhenItBeginsInsideTheWindow) {
  // Admitted on the last covered day, discharged in the next period: covered.
  auto inside = assess(claim(500000, d(2022, 12, 31), d(2023, 1, 20)), rules(), enrolled());
  EXPECT_EQ(inside.outcome, Outcome::pay);
  EXPECT_EQ(inside.stay_days, 20);
  // Admitted the day before the window opens: not covered, even if discharged inside.
  auto before = assess(claim(500000, d(2021, 12, 31), d(2022, 1, 5)), rules(), enrolled());
  EXPECT_EQ(before.outcome, Outcome::reject);
  EXPECT_EQ(before.reasons.front(), "claim.outside_coverage");
  EXPECT_EQ(before.amount_fen, 0);
  auto after = assess(claim(500000, d(2023, 1, 1), d(2023, 1, 5)), rules(), enrolled());
  EXPECT_EQ(after.reasons.front(), "claim.outside_coverage");
}

TEST(AidAssess, WaitingPeriodOnlyForFirstTimers) {
  // Enrolled 2022-01-10 with 90 waiting days: admissions from 2022-04-10 are covered.
  auto early = assess(claim(500000, d(2022, 4, 9), d(2022, 4, 12)), rules(), enrolled(true));
  EXPECT_EQ(early.reasons, std::vector<std::string_view>{"claim.waiting_period"});
  auto on_time = assess(claim(500000, d(2022, 4, 10), d(2022, 4, 12)), rules(), enrolled(true));
  EXPECT_EQ(on_time.outcome, Outcome::pay);
  auto renewed = assess(claim(500000, d(2022, 1, 11), d(2022, 1, 12)), rules(), enrolled(false));
  EXPECT_EQ(renewed.outcome, Outcome::pay);
}

TEST(AidAssess, CapIsExhaustedAcrossSeveralClaims) {
  Rules r = rules();
  r.cap_fen = 1000000;  // 10,000 yuan
  History h = enrolled();
  // Each claim would pay 5,000 (medical) on its own.
  Claim c = claim(1100000);
  auto first = assess(c, r, h);
  EXPECT_EQ(first.amount_fen, 500000);
  h.used_fen += first.amount_fen;
  auto second = assess(c, r, h);
  EXPECT_EQ(second.amount_fen, 500000);
  h.used_fen += second.amount_fen;
  auto third = assess(c, r, h);
  EXPECT_EQ(third.outcome, Outcome::reject);
  EXPECT_EQ(third.reasons, std::vector<std::string_view>{"claim.over_cap"});
  // Partly used: the amount is cut to what is left, with a cap line.
  h.used_fen = 800000;
  auto cut = assess(c, r, h);
  EXPECT_EQ(cut.amount_fen, 200000);
  EXPECT_EQ(cut.lines.back().item, Item::cap);
  EXPECT_EQ(cut.lines.back().amount_fen, -300000);
  // One fen left.
  h.used_fen = 999999;
  EXPECT_EQ(assess(c, r, h).amount_fen, 1);
}

TEST(AidAssess, CodedReasons) {
  History none;
  EXPECT_EQ(assess(claim(500000), rules(), none).reasons, std::vector<std::string_view>{"claim.not_enrolled"});

  History h = enrolled();
  h.stays.push_back({d(2022, 6, 3), d(2022, 6, 10)});  // overlaps on the 3rd
  EXPECT_EQ(assess(claim(500000), rules(), h).reasons, std::vector<std::string_view>{"claim.duplicate_stay"});
  h.stays = {{d(2022, 6, 4), d(2022, 6, 10)}};  // the day after discharge: no overlap
  EXPECT_EQ(assess(claim(500000), rules(), h).outcome, Outcome::pay);

  EXPECT_EQ(assess(claim(100000), rules(), enrolled()).reasons,
            std::vector<std::string_view>{"claim.nothing_payable"});

  Claim missing = claim(500000);
  missing.document_kinds = {"invoice"};
  auto a = assess(missing, rules(), enrolled());
  EXPECT_EQ(a.outcome, Outcome::ret);
  EXPECT_EQ(a.reasons, std::vector<std::string_view>{"claim.missing_documents"});
  EXPECT_EQ(a.amount_fen, 200000);  // still computed, for the reviewer

  Claim disease = claim(0);
  disease.disease_code = "C50";
  EXPECT_EQ(assess(disease, rules(), enrolled()).amount_fen, 1000000);
  disease.disease_code = "C51";
  EXPECT_EQ(assess(disease, rules(), enrolled()).outcome, Outcome::reject);
}

TEST(AidRules, ValidatesRuleSetsNamingTheField) {
  auto errors_of = [](std::string_view text) {
    const boost::json::value none = boost::json::object{};
    const boost::json::value v = boost::json::parse(text);
    http::Fields f(none);
    auto b = read_benefits(v, f);
    std::vector<std::string> fields;
    for (const auto& e : f.errors()) fields.push_back(e.field);
    EXPECT_EQ(b.has_value(), fields.empty());
    return fields;
  };
  EXPECT_TRUE(errors_of(R"({"bands":[{"up_to_fen":null,"percent":50}]})").empty());
  EXPECT_EQ(errors_of(R"({})"), std::vector<std::string>{"rules"});
  EXPECT_EQ(errors_of(R"({"bands":[{"up_to_fen":null,"percent":101}]})"),
            std::vector<std::string>{"rules.bands[0].percent"});
  EXPECT_EQ(errors_of(R"({"bands":[{"up_to_fen":100,"percent":10},{"up_to_fen":100,"percent":10},{"up_to_fen":null,"percent":5}]})"),
            std::vector<std::string>{"rules.bands[1].up_to_fen"});
  EXPECT_EQ(errors_of(R"({"bands":[{"up_to_fen":100,"percent":10}]})"),
            std::vector<std::string>{"rules.bands[0].up_to_fen"});
  EXPECT_EQ(errors_of(R"({"deductible_fen":-1,"bands":[{"up_to_fen":null,"percent":1}]})"),
            std::vector<std::string>{"rules.deductible_fen"});
  EXPECT_EQ(errors_of(R"({"deductible_fen":1.5,"bands":[{"up_to_fen":null,"percent":1}]})"),
            std::vector<std::string>{"rules.deductible_fen"});
  EXPECT_EQ(errors_of(R"({"diseases":[{"code":"A","name":"x","fen":1},{"code":"A","name":"y","fen":2}]})"),
            std::vector<std::string>{"rules.diseases[1].code"});
  EXPECT_EQ(errors_of(R"({"daily_allowance":{"from_day":0,"fen_per_day":1,"max_days":1}})"),
            std::vector<std::string>{"rules.daily_allowance.from_day"});
  EXPECT_EQ(errors_of(R"({"bonus":1,"bands":[{"up_to_fen":null,"percent":1}]})"),
            std::vector<std::string>{"rules.bonus"});
}

TEST(AidRules, RoundTripsAndReadsAsSentences) {
  auto b = rules().benefits;
  const boost::json::value none = boost::json::object{};
  const boost::json::value v = benefits_json(b);
  http::Fields f(none);
  auto again = read_benefits(v, f);
  ASSERT_TRUE(again);
  EXPECT_EQ(boost::json::serialize(benefits_json(*again)), boost::json::serialize(v));
  auto text = benefits_text(b);
  ASSERT_EQ(text.size(), 4u);
  EXPECT_EQ(text[0], "医疗补助：政策内个人自付超过起付线 1000.00 元的部分，0.00–10000.00 元按 50% 补助；10000.00 元以上按 70% 补助。");
  EXPECT_EQ(text[1], "住院生活补助：住院第 4 天起每天 50.00 元，最多 60 天。");
}

TEST(AidRules, Yuan) {
  EXPECT_EQ(yuan(0), "0.00");
  EXPECT_EQ(yuan(5), "0.05");
  EXPECT_EQ(yuan(123456), "1234.56");
  EXPECT_EQ(yuan(-150), "-1.50");
}

}  // namespace
}  // namespace gh::aid
