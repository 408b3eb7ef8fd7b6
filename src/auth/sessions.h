// Bearer sessions: 256-bit random tokens, stored only as their SHA-256, with
// an idle and an absolute expiry. Resolved principals are cached in memory
// (keyed by the token hash) so an authenticated request costs a hash and a
// map lookup; this process evicts the cache whenever an account changes, and
// every entry is read again from the store after `recheck` so that a logout,
// a disabled account or an ended membership recorded by another server
// process on the same database takes effect there within seconds too.
//
// Thread-safety: all members are safe to call from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "auth/principal.h"
#include "db/db.h"

namespace gh::auth {

struct SessionPolicy {
  std::chrono::minutes staff_idle{30};
  std::chrono::hours staff_absolute{12};
  std::chrono::hours member_idle{24 * 7};
  std::chrono::hours member_absolute{24 * 30};
  std::chrono::milliseconds recheck{5000};
};

struct NewSession {
  std::string token;  // give to the client once; never stored
  int64_t expires_at = 0;
};

class Sessions {
 public:
  Sessions(db::Store& store, SessionPolicy policy) : store_(store), policy_(policy) {}

  // Creates a session inside the caller's write (e.g. the login write).
  NewSession create(db::Tx& tx, int64_t account_id, PrincipalKind kind);
  // The principal for a bearer token; throws 401 (auth.invalid_token,
  // auth.expired) otherwise.
  std::shared_ptr<const Principal> resolve(std::string_view token);
  // Ends one session (logout).
  void end(std::string_view token_hash);
  // Drops cached principals of an account (roles changed, disabled …).
  void evict_account(int64_t account_id);
  // Ends every session of an account inside a write.
  static void end_all(db::Tx& tx, int64_t account_id);

  const SessionPolicy& policy() const { return policy_; }

 private:
  struct Cached {
    std::shared_ptr<const Principal> principal;
    int64_t expires_at = 0;
    int64_t idle_ms = 0;
    std::atomic<int64_t> last_seen{0};
    std::atomic<int64_t> persisted_seen{0};
    int64_t loaded_at = 0;
  };
  std::shared_ptr<Cached> load(const std::string& hash);

  db::Store& store_;
  SessionPolicy policy_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Cached>> cache_;
};

}  // namespace gh::auth
