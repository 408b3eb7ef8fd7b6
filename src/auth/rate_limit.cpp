#include "auth/rate_limit.h"

#include <algorithm>

namespace gh::auth {

bool RateLimiter::allow(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  // Bound memory: full buckets carry no information, so drop them all when
  // the table grows large.
  if (buckets_.size() > 100'000)
    std::erase_if(buckets_, [&](const auto& kv) {
      return kv.second.tokens + static_cast<double>(now_ms - kv.second.at) * per_ms_ >= burst_;
    });
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now_ms});
  Bucket& b = it->second;
  if (!fresh) {
    b.tokens = std::min(burst_, b.tokens + static_cast<double>(now_ms - b.at) * per_ms_);
    b.at = now_ms;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

}  // namespace gh::auth
