// Benchmark: gh::aid::assess, the mutual-aid claim assessment, on one core.
//
// Builds --claims claims (default 1,000,000) with varied amounts, stays,
// disease codes and documents and a history per claim before the clock
// starts, then assesses all of them --rounds times on the calling thread.
// The rule set is the one of docs/funds.md (two bands, daily allowance,
// a disease list, required documents).
//
//   aid_assess [--claims 1000000] [--rounds 5]
//
// Prints: RESULT bench=aid_assess claims=… seconds=… claims_per_s=… checksum=…
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "modules/aid/rules.h"

using namespace gh;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int64_t n = 1'000'000, rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--claims") n = std::stoll(argv[i + 1]);
    else if (a == "--rounds") rounds = std::stoll(argv[i + 1]);
    else {
      std::cerr << "usage: aid_assess [--claims N] [--rounds N]\n";
      return 2;
    }
  }
  aid::Rules rules;
  rules.benefits.deductible_fen = 100000;
  rules.benefits.bands = {{1000000, 50}, {5000000, 60}, {std::nullopt, 70}};
  rules.benefits.allowance = aid::Allowance{4, 5000, 60};
  rules.benefits.diseases = {{"C50", "乳腺恶性肿瘤", 1000000}, {"C34", "肺恶性肿瘤", 1500000}, {"I21", "急性心肌梗死", 800000}};
  rules.benefits.required_documents = {"invoice", "discharge_summary"};
  rules.cover_start = Date{2022, 1, 1};
  rules.cover_end = Date{2022, 12, 31};
  rules.waiting_days = 90;
  rules.cap_fen = 20'000'000;

  std::vector<aid::Claim> claims(static_cast<size_t>(n));
  std::vector<aid::History> histories(static_cast<size_t>(n));
  uint64_t x = 88172645463325252ull;
  auto rnd = [&] {  // xorshift64
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const char* codes[] = {"C50", "C34", "I21", "J18"};
  for (int64_t i = 0; i < n; ++i) {
    auto& c = claims[static_cast<size_t>(i)];
    const int64_t start = Date{2022, 1, 1}.days() + static_cast<int64_t>(rnd() % 400);
    c.admission = Date::from_days(start);
    c.discharge = Date::from_days(start + static_cast<int64_t>(rnd() % 40));
    c.self_paid_fen = static_cast<int64_t>(rnd() % 8'000'000);
    if (rnd() % 5 == 0) c.disease_code = codes[rnd() % 4];
    c.document_kinds = {"invoice", "discharge_summary"};
    if (rnd() % 20 == 0) c.document_kinds.pop_back();
    auto& h = histories[static_cast<size_t>(i)];
    h.enrolled = rnd() % 50 != 0;
    h.first_time = rnd() % 4 == 0;
    h.enrolled_on = Date{2022, 1, 15};
    h.used_fen = static_cast<int64_t>(rnd() % 25'000'000);
    if (rnd() % 10 == 0) h.stays.push_back({Date::from_days(start - 30), Date::from_days(start - 20)});
  }

  int64_t checksum = 0;
  const auto t0 = Clock::now();
  for (int64_t r = 0; r < rounds; ++r)
    for (int64_t i = 0; i < n; ++i) {
      auto a = aid::assess(claims[static_cast<size_t>(i)], rules, histories[static_cast<size_t>(i)]);
      checksum += a.amount_fen + static_cast<int64_t>(a.lines.size()) + static_cast<int64_t>(a.reasons.size());
    }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double total = static_cast<double>(n * rounds);
  std::printf("RESULT bench=aid_assess claims=%lld rounds=%lld seconds=%.3f claims_per_s=%.0f checksum=%lld\n",
              static_cast<long long>(n), static_cast<long long>(rounds), seconds, total / seconds,
              static_cast<long long>(checksum));
  return 0;
}
