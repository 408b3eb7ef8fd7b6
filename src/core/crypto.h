// All cryptography goes through libsodium, behind these few functions.
// Every function is thread-safe and calls init() itself when needed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace gh::crypto {

// Calls sodium_init(); safe to call more than once. Throws on failure.
void init();

std::string random_bytes(size_t n);
// n random bytes as unpadded base64url (e.g. 32 → 43 characters).
std::string random_token(size_t bytes = 32);
std::string to_hex(std::string_view bytes);
std::string from_hex(std::string_view hex);  // throws gh::Error on bad input
std::string base64url(std::string_view bytes);
std::string from_base64url(std::string_view text);  // throws gh::Error on bad input

std::string sha256(std::string_view data);  // 32 raw bytes
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view msg);  // 32 raw bytes
std::string hmac_sha256_hex(std::string_view key, std::string_view msg);
bool equal_ct(std::string_view a, std::string_view b);  // constant time

// Argon2id (crypto_pwhash_str) with at least OWASP's minimum: t=2, m=19 MiB.
// The result is the self-describing "$argon2id$v=19$m=19456,t=2,p=1$…" string.
std::string hash_password(std::string_view password);
// False for a wrong password and for anything that is not a hash string.
bool verify_password(std::string_view hash, std::string_view password);

// The server's secrets, kept in a JSON file (mode 0600) created by
// `gonghui keys`. Encryption keys carry ids so they can rotate: new data is
// sealed with the current key, old data still opens with its own.
struct Keys {
  std::map<std::string, std::string> enc;  // key id → 32 raw bytes (XChaCha20-Poly1305)
  std::string current_enc;                 // key id used for new ciphertexts
  std::string blind_index;                 // 32 raw bytes, HMAC key for blind indexes
  std::string terminal_master;             // 32 raw bytes, derives terminal secrets
  // Ed25519 seeds (32 raw bytes) that sign digital union card tokens, by key
  // id ("c1", "c2", …); `current_card` signs new tokens. A keys file written
  // before card keys existed gets "c1" derived from terminal_master, so every
  // server sharing the file derives the same key.
  std::map<std::string, std::string> card;
  std::string current_card;

  static Keys generate();
  // Adds a new encryption key and makes it current; old keys stay for reading.
  void rotate_enc();
  // Adds a new card signing key and makes it current; old ones still verify.
  void rotate_card();
  static Keys load(const std::filesystem::path& file);  // throws gh::Error
  // Atomic (temporary file, fsync, rename), mode 0600. Throws gh::Error.
  void save(const std::filesystem::path& file) const;
  // Loads the file, or generates and saves it when absent. Two processes
  // racing to create it end up with the same keys (the loser loads the
  // winner's file).
  static Keys load_or_create(const std::filesystem::path& file);
};

// Seals `plain` with the current key: "<key id>.<base64url(nonce ‖ ciphertext)>".
// `aad` binds the ciphertext to its context (e.g. "member.citizen_id").
std::string seal(const Keys& keys, std::string_view plain, std::string_view aad);
// Throws gh::Error (internal) when the key is unknown or the data was altered.
std::string open(const Keys& keys, std::string_view sealed, std::string_view aad);
// HMAC-SHA256 blind index, truncated to 128 bits, as 32 hex characters:
// equality search without the plaintext.
// Computed over domain + ":" + value, so the same value gives unrelated
// indexes in different domains (e.g. "citizen_id", "phone"). `domain` must
// not contain ':' (throws gh::Error internal).
std::string blind_index(const Keys& keys, std::string_view domain, std::string_view value);
inline constexpr size_t kBlindIndexHexChars = 32;

}  // namespace gh::crypto
