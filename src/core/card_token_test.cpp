#include "core/card_token.h"

#include <gtest/gtest.h>

#include "core/card_no.h"
#include "core/crypto.h"
#include "core/error.h"

namespace gh::card {
namespace {

const std::string kCard = make_card_no("530102", 123);
constexpr int64_t kNow = 1'764'460'800;  // 2025-11-30T00:00:00Z

SigningKey key(const char* kid = "c1", char fill = 'k') { return {kid, std::string(32, fill)}; }

TEST(CardToken, IssuesAndVerifiesWithThePublicKeyOnly) {
  const auto k = key();
  const std::string t = issue(k, kCard, kNow);
  EXPECT_TRUE(t.starts_with("GH1.c1."));
  auto v = verify(t, {public_key(k)}, kNow + 30);
  ASSERT_TRUE(v.ok) << v.code;
  EXPECT_EQ(v.card_no, kCard);
  EXPECT_EQ(v.issued_at, kNow);
  EXPECT_EQ(v.expires_at, kNow + kTokenSeconds);
  EXPECT_EQ(v.kid, "c1");
  EXPECT_LT(t.size(), 200u) << "fits a small QR code";
}

TEST(CardToken, ExpiryWithSkewAtTheEdges) {
  const auto k = key();
  const auto pk = std::vector<PublicKey>{public_key(k)};
  const std::string t = issue(k, kCard, kNow);
  EXPECT_TRUE(verify(t, pk, kNow + 60 + 5).ok);
  EXPECT_EQ(verify(t, pk, kNow + 60 + 6).code, "token.expired");
  EXPECT_TRUE(verify(t, pk, kNow - 5).ok);
  EXPECT_EQ(verify(t, pk, kNow - 6).code, "token.not_yet_valid");
}

TEST(CardToken, TamperedTokensFail) {
  const auto k = key();
  const auto pk = std::vector<PublicKey>{public_key(k)};
  const std::string t = issue(k, kCard, kNow);
  // Another card number in the body, re-encoded: the signature no longer fits.
  const std::string other = make_card_no("530102", 124);
  const size_t a = t.find('.', 4), b = t.rfind('.');
  const std::string forged = t.substr(0, a + 1) +
                             crypto::base64url(other + "." + std::to_string(kNow) + "." + std::to_string(kNow + 60)) +
                             t.substr(b);
  EXPECT_EQ(verify(forged, pk, kNow).code, "token.signature");
  // A longer lifetime, same card.
  const std::string longer = t.substr(0, a + 1) +
                             crypto::base64url(kCard + "." + std::to_string(kNow) + "." + std::to_string(kNow + 86400)) +
                             t.substr(b);
  EXPECT_EQ(verify(longer, pk, kNow).code, "token.signature");
  // One flipped signature character.
  std::string flipped = t;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify(flipped, pk, kNow).ok);
}

// The issuer's check (signing again) answers exactly as verification does:
// for good tokens, every one-character change, the wrong key, an unknown
// key id, the clock at the edges and malformed input.
TEST(CardToken, VerifyIssuedAgreesWithVerify) {
  const auto k1 = key("c1", 'a'), k2 = key("c2", 'b');
  const std::vector<PublicKey> pub{public_key(k1), public_key(k2)};
  const std::vector<SecretKey> sec{expand(k1), expand(k2)};
  std::vector<std::string> tokens{issue(k1, kCard, kNow), issue(k2, make_card_no("110101", 7), kNow),
                                  issue(key("c1", 'z'), kCard, kNow), issue(key("c9", 'a'), kCard, kNow),
                                  "", "GH1.", "GH1.c1..", "not a token"};
  const std::string good = tokens[0];
  static constexpr char kAlphabet[] = "AQgw_-.019";
  for (size_t i = 0; i < good.size(); ++i)
    for (char c : std::string_view(kAlphabet))
      if (good[i] != c) {
        std::string t = good;
        t[i] = c;
        tokens.push_back(t);
      }
  int ok = 0;
  for (const auto& t : tokens)
    for (int64_t now : {kNow - 6, kNow - 5, kNow + 30, kNow + 65, kNow + 66}) {
      auto a = verify(t, pub, now), b = verify_issued(t, sec, now);
      ASSERT_EQ(a.ok, b.ok) << t << " at " << now;
      ASSERT_EQ(a.code, b.code) << t;
      ASSERT_EQ(a.card_no, b.card_no) << t;
      ASSERT_EQ(a.expires_at, b.expires_at) << t;
      ok += a.ok;
    }
  EXPECT_EQ(ok, 6) << "each good token is good at three of the five times";
}

TEST(CardToken, WrongOrUnknownKey) {
  const std::string t = issue(key("c1", 'a'), kCard, kNow);
  EXPECT_EQ(verify(t, {public_key(key("c1", 'b'))}, kNow).code, "token.signature");
  EXPECT_EQ(verify(t, {public_key(key("c2", 'a'))}, kNow).code, "token.key_unknown");
  EXPECT_EQ(verify(t, {}, kNow).code, "token.key_unknown");
  // Rotation: old tokens still verify while their key is published.
  EXPECT_TRUE(verify(t, {public_key(key("c2", 'b')), public_key(key("c1", 'a'))}, kNow).ok);
}

TEST(CardToken, MalformedTokensAreFormatErrors) {
  const auto pk = std::vector<PublicKey>{public_key(key())};
  for (std::string_view bad : {"", "GH1.", "GH1.c1", "GH1.c1..", "GH2.c1.eA.eA", "GH1.c1.!!!.AAAA",
                               "GH1.c1.MTIz.AAAA", "hello world"})
    EXPECT_EQ(verify(bad, pk, kNow).code, "token.format") << bad;
  // A body that is not "<card>.<iat>.<exp>" with a valid card number.
  const auto k = key();
  EXPECT_THROW(issue(k, "1234", kNow), Error);
  EXPECT_THROW(issue(k, kCard.substr(0, 15) + (kCard[15] == '0' ? "1" : "0"), kNow), Error);  // wrong check digit
}

TEST(CardToken, KeySetJsonRoundTrips) {
  const std::vector<PublicKey> keys = {public_key(key("c1", 'a')), public_key(key("c2", 'b'))};
  const std::string json = keys_json(keys, "c2");
  EXPECT_NE(json.find("\"current\":true"), std::string::npos);
  auto back = parse_keys_json(json);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].kid, "c2");
  EXPECT_EQ(back[1].key, keys[1].key);
  EXPECT_THROW(parse_keys_json("{}"), Error);
  EXPECT_THROW(parse_keys_json(R"({"keys":[{"kid":"c1","public_key":"AAAA"}]})"), Error);
}

}  // namespace
}  // namespace gh::card
