// Digital union card tokens (电子会员卡动态码), documented in
// docs/card-tokens.md. A token proves "this card, now": it carries the card
// number, when it was issued and when it expires (about 60 s later), signed
// with Ed25519 under a key id so keys can rotate:
//
//   GH1.<kid>.<base64url("<card no>.<issued unix s>.<expires unix s>")>.<base64url(signature)>
//
// The signature covers everything before the last '.'. Verification needs
// only the public keys, so a gate or a till can check a token offline
// exactly as the server does online (the server also checks that the
// membership is still active).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gh::card {

inline constexpr int kTokenSeconds = 60;  // lifetime of a token
inline constexpr int kSkewSeconds = 5;    // clock difference tolerated on either side

struct SigningKey {
  std::string kid;
  std::string seed;  // 32 raw bytes
};
struct PublicKey {
  std::string kid;
  std::string key;  // 32 raw bytes
};

PublicKey public_key(const SigningKey& k);
// Throws gh::Error (internal) on a malformed key or card number.
std::string issue(const SigningKey& k, std::string_view card_no, int64_t now_s, int ttl_s = kTokenSeconds);

struct Verified {
  bool ok = false;
  // When not ok: token.format, token.key_unknown, token.signature,
  // token.expired, token.not_yet_valid.
  std::string_view code;
  std::string kid;
  std::string card_no;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};
Verified verify(std::string_view token, const std::vector<PublicKey>& keys, int64_t now_s,
                int skew_s = kSkewSeconds);
// The clock check alone, for a token whose signature is already known to be
// good (v as a verification returned it, at any time): ok, token.expired or
// token.not_yet_valid at now_s.
Verified at_time(Verified v, int64_t now_s, int skew_s = kSkewSeconds);

// A signing key expanded once into libsodium's 64-byte secret key
// (seed ‖ public key), for verify_issued.
struct SecretKey {
  std::string kid;
  std::string sk;
};
SecretKey expand(const SigningKey& k);  // throws gh::Error (internal) on a malformed key

// The issuer's own check, with the same answers as verify(): Ed25519
// signatures are deterministic (RFC 8032 §5.1.6), so signing a token's text
// again gives exactly the signature issue() put on it. That is one
// fixed-base scalar multiplication instead of verification's double one
// (bench/card_verify: about 3× faster), and it accepts exactly what issue()
// produces, nothing else.
Verified verify_issued(std::string_view token, const std::vector<SecretKey>& keys, int64_t now_s,
                       int skew_s = kSkewSeconds);

// The key set as published by GET /api/v1/card/public-key:
// {"keys":[{"kid","alg":"Ed25519","public_key":<base64url>,"current"}]}.
std::string keys_json(const std::vector<PublicKey>& keys, std::string_view current);
// Reads that JSON (e.g. a file saved from the endpoint). Throws gh::Error.
std::vector<PublicKey> parse_keys_json(std::string_view json);

}  // namespace gh::card
