#include "modules/campaign/draw.h"

#include <gtest/gtest.h>

#include <numeric>
#include <set>

#include "core/crypto.h"

namespace gh::campaign {
namespace {

std::vector<int64_t> iota_ids(int64_t n, int64_t first = 1) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), first);
  return v;
}

const std::string kSeed = "9f2c4e1a7b3d5f608192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";

TEST(Draw, SameSeedAndRegistrationsGiveTheSameWinnersWhateverTheOrder) {
  auto ids = iota_ids(500);
  auto a = draw(kSeed, ids, 50);
  std::reverse(ids.begin(), ids.end());
  auto b = draw(kSeed, ids, 50);
  EXPECT_EQ(a.ranking, b.ranking);
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(a.winners, 50u);
}

TEST(Draw, RankingIsAPermutationOfTheRegistrations) {
  auto ids = iota_ids(1000, 7);
  auto r = draw(kSeed, ids, 10);
  std::set<int64_t> seen(r.ranking.begin(), r.ranking.end());
  EXPECT_EQ(seen.size(), ids.size());
  EXPECT_EQ(*seen.begin(), 7);
  EXPECT_EQ(*seen.rbegin(), 1006);
}

TEST(Draw, AnotherSeedOrOneMoreRegistrationChangesTheResult) {
  auto ids = iota_ids(200);
  auto a = draw(kSeed, ids, 20);
  std::string other = kSeed;
  other[0] = '8';
  auto b = draw(other, ids, 20);
  EXPECT_NE(std::vector<int64_t>(a.ranking.begin(), a.ranking.begin() + 20),
            std::vector<int64_t>(b.ranking.begin(), b.ranking.begin() + 20));
  ids.push_back(201);
  auto c = draw(kSeed, ids, 20);
  EXPECT_NE(a.digest, c.digest);
  EXPECT_NE(std::vector<int64_t>(a.ranking.begin(), a.ranking.begin() + 20),
            std::vector<int64_t>(c.ranking.begin(), c.ranking.begin() + 20));
}

TEST(Draw, WinnersAreCappedByRegistrationsAndNeverNegative) {
  EXPECT_EQ(draw(kSeed, iota_ids(3), 10).winners, 3u);
  EXPECT_EQ(draw(kSeed, {}, 10).winners, 0u);
  EXPECT_EQ(draw(kSeed, iota_ids(3), 0).winners, 0u);
  EXPECT_EQ(draw(kSeed, iota_ids(10), 10).winners, 10u);
}

TEST(Draw, EveryRegistrationHasAFairChance) {
  // 100 registrations, 10 winners, 2,000 seeds: each id should win about
  // 200 times; a biased ranking (by id, say) would give 0 or 2,000.
  std::vector<int> wins(101);
  auto ids = iota_ids(100);
  for (int s = 0; s < 2000; ++s) {
    auto r = draw(crypto::sha256_hex(std::to_string(s)), ids, 10);
    for (size_t i = 0; i < r.winners; ++i) ++wins[static_cast<size_t>(r.ranking[i])];
  }
  for (int id = 1; id <= 100; ++id) {
    EXPECT_GT(wins[static_cast<size_t>(id)], 120) << id;
    EXPECT_LT(wins[static_cast<size_t>(id)], 290) << id;
  }
}

TEST(Draw, DigestIsSha256OfTheSortedIdsOnePerLine) {
  EXPECT_EQ(registrations_digest({3, 1, 2}), crypto::sha256_hex("1\n2\n3\n"));
  EXPECT_EQ(commitment("ab"), crypto::sha256_hex("ab"));
}

}  // namespace
}  // namespace gh::campaign
