// The card tokens this process issued that have not expired yet, with what
// they say. Checking one of them online needs no signature work: this
// process signed it a moment ago. A token issued by another process (or
// before a restart) is not here and is checked by signing again
// (card::verify_issued), with the same answer. Memory: one entry per token
// issued in the last minute or so (a member's page fetches one about every
// 50 s), pruned as they expire.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/card_token.h"
#include "core/string_hash.h"

namespace gh::card {

class Issued {
 public:
  static constexpr size_t kMaxTokens = 1'000'000;  // then forget all (a hint, not a record)

  void remember(const std::string& token, const Verified& what, int64_t now_s) {
    std::lock_guard lk(mu_);
    if (tokens_.size() >= next_prune_) {
      std::erase_if(tokens_, [&](const auto& kv) { return kv.second.expires_at + kSkewSeconds < now_s; });
      if (tokens_.size() >= kMaxTokens) tokens_.clear();
      next_prune_ = std::max<size_t>(1024, tokens_.size() * 2);
    }
    tokens_.insert_or_assign(token, what);
  }

  // The token's verification at now_s when this process issued it.
  std::optional<Verified> find(std::string_view token, int64_t now_s) const {
    std::lock_guard lk(mu_);
    auto it = tokens_.find(token);
    if (it == tokens_.end()) return std::nullopt;
    return at_time(it->second, now_s);
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, Verified, StringHash, std::equal_to<>> tokens_;
  size_t next_prune_ = 1024;
};

}  // namespace gh::card
