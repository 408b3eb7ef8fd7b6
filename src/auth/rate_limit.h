// A token bucket per key (e.g. the client address): `rate` tokens per
// minute, bursts up to `burst`. Used on login and registration so password
// guessing across many accounts is slowed down as well as per-account
// lockout. In memory, per process.
//
// Thread-safety: safe from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gh::auth {

class RateLimiter {
 public:
  RateLimiter(double per_minute, double burst) : per_ms_(per_minute / 60000.0), burst_(burst) {}

  // Takes one token for `key` at time `now_ms`; false when none is left.
  bool allow(const std::string& key, int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at = 0;
  };
  double per_ms_;
  double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace gh::auth
