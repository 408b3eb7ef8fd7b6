// Benchmark: offline verification of digital union card tokens on one core,
// as a gate or a till runs it (gh::card::verify with the published keys: one
// Ed25519 signature check per token).
//
// Issues --tokens tokens for distinct card numbers before the clock starts
// (two keys published, as during a rotation), then verifies all of them
// --rounds times on the calling thread.
//
//   card_verify [--tokens 20000] [--rounds 5]
//
// Also times the server's own online check of the same tokens
// (gh::card::verify_issued: signing again with the secret key).
//
// Prints: RESULT bench=card_verify tokens=… seconds=… tokens_per_s=… issuer_check_per_s=… issue_per_s=…
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "core/card_no.h"
#include "core/card_token.h"

using namespace gh;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  long long n = 20000, rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--tokens") n = std::stoll(argv[i + 1]);
    else if (a == "--rounds") rounds = std::stoll(argv[i + 1]);
    else {
      std::cerr << "usage: card_verify [--tokens N] [--rounds N]\n";
      return 2;
    }
  }
  if (sodium_init() < 0) return 1;
  const card::SigningKey old_key{"c1", std::string(32, 'a')}, key{"c2", std::string(32, 'b')};
  const std::vector<card::PublicKey> keys = {card::public_key(old_key), card::public_key(key)};
  const int64_t now = 1'764'460'800;
  std::vector<std::string> tokens;
  tokens.reserve(static_cast<size_t>(n));
  const auto i0 = Clock::now();
  for (long long i = 0; i < n; ++i) tokens.push_back(card::issue(key, make_card_no("530102", i + 1), now));
  const double issue_s = std::chrono::duration<double>(Clock::now() - i0).count();

  long long ok = 0;
  const auto t0 = Clock::now();
  for (long long r = 0; r < rounds; ++r)
    for (const auto& t : tokens) ok += card::verify(t, keys, now + 10).ok ? 1 : 0;
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (ok != n * rounds) {
    std::cerr << "card_verify: " << ok << " of " << n * rounds << " verified\n";
    return 1;
  }
  const std::vector<card::SecretKey> secrets = {card::expand(old_key), card::expand(key)};
  long long own = 0;
  const auto s0 = Clock::now();
  for (long long r = 0; r < rounds; ++r)
    for (const auto& t : tokens) own += card::verify_issued(t, secrets, now + 10).ok ? 1 : 0;
  const double own_s = std::chrono::duration<double>(Clock::now() - s0).count();
  if (own != n * rounds) {
    std::cerr << "card_verify: the issuer's check passed " << own << " of " << n * rounds << "\n";
    return 1;
  }
  std::printf(
      "RESULT bench=card_verify tokens=%lld rounds=%lld seconds=%.3f tokens_per_s=%.0f issuer_check_per_s=%.0f "
      "issue_per_s=%.0f\n",
      n, rounds, seconds, static_cast<double>(n * rounds) / seconds, static_cast<double>(n * rounds) / own_s,
      static_cast<double>(n) / issue_s);
  return 0;
}
