#include "core/card_token.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <charconv>

#include "core/card_no.h"
#include "core/crypto.h"
#include "core/error.h"

namespace gh::card {
namespace {

constexpr std::string_view kPrefix = "GH1.";

bool parse_i64(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 12) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0;
}

// base64url without throwing: false on bad input.
bool decode(std::string_view text, std::string& out) {
  try {
    out = crypto::from_base64url(text);
    return true;
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

PublicKey public_key(const SigningKey& k) {
  if (k.seed.size() != crypto_sign_SEEDBYTES) throw Error::internal("card signing key must be 32 bytes");
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(k.seed.data()));
  sodium_memzero(sk, sizeof sk);
  return {k.kid, std::string(reinterpret_cast<const char*>(pk), sizeof pk)};
}

std::string issue(const SigningKey& k, std::string_view card_no, int64_t now_s, int ttl_s) {
  if (k.seed.size() != crypto_sign_SEEDBYTES) throw Error::internal("card signing key must be 32 bytes");
  if (k.kid.empty() || k.kid.find('.') != std::string::npos) throw Error::internal("bad card key id");
  if (auto bare = parse_card_no(card_no); !bare || *bare != card_no) throw Error::internal("not a card number");
  const std::string body = std::string(card_no) + "." + std::to_string(now_s) + "." + std::to_string(now_s + ttl_s);
  const std::string signed_part = std::string(kPrefix) + k.kid + "." + crypto::base64url(body);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(k.seed.data()));
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
                       sk);
  sodium_memzero(sk, sizeof sk);
  return signed_part + "." + crypto::base64url(std::string_view(reinterpret_cast<const char*>(sig), sizeof sig));
}

Verified verify(std::string_view token, const std::vector<PublicKey>& keys, int64_t now_s, int skew_s) {
  Verified v;
  v.code = "token.format";
  if (token.size() > 300 || !token.starts_with(kPrefix)) return v;
  const size_t kid_end = token.find('.', kPrefix.size());
  const size_t last = token.rfind('.');
  if (kid_end == std::string_view::npos || last <= kid_end) return v;
  const std::string_view kid = token.substr(kPrefix.size(), kid_end - kPrefix.size());
  const std::string_view body64 = token.substr(kid_end + 1, last - kid_end - 1);
  std::string body, sig;
  if (kid.empty() || !decode(body64, body) || !decode(token.substr(last + 1), sig) || sig.size() != crypto_sign_BYTES)
    return v;
  // "<card no>.<issued>.<expires>"
  const size_t d1 = body.find('.'), d2 = body.rfind('.');
  if (d1 == std::string::npos || d2 == d1) return v;
  const std::string card_no = body.substr(0, d1);
  int64_t iat = 0, exp = 0;
  if (!parse_i64(std::string_view(body).substr(d1 + 1, d2 - d1 - 1), iat) ||
      !parse_i64(std::string_view(body).substr(d2 + 1), exp) || exp < iat)
    return v;
  if (auto bare = parse_card_no(card_no); !bare || *bare != card_no) return v;
  const PublicKey* key = nullptr;
  for (const auto& k : keys)
    if (k.kid == kid) key = &k;
  v.kid = std::string(kid);
  if (key == nullptr || key->key.size() != crypto_sign_PUBLICKEYBYTES) {
    v.code = "token.key_unknown";
    return v;
  }
  const std::string_view signed_part = token.substr(0, last);
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                  reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
                                  reinterpret_cast<const unsigned char*>(key->key.data())) != 0) {
    v.code = "token.signature";
    return v;
  }
  v.card_no = card_no;
  v.issued_at = iat;
  v.expires_at = exp;
  if (now_s > exp + skew_s) {
    v.code = "token.expired";
    return v;
  }
  if (now_s + skew_s < iat) {
    v.code = "token.not_yet_valid";
    return v;
  }
  v.ok = true;
  v.code = {};
  return v;
}

std::string keys_json(const std::vector<PublicKey>& keys, std::string_view current) {
  boost::json::array arr;
  for (const auto& k : keys)
    arr.push_back({{"kid", k.kid}, {"alg", "Ed25519"}, {"public_key", crypto::base64url(k.key)}, {"current", k.kid == current}});
  return boost::json::serialize(boost::json::object{{"keys", std::move(arr)}});
}

std::vector<PublicKey> parse_keys_json(std::string_view json) {
  boost::system::error_code ec;
  auto v = boost::json::parse(json, ec);
  if (ec || !v.is_object() || !v.as_object().contains("keys") || !v.at("keys").is_array())
    throw Error::bad_request("card.keys_format", "not a card key set: expected {\"keys\":[{\"kid\",\"public_key\"}]}");
  std::vector<PublicKey> out;
  for (const auto& k : v.at("keys").as_array()) {
    if (!k.is_object() || !k.as_object().contains("kid") || !k.as_object().contains("public_key") ||
        !k.at("kid").is_string() || !k.at("public_key").is_string())
      throw Error::bad_request("card.keys_format", "each key needs a kid and a public_key");
    std::string raw;
    if (!decode(k.at("public_key").as_string(), raw) || raw.size() != crypto_sign_PUBLICKEYBYTES)
      throw Error::bad_request("card.keys_format", "public_key must be 32 bytes in base64url");
    out.push_back({std::string(k.at("kid").as_string()), raw});
  }
  return out;
}

}  // namespace gh::card
