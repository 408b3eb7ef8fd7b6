// The pipeline's Authenticator: bearer sessions for staff and members,
// HMAC signatures for terminals, and audit entries for denied accesses.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "audit/audit.h"
#include "auth/sessions.h"
#include "core/crypto.h"
#include "http/pipeline.h"

namespace gh::auth {

class SessionAuthenticator : public http::Authenticator {
 public:
  SessionAuthenticator(db::Store& store, Sessions& sessions, const crypto::Keys& keys,
                       const audit::Audit& audit, int64_t terminal_window_s = 300)
      : store_(store), sessions_(sessions), keys_(keys), audit_(audit), window_s_(terminal_window_s) {}

  std::shared_ptr<const Principal> authenticate(const http::Request& req, http::AuthMode mode) override;
  std::function<void(db::Tx&)> denial(const http::Request& req, const Principal* who, std::string_view route,
                                      std::string_view reason) override;

  // Forgets a terminal's cached secret (after it is disabled or re-keyed).
  // Other server processes read it again within the recheck interval, and a
  // re-keyed terminal's first request with its new secret makes them read
  // it at once.
  void evict_terminal(int64_t terminal_id);

 private:
  std::shared_ptr<const Principal> terminal(const http::Request& req, bool durable_nonce);
  // True the first time (terminal, nonce) is seen within two windows.
  bool fresh_in_memory(int64_t terminal_id, std::string_view nonce, int64_t now_s);

  struct TerminalEntry {
    std::shared_ptr<const Principal> principal;
    std::string secret;
    int64_t loaded_at = 0;  // read again after the session recheck interval
    int64_t reloaded_for_mismatch_at = 0;  // last read because a signature did not match
  };
  // Reads an active terminal into the cache; 401 terminal.unknown otherwise.
  TerminalEntry load_terminal(int64_t id, int64_t for_mismatch_at = 0);
  static constexpr int64_t kReloadAfterMismatchMs = 1000;
  // True when the terminal's last_seen_at is due to be written (once a
  // minute per terminal per process), and marks it written. Callers check
  // their copy of seen_written_ first, taken with the cache lookup, so the
  // common case takes no second lock.
  bool seen_due(int64_t terminal_id, int64_t now_ms);
  db::Store& store_;
  Sessions& sessions_;
  const crypto::Keys& keys_;
  const audit::Audit& audit_;
  int64_t window_s_;
  std::mutex mu_;
  std::unordered_map<int64_t, TerminalEntry> terminals_;
  std::unordered_map<int64_t, int64_t> seen_written_;  // terminal → when last_seen_at was last written
  int64_t last_prune_s_ = 0;
  // Nonces of read-only terminal calls: two generations, each 2 windows long,
  // so a nonce is remembered for at least 2 windows (its timestamp may be a
  // window ahead of ours and is accepted for a window after that).
  std::mutex nonce_mu_;
  std::unordered_set<std::string> nonces_now_, nonces_before_;
  int64_t nonce_gen_start_s_ = 0;
};

}  // namespace gh::auth
