#include "modules/card/issued.h"

#include <gtest/gtest.h>

#include "core/card_no.h"
#include "core/card_token.h"

namespace gh::card {
namespace {

constexpr int64_t kNow = 1'764'460'800;

TEST(IssuedTokens, KnownTokensAnswerAsVerificationDoes) {
  const SigningKey key{"c1", std::string(32, 'k')};
  const std::string card = make_card_no("530102", 9);
  const std::string token = issue(key, card, kNow);
  Issued issued;
  EXPECT_FALSE(issued.find(token, kNow));
  issued.remember(token, {true, {}, "c1", card, kNow, kNow + kTokenSeconds}, kNow);
  const std::vector<PublicKey> pub{public_key(key)};
  for (int64_t at : {kNow - 6, kNow - 5, kNow + 30, kNow + 65, kNow + 66}) {
    auto known = issued.find(token, at);
    ASSERT_TRUE(known);
    auto checked = verify(token, pub, at);
    EXPECT_EQ(known->ok, checked.ok) << at;
    EXPECT_EQ(known->code, checked.code) << at;
    EXPECT_EQ(known->card_no, checked.card_no);
    EXPECT_EQ(known->expires_at, checked.expires_at);
  }
  // Only the exact text: a changed token is not known (and fails its signature).
  std::string other = token;
  other.back() = other.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(issued.find(other, kNow));
}

TEST(IssuedTokens, ExpiredOnesArePrunedAsNewOnesArrive) {
  Issued issued;
  const std::string card = make_card_no("530102", 1);
  for (int i = 0; i < 3000; ++i)
    issued.remember("old-" + std::to_string(i), {true, {}, "c1", card, kNow, kNow + 60}, kNow);
  // Two minutes later the old ones are past their expiry and skew.
  for (int i = 0; i < 3000; ++i)
    issued.remember("new-" + std::to_string(i), {true, {}, "c1", card, kNow + 120, kNow + 180}, kNow + 120);
  EXPECT_FALSE(issued.find("old-1", kNow + 120));
  ASSERT_TRUE(issued.find("new-2999", kNow + 130));
  EXPECT_TRUE(issued.find("new-0", kNow + 130)->ok);
}

}  // namespace
}  // namespace gh::card
