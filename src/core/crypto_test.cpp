#include "core/crypto.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <set>
#include <thread>

#include <fstream>

#include "core/error.h"

namespace gh::crypto {
namespace {

TEST(Crypto, RandomBytesAndTokens) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(24).size(), 24u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
  const std::string token = random_token();
  EXPECT_EQ(token.size(), 43u);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_EQ(random_token(9).size(), 12u);
}

// The per-thread ChaCha20 generator that init() installs under libsodium:
// every thread and every forked child draws its own stream, and the bytes
// look uniform.
TEST(Crypto, FastRandomIsPerThreadPerProcessAndUniform) {
  crypto::init();
  EXPECT_STREQ(randombytes_implementation_name(), "gonghui-chacha20");

  std::string mine = crypto::random_bytes(64), theirs;
  std::thread([&] { theirs = crypto::random_bytes(64); }).join();
  EXPECT_NE(mine, theirs);

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string c = crypto::random_bytes(32);
    ssize_t w = write(fds[1], c.data(), c.size());
    _exit(w == 32 ? 0 : 1);
  }
  std::string in_child(32, '\0');
  ASSERT_EQ(read(fds[0], in_child.data(), 32), 32);
  waitpid(child, nullptr, 0);
  close(fds[0]);
  close(fds[1]);
  EXPECT_NE(in_child, crypto::random_bytes(32)) << "a forked child repeated its parent's stream";

  // 1 MiB in odd-sized pieces (across refills): each byte value about 4,096
  // times (a count off by 6 standard deviations fails), no piece repeated.
  std::array<int, 256> counts{};
  std::set<std::string> pieces;
  size_t total = 0;
  for (size_t n = 1; total < (1u << 20); n = n % 997 + 7) {
    std::string b = crypto::random_bytes(n);
    if (n >= 16) {
      EXPECT_TRUE(pieces.insert(b).second);
    }
    for (unsigned char c : b) ++counts[c];
    total += n;
  }
  const double mean = total / 256.0, sd = std::sqrt(mean);
  for (int v = 0; v < 256; ++v) EXPECT_NEAR(counts[v], mean, 6 * sd) << "byte value " << v;
  // randombytes_uniform (pickup codes) draws from it too.
  std::array<int, 10> digits{};
  for (int i = 0; i < 100000; ++i) ++digits[randombytes_uniform(10)];
  for (int d : digits) EXPECT_NEAR(d, 10000, 600);
}

TEST(Crypto, Hex) {
  EXPECT_EQ(to_hex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(to_hex(""), "");
  EXPECT_EQ(from_hex("00ff10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(from_hex("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(from_hex(""), "");
  for (const char* bad : {"0", "0g", "00ff1", "00 ff", "zz"})
    EXPECT_THROW(from_hex(bad), Error) << bad;
}

TEST(Crypto, Base64UrlMatchesRfc4648) {
  // RFC 4648 §10 vectors, unpadded.
  const struct {
    const char* plain;
    const char* encoded;
  } cases[] = {{"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
               {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& c : cases) {
    EXPECT_EQ(base64url(c.plain), c.encoded);
    EXPECT_EQ(from_base64url(c.encoded), c.plain);
  }
  // The URL-safe alphabet: standard "+/8=" is "-_8".
  EXPECT_EQ(base64url("\xfb\xff"), "-_8");
  EXPECT_EQ(from_base64url("-_8"), "\xfb\xff");
  for (const char* bad : {"Zm9v=", "Zm8=", "+/8", "Z", "Zm9v\n", "Zm 9v"})
    EXPECT_THROW(from_base64url(bad), Error) << bad;
}

TEST(Crypto, Sha256MatchesFips180Vectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256("abc").size(), 32u);
}

TEST(Crypto, HmacSha256MatchesRfc4231) {
  const struct {
    std::string key;
    std::string msg;
    const char* mac;
  } cases[] = {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      // Test case 6: a key longer than the block size is hashed first.
      {std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(hmac_sha256_hex(c.key, c.msg), c.mac);
    EXPECT_EQ(to_hex(hmac_sha256(c.key, c.msg)), c.mac);
  }
}

TEST(Crypto, EqualCt) {
  EXPECT_TRUE(equal_ct("", ""));
  EXPECT_TRUE(equal_ct("abc", "abc"));
  EXPECT_FALSE(equal_ct("abc", "abd"));
  EXPECT_FALSE(equal_ct("abc", "ab"));
  EXPECT_FALSE(equal_ct("", "a"));
}

TEST(Crypto, Passwords) {
  const std::string hash = hash_password("correct horse battery staple");
  // Argon2id at OWASP's minimum, as the hash string records it.
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << hash;
  EXPECT_TRUE(verify_password(hash, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(hash, "correct horse battery stapler"));
  EXPECT_FALSE(verify_password(hash, ""));
  EXPECT_NE(hash_password("correct horse battery staple"), hash);  // salted
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("not a hash", "not a hash"));
  EXPECT_FALSE(verify_password(std::string(1000, '$'), "x"));
  // Passwords may contain NUL bytes and non-ASCII text.
  const std::string odd("密码\0x", 8);
  EXPECT_TRUE(verify_password(hash_password(odd), odd));
  EXPECT_FALSE(verify_password(hash_password(odd), "密码"));
}

void expect_same(const Keys& a, const Keys& b) {
  EXPECT_EQ(a.enc, b.enc);
  EXPECT_EQ(a.current_enc, b.current_enc);
  EXPECT_EQ(a.blind_index, b.blind_index);
  EXPECT_EQ(a.terminal_master, b.terminal_master);
}

TEST(Keys, GenerateAndRotate) {
  Keys k = Keys::generate();
  ASSERT_EQ(k.enc.size(), 1u);
  EXPECT_EQ(k.current_enc, "k1");
  EXPECT_EQ(k.enc.at("k1").size(), 32u);
  EXPECT_EQ(k.blind_index.size(), 32u);
  EXPECT_EQ(k.terminal_master.size(), 32u);
  EXPECT_NE(k.blind_index, k.terminal_master);
  const std::string k1 = k.enc.at("k1");
  k.rotate_enc();
  k.rotate_enc();
  EXPECT_EQ(k.current_enc, "k3");
  EXPECT_EQ(k.enc.size(), 3u);
  EXPECT_EQ(k.enc.at("k1"), k1);
  EXPECT_NE(k.enc.at("k3"), k.enc.at("k2"));
  // Ids are never reused, even when a key in the middle was dropped.
  k.enc.erase("k2");
  k.enc.erase("k3");
  k.enc["k7"] = random_bytes(32);
  k.rotate_enc();
  EXPECT_EQ(k.current_enc, "k8");
}

TEST(Seal, RoundTripAndFormat) {
  const Keys k = Keys::generate();
  for (std::string plain :
       {std::string(), std::string("11010519491231002X"), std::string(1000, 'z')}) {
    const std::string sealed = seal(k, plain, "member.citizen_id");
    ASSERT_EQ(sealed.rfind("k1.", 0), 0u) << sealed;
    // nonce (24) + ciphertext (n) + tag (16), base64url without padding.
    EXPECT_EQ(from_base64url(sealed.substr(3)).size(), 24 + plain.size() + 16);
    EXPECT_EQ(open(k, sealed, "member.citizen_id"), plain);
  }
  // A fresh nonce each time: equal plaintexts do not give equal ciphertexts.
  EXPECT_NE(seal(k, "same", "a"), seal(k, "same", "a"));
}

TEST(Seal, RejectsTamperingAndWrongContext) {
  const Keys k = Keys::generate();
  const std::string sealed = seal(k, "11010519491231002X", "member.citizen_id");
  EXPECT_THROW(open(k, sealed, "member.phone"), Error);
  EXPECT_THROW(open(k, sealed, ""), Error);
  // Flip one bit in every byte position of the box in turn.
  const std::string box = from_base64url(sealed.substr(3));
  for (size_t i = 0; i < box.size(); ++i) {
    std::string bad = box;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_THROW(open(k, "k1." + base64url(bad), "member.citizen_id"), Error) << i;
  }
  EXPECT_THROW(open(k, "k1." + base64url(box.substr(0, 39)), "member.citizen_id"), Error);
  EXPECT_THROW(open(k, "k9" + sealed.substr(2), "member.citizen_id"), Error);
  EXPECT_THROW(open(k, sealed.substr(3), "member.citizen_id"), Error);  // no key id
  EXPECT_THROW(open(k, "k1.!!!", "member.citizen_id"), Error);
  // Another key set cannot open it.
  EXPECT_THROW(open(Keys::generate(), sealed, "member.citizen_id"), Error);
  try {
    open(k, sealed, "member.phone");
    ADD_FAILURE() << "opened with the wrong context";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::internal);
  }
}

TEST(Seal, OldCiphertextsOpenAfterRotation) {
  Keys k = Keys::generate();
  const std::string old_sealed = seal(k, "old", "ctx");
  k.rotate_enc();
  const std::string new_sealed = seal(k, "new", "ctx");
  EXPECT_EQ(new_sealed.rfind("k2.", 0), 0u);
  EXPECT_EQ(open(k, old_sealed, "ctx"), "old");
  EXPECT_EQ(open(k, new_sealed, "ctx"), "new");
}

TEST(BlindIndex, IsAKeyedHashPerDomain) {
  const Keys k = Keys::generate();
  const std::string idx = blind_index(k, "citizen_id", "11010519491231002X");
  // Computed again with libsodium's one-shot HMAC, independently of hmac_sha256.
  const std::string msg = "citizen_id:11010519491231002X";
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                         reinterpret_cast<const unsigned char*>(k.blind_index.data()));
  // The first 16 bytes of the MAC.
  EXPECT_EQ(idx, to_hex(std::string(reinterpret_cast<char*>(mac), 16)));
  EXPECT_EQ(idx.size(), 32u);
  EXPECT_EQ(blind_index(k, "citizen_id", "11010519491231002X"), idx);
  EXPECT_NE(blind_index(k, "phone", "11010519491231002X"), idx);
  EXPECT_NE(blind_index(k, "citizen_id", "110105194912310011"), idx);
  EXPECT_NE(blind_index(Keys::generate(), "citizen_id", "11010519491231002X"), idx);
  EXPECT_THROW(blind_index(k, "citizen:id", "x"), Error);
}

class KeysFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gh_core_keys_" + random_token(9));
    std::filesystem::create_directories(dir_);
    file_ = dir_ / "keys.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write(const std::string& text) {
    std::ofstream(file_, std::ios::binary | std::ios::trunc) << text;
  }
  size_t entries() const {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir_),
                                             std::filesystem::directory_iterator()));
  }

  std::filesystem::path dir_;
  std::filesystem::path file_;
};

TEST_F(KeysFile, SaveAndLoad) {
  Keys k = Keys::generate();
  k.rotate_enc();
  k.save(file_);
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(entries(), 1u);  // no temporary file left behind
  const Keys loaded = Keys::load(file_);
  expect_same(loaded, k);
  EXPECT_EQ(open(loaded, seal(k, "x", "ctx"), "ctx"), "x");

  // Saving again replaces the file atomically.
  k.rotate_enc();
  k.save(file_);
  EXPECT_EQ(Keys::load(file_).current_enc, "k3");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(KeysFile, LoadOrCreate) {
  ASSERT_FALSE(std::filesystem::exists(file_));
  const Keys created = Keys::load_or_create(file_);
  ASSERT_TRUE(std::filesystem::exists(file_));
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(entries(), 1u);
  expect_same(Keys::load_or_create(file_), created);
  expect_same(Keys::load(file_), created);
}

TEST_F(KeysFile, LoadRejectsBadFiles) {
  const std::string key = base64url(std::string(32, 'k'));
  const std::string short_key = base64url(std::string(31, 'k'));
  const auto doc = [&](const std::string& enc, const std::string& current,
                       const std::string& blind) {
    return R"({"format":"gonghui-keys/1","enc":)" + enc + R"(,"current_enc":")" + current +
           R"(","blind_index":")" + blind + R"(","terminal_master":")" + key + R"("})";
  };
  // The well-formed document loads, so each failure below is the one change.
  write(doc(R"({"k1":")" + key + R"("})", "k1", key));
  EXPECT_EQ(Keys::load(file_).current_enc, "k1");

  const std::string bad[] = {
      "",
      "not json",
      "[]",
      R"({"format":"other","enc":{}})",
      doc("{}", "k1", key),
      doc(R"({"k1":")" + key + R"("})", "k2", key),
      doc(R"({"k1":")" + short_key + R"("})", "k1", key),
      doc(R"({"k1":")" + key + R"("})", "k1", short_key),
      doc(R"({"k1":")" + key + R"("})", "k1", "***"),
      doc(R"({"k.1":")" + key + R"("})", "k.1", key),
      doc(R"({"k1":5})", "k1", key),
  };
  for (const auto& text : bad) {
    write(text);
    EXPECT_THROW(Keys::load(file_), Error) << text;
  }
  std::filesystem::remove(file_);
  EXPECT_THROW(Keys::load(file_), Error);
}

}  // namespace
}  // namespace gh::crypto
