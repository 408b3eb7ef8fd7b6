#include "core/crypto.h"

#include <fcntl.h>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <boost/json.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace gh::crypto {
namespace {

constexpr size_t kKeyBytes = 32;
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == kKeyBytes);
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16

// OWASP Password Storage Cheat Sheet, Argon2id minimum: m = 19 MiB, t = 2,
// p = 1 (libsodium always uses one lane).
constexpr unsigned long long kPwhashOps = 2;
constexpr size_t kPwhashMem = size_t{19} * 1024 * 1024;

constexpr std::string_view kKeysFormat = "gonghui-keys/1";

void ensure_init() {
  // sodium_init takes a global lock; pay for it once, not on every call.
  static const bool ready = (init(), true);
  (void)ready;
}

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* u8(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

[[noreturn]] void keys_error(const std::filesystem::path& file, const std::string& why) {
  throw Error::internal("keys file " + file.string() + ": " + why);
}

[[noreturn]] void sys_error(const std::filesystem::path& file, const char* what) {
  keys_error(file, std::string(what) + ": " + std::strerror(errno));
}

// Key ids appear before the '.' of a sealed value and in JSON: keep them plain.
bool valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

std::string to_json(const Keys& keys) {
  boost::json::object enc;
  for (const auto& [id, key] : keys.enc) enc[id] = base64url(key);
  boost::json::object root;
  root["format"] = kKeysFormat;
  root["enc"] = std::move(enc);
  root["current_enc"] = keys.current_enc;
  root["blind_index"] = base64url(keys.blind_index);
  root["terminal_master"] = base64url(keys.terminal_master);
  boost::json::object card;
  for (const auto& [id, seed] : keys.card) card[id] = base64url(seed);
  root["card"] = std::move(card);
  root["current_card"] = keys.current_card;
  return boost::json::serialize(root) + "\n";
}

// A 32-byte key stored as base64url under `name`.
std::string key_field(const std::filesystem::path& file, const boost::json::value* v,
                      std::string_view name) {
  if (v == nullptr || !v->is_string()) keys_error(file, std::string(name) + " missing");
  std::string raw;
  try {
    raw = from_base64url(v->as_string());
  } catch (const Error&) {
    keys_error(file, std::string(name) + " is not base64url");
  }
  if (raw.size() != kKeyBytes) keys_error(file, std::string(name) + " is not a 32-byte key");
  return raw;
}

Keys from_json(const std::filesystem::path& file, std::string_view text) {
  boost::system::error_code ec;
  const boost::json::value root = boost::json::parse(text, ec);
  if (ec || !root.is_object()) keys_error(file, "not a JSON object");
  const auto& obj = root.as_object();
  const auto* format = obj.if_contains("format");
  if (format == nullptr || !format->is_string() || format->as_string() != kKeysFormat)
    keys_error(file, "unknown format (expected \"" + std::string(kKeysFormat) + "\")");

  Keys keys;
  const auto* enc = obj.if_contains("enc");
  if (enc == nullptr || !enc->is_object() || enc->as_object().empty())
    keys_error(file, "enc must be a non-empty object");
  for (const auto& kv : enc->as_object()) {
    const std::string id(kv.key());
    if (!valid_key_id(id)) keys_error(file, "bad key id \"" + id + "\"");
    keys.enc[id] = key_field(file, &kv.value(), "enc." + id);
  }
  const auto* current = obj.if_contains("current_enc");
  if (current == nullptr || !current->is_string() ||
      !keys.enc.contains(std::string(current->as_string())))
    keys_error(file, "current_enc must name a key in enc");
  keys.current_enc = std::string(current->as_string());
  keys.blind_index = key_field(file, obj.if_contains("blind_index"), "blind_index");
  keys.terminal_master = key_field(file, obj.if_contains("terminal_master"), "terminal_master");
  if (const auto* card = obj.if_contains("card"); card && card->is_object() && !card->as_object().empty()) {
    for (const auto& kv : card->as_object()) {
      const std::string id(kv.key());
      if (!valid_key_id(id)) keys_error(file, "bad card key id \"" + id + "\"");
      keys.card[id] = key_field(file, &kv.value(), "card." + id);
    }
    const auto* cur = obj.if_contains("current_card");
    if (cur == nullptr || !cur->is_string() || !keys.card.contains(std::string(cur->as_string())))
      keys_error(file, "current_card must name a key in card");
    keys.current_card = std::string(cur->as_string());
  } else {
    // Files from before card keys: derive "c1" the same way on every server.
    keys.card["c1"] = hmac_sha256(keys.terminal_master, "gonghui card signing key c1");
    keys.current_card = "c1";
  }
  return keys;
}

// Writes `content` to a new file beside `file` (mode 0600, fsynced) and
// returns its path. The caller moves it into place.
std::filesystem::path write_temp(const std::filesystem::path& file, std::string_view content) {
  std::filesystem::path tmp = file.string() + ".tmp-" + random_token(9);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) sys_error(tmp, "cannot create");
  // The umask can only remove bits, but be explicit: secrets are owner-only.
  bool ok = ::fchmod(fd, 0600) == 0;
  for (size_t done = 0; ok && done < content.size();) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    errno = saved_errno;
    ::unlink(tmp.c_str());
    sys_error(tmp, "cannot write");
  }
  return tmp;
}

// After a rename or link the new directory entry is durable only once the
// directory itself is synced.
void sync_dir(const std::filesystem::path& file) {
  std::filesystem::path dir = file.parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) sys_error(dir, "cannot open directory");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) sys_error(dir, "cannot sync directory");
}

// Random bytes from a per-thread ChaCha20 keystream with fast key erasure
// (each refill first replaces the key it was made with), keyed from the
// kernel once per thread and again in a forked child. libsodium's default
// asks the kernel on every call: a system call per digit of a pickup code,
// a sixth of the writer thread's time in a flash sale.
namespace fast_random {

std::atomic<unsigned> g_generation{0};  // bumped in a forked child

struct Stream {
  unsigned char key[crypto_stream_chacha20_KEYBYTES];
  unsigned char buf[512];
  size_t left = 0;
  uint64_t nonce = 0;
  unsigned generation = ~0u;
};
thread_local Stream t_stream;

void refill(Stream& s) {
  const unsigned gen = g_generation.load(std::memory_order_relaxed);
  if (s.generation != gen) {
    randombytes_sysrandom_implementation.buf(s.key, sizeof s.key);
    s.nonce = 0;
    s.generation = gen;
  }
  unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
  std::memcpy(nonce, &s.nonce, sizeof nonce);
  ++s.nonce;
  crypto_stream_chacha20(s.buf, sizeof s.buf, nonce, s.key);
  std::memcpy(s.key, s.buf, sizeof s.key);
  sodium_memzero(s.buf, sizeof s.key);
  s.left = sizeof s.buf - sizeof s.key;
}

void buf(void* out, size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  Stream& s = t_stream;
  while (n > 0) {
    if (s.left == 0 || s.generation != g_generation.load(std::memory_order_relaxed)) refill(s);
    size_t take = std::min(n, s.left);
    unsigned char* from = s.buf + sizeof s.buf - s.left;
    std::memcpy(p, from, take);
    sodium_memzero(from, take);  // handed out once, never kept
    s.left -= take;
    p += take;
    n -= take;
  }
}

uint32_t random() {
  uint32_t v;
  buf(&v, sizeof v);
  return v;
}

const char* name() { return "gonghui-chacha20"; }
void stir() { t_stream.generation = ~0u; }
int close() { return 0; }

randombytes_implementation implementation = {name, random, stir, nullptr, buf, close};

}  // namespace fast_random

}  // namespace

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    randombytes_set_implementation(&fast_random::implementation);
    pthread_atfork(nullptr, nullptr, [] { fast_random::g_generation.fetch_add(1); });
  });
  if (sodium_init() < 0) throw Error::internal("libsodium failed to initialise");
}

std::string random_bytes(size_t n) {
  ensure_init();
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

std::string random_token(size_t bytes) { return base64url(random_bytes(bytes)); }

std::string to_hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), u8(bytes), bytes.size());
  out.pop_back();  // the terminating NUL
  return out;
}

std::string from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw Error::bad_request("hex", "hex text has an odd length");
  std::string out(hex.size() / 2, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(u8(out), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      end != hex.data() + hex.size() || len != out.size())
    throw Error::bad_request("hex", "not hex text");
  return out;
}

std::string base64url(std::string_view bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), u8(bytes), bytes.size(), kVariant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string from_base64url(std::string_view text) {
  std::string out(text.size() * 3 / 4 + 1, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(u8(out), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    throw Error::bad_request("base64url", "not unpadded base64url text");
  out.resize(len);
  return out;
}

std::string sha256(std::string_view data) {
  std::string out(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(u8(out), u8(data), data.size());
  return out;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

std::string hmac_sha256(std::string_view key, std::string_view msg) {
  // The streaming API takes a key of any length (RFC 2104), unlike the
  // one-shot crypto_auth_hmacsha256, which needs exactly 32 bytes.
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, u8(key), key.size());
  crypto_auth_hmacsha256_update(&st, u8(msg), msg.size());
  std::string out(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&st, u8(out));
  sodium_memzero(&st, sizeof st);
  return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view msg) {
  return to_hex(hmac_sha256(key, msg));
}

bool equal_ct(std::string_view a, std::string_view b) {
  // Lengths are public (a MAC or token has a fixed size); only the contents
  // are compared in constant time.
  if (a.size() != b.size()) return false;
  return a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hash_password(std::string_view password) {
  ensure_init();
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), kPwhashOps, kPwhashMem) !=
      0)
    throw Error::internal("password hashing ran out of memory");
  return out;
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_init();
  // libsodium wants a NUL-terminated hash string that fits its buffer.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

Keys Keys::generate() {
  Keys k;
  k.enc["k1"] = random_bytes(kKeyBytes);
  k.current_enc = "k1";
  k.blind_index = random_bytes(kKeyBytes);
  k.terminal_master = random_bytes(kKeyBytes);
  k.card["c1"] = random_bytes(kKeyBytes);
  k.current_card = "c1";
  return k;
}

void Keys::rotate_card() {
  long highest = 0;
  for (const auto& [id, key] : card)
    if (id.size() >= 2 && id[0] == 'c' && id.substr(1).find_first_not_of("0123456789") == std::string::npos &&
        id.size() <= 10)
      highest = std::max(highest, std::stol(id.substr(1)));
  current_card = "c" + std::to_string(highest + 1);
  card[current_card] = random_bytes(kKeyBytes);
}

void Keys::rotate_enc() {
  // Ids are "k<n>"; the next one is one above the highest in use, so an id
  // is never reused for a different key.
  long highest = 0;
  for (const auto& [id, key] : enc) {
    if (id.size() < 2 || id[0] != 'k') continue;
    const std::string digits = id.substr(1);
    if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) continue;
    highest = std::max(highest, std::stol(digits));
  }
  const std::string id = "k" + std::to_string(highest + 1);
  enc[id] = random_bytes(kKeyBytes);
  current_enc = id;
}

Keys Keys::load(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) sys_error(file, "cannot read");
  if ((st.st_mode & 077) != 0)
    spdlog::warn("keys file {} is readable by others (mode {:o}); chmod 600 it", file.string(),
                 st.st_mode & 0777);
  std::ifstream in(file, std::ios::binary);
  if (!in) sys_error(file, "cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return from_json(file, text.str());
}

void Keys::save(const std::filesystem::path& file) const {
  const std::filesystem::path tmp = write_temp(file, to_json(*this));
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    const int saved_errno = errno;
    ::unlink(tmp.c_str());
    errno = saved_errno;
    sys_error(file, "cannot replace");
  }
  sync_dir(file);
}

Keys Keys::load_or_create(const std::filesystem::path& file) {
  if (std::filesystem::exists(file)) return load(file);
  Keys keys = generate();
  const std::filesystem::path tmp = write_temp(file, to_json(keys));
  // link(), unlike rename(), fails when the target exists: if another
  // process created the file meanwhile, its keys win and ours are dropped
  // before anything was sealed with them.
  const int rc = ::link(tmp.c_str(), file.c_str());
  const int saved_errno = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    if (saved_errno == EEXIST) return load(file);
    errno = saved_errno;
    sys_error(file, "cannot create");
  }
  sync_dir(file);
  return keys;
}

std::string seal(const Keys& keys, std::string_view plain, std::string_view aad) {
  const auto it = keys.enc.find(keys.current_enc);
  if (it == keys.enc.end() || it->second.size() != kKeyBytes)
    throw Error::internal("no current encryption key");
  std::string box = random_bytes(kNonceBytes);  // a random 192-bit nonce never repeats
  box.resize(kNonceBytes + plain.size() + kTagBytes);
  unsigned long long ct_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(u8(box) + kNonceBytes, &ct_len, u8(plain),
                                             plain.size(), u8(aad), aad.size(), nullptr, u8(box),
                                             u8(it->second));
  box.resize(kNonceBytes + static_cast<size_t>(ct_len));
  return it->first + "." + base64url(box);
}

std::string open(const Keys& keys, std::string_view sealed, std::string_view aad) {
  const size_t dot = sealed.find('.');
  if (dot == std::string_view::npos) throw Error::internal("sealed value has no key id");
  const auto it = keys.enc.find(std::string(sealed.substr(0, dot)));
  if (it == keys.enc.end() || it->second.size() != kKeyBytes)
    throw Error::internal("sealed value names an unknown key");
  std::string box;
  try {
    box = from_base64url(sealed.substr(dot + 1));
  } catch (const Error&) {
    throw Error::internal("sealed value is not base64url");
  }
  if (box.size() < kNonceBytes + kTagBytes) throw Error::internal("sealed value too short");
  std::string plain(box.size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long plain_len = 0;
  const std::string_view ct = std::string_view(box).substr(kNonceBytes);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(u8(plain), &plain_len, nullptr, u8(ct), ct.size(),
                                                 u8(aad), aad.size(), u8(box), u8(it->second)) != 0)
    throw Error::internal("sealed value was altered or belongs to another context");
  plain.resize(static_cast<size_t>(plain_len));
  return plain;
}

std::string blind_index(const Keys& keys, std::string_view domain, std::string_view value) {
  // A ':' in the domain would let ("a:b", "c") and ("a", "b:c") collide.
  if (domain.find(':') != std::string_view::npos)
    throw Error::internal("blind index domain must not contain ':'");
  if (keys.blind_index.size() != kKeyBytes) throw Error::internal("no blind index key");
  std::string msg(domain);
  msg.push_back(':');
  msg.append(value);
  // The first 128 bits: plenty against collisions (a 2^64 birthday bound)
  // and half the index pages of the full 256, which is what bulk imports pay.
  return hmac_sha256_hex(keys.blind_index, msg).substr(0, kBlindIndexHexChars);
}

}  // namespace gh::crypto
