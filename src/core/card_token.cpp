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

namespace {

// A token taken apart; `code` is empty when its format is right.
struct Parsed {
  std::string_view code = "token.format";
  std::string_view kid, signed_part;
  std::string sig, card_no;
  int64_t iat = 0, exp = 0;
};

Parsed parse(std::string_view token) {
  Parsed p;
  if (token.size() > 300 || !token.starts_with(kPrefix)) return p;
  const size_t kid_end = token.find('.', kPrefix.size());
  const size_t last = token.rfind('.');
  if (kid_end == std::string_view::npos || last <= kid_end) return p;
  const std::string_view kid = token.substr(kPrefix.size(), kid_end - kPrefix.size());
  const std::string_view body64 = token.substr(kid_end + 1, last - kid_end - 1);
  std::string body;
  if (kid.empty() || !decode(body64, body) || !decode(token.substr(last + 1), p.sig) ||
      p.sig.size() != crypto_sign_BYTES)
    return p;
  // "<card no>.<issued>.<expires>"
  const size_t d1 = body.find('.'), d2 = body.rfind('.');
  if (d1 == std::string::npos || d2 == d1) return p;
  std::string card_no = body.substr(0, d1);
  if (!parse_i64(std::string_view(body).substr(d1 + 1, d2 - d1 - 1), p.iat) ||
      !parse_i64(std::string_view(body).substr(d2 + 1), p.exp) || p.exp < p.iat)
    return p;
  if (auto bare = parse_card_no(card_no); !bare || *bare != card_no) return p;
  p.card_no = std::move(card_no);
  p.kid = kid;
  p.signed_part = token.substr(0, last);
  p.code = {};
  return p;
}

// After a good signature: the token's fields, then the clock.
Verified timed(Parsed& p, int64_t now_s, int skew_s) {
  Verified v;
  v.kid = std::string(p.kid);
  v.card_no = std::move(p.card_no);
  v.issued_at = p.iat;
  v.expires_at = p.exp;
  return at_time(std::move(v), now_s, skew_s);
}

Verified refused(std::string_view code, std::string_view kid = {}) {
  Verified v;
  v.code = code;
  v.kid = std::string(kid);
  return v;
}

const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Verified at_time(Verified v, int64_t now_s, int skew_s) {
  v.ok = false;
  v.code = {};
  if (now_s > v.expires_at + skew_s) {
    v.code = "token.expired";
  } else if (now_s + skew_s < v.issued_at) {
    v.code = "token.not_yet_valid";
  } else {
    v.ok = true;
  }
  return v;
}

Verified verify(std::string_view token, const std::vector<PublicKey>& keys, int64_t now_s, int skew_s) {
  Parsed p = parse(token);
  if (!p.code.empty()) return refused(p.code);
  const PublicKey* key = nullptr;
  for (const auto& k : keys)
    if (k.kid == p.kid) key = &k;
  if (key == nullptr || key->key.size() != crypto_sign_PUBLICKEYBYTES) return refused("token.key_unknown", p.kid);
  if (crypto_sign_verify_detached(u8(p.sig), u8(p.signed_part), p.signed_part.size(), u8(key->key)) != 0)
    return refused("token.signature", p.kid);
  return timed(p, now_s, skew_s);
}

SecretKey expand(const SigningKey& k) {
  if (k.seed.size() != crypto_sign_SEEDBYTES) throw Error::internal("card signing key must be 32 bytes");
  SecretKey out{k.kid, std::string(crypto_sign_SECRETKEYBYTES, '\0')};
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_seed_keypair(pk, reinterpret_cast<unsigned char*>(out.sk.data()), u8(k.seed));
  return out;
}

Verified verify_issued(std::string_view token, const std::vector<SecretKey>& keys, int64_t now_s, int skew_s) {
  Parsed p = parse(token);
  if (!p.code.empty()) return refused(p.code);
  const SecretKey* key = nullptr;
  for (const auto& k : keys)
    if (k.kid == p.kid) key = &k;
  if (key == nullptr || key->sk.size() != crypto_sign_SECRETKEYBYTES) return refused("token.key_unknown", p.kid);
  unsigned char again[crypto_sign_BYTES];
  crypto_sign_detached(again, nullptr, u8(p.signed_part), p.signed_part.size(), u8(key->sk));
  if (sodium_memcmp(again, p.sig.data(), sizeof again) != 0) return refused("token.signature", p.kid);
  return timed(p, now_s, skew_s);
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
