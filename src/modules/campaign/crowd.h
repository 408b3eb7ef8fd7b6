// What one process has seen of its campaigns' crowds: the members who got a
// pack and the campaigns found sold out. A hint, never an answer: it only
// decides whether a claim's guard (a read that refuses sold-out and repeat
// claims before they queue for the writer) is worth running. Before the
// sell-out a first claim skips that read; the write checks everything again.
// Another process's claims are unknown here, which costs only the early
// refusal.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_set>

namespace gh::campaign {

class Crowd {
 public:
  // Members remembered before the memory starts over (a hint may forget).
  static constexpr size_t kMaxClaims = 2'000'000;

  // True when this claim might be refused: its campaign was found sold out,
  // or the member already got a pack here.
  bool worth_checking(int64_t campaign_id, int64_t member_id) const {
    std::lock_guard lk(mu_);
    return sold_out_.contains(campaign_id) || claims_.contains(key(campaign_id, member_id));
  }
  void claimed(int64_t campaign_id, int64_t member_id) {
    std::lock_guard lk(mu_);
    if (claims_.size() >= kMaxClaims) claims_.clear();
    claims_.insert(key(campaign_id, member_id));
  }
  void sold_out(int64_t campaign_id) {
    std::lock_guard lk(mu_);
    sold_out_.insert(campaign_id);
  }

 private:
  struct Key {
    int64_t campaign_id, member_id;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<int64_t>()(k.campaign_id * 1'000'003 ^ k.member_id);
    }
  };
  static Key key(int64_t campaign_id, int64_t member_id) { return {campaign_id, member_id}; }

  mutable std::mutex mu_;
  std::unordered_set<int64_t> sold_out_;
  std::unordered_set<Key, KeyHash> claims_;
};

}  // namespace gh::campaign
