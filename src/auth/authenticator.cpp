#include "auth/authenticator.h"

#include <spdlog/spdlog.h>

#include "auth/terminal_sig.h"
#include "core/error.h"

namespace gh::auth {
namespace {

constexpr std::string_view kTerminal =
    "SELECT t.name, t.kind, t.org_id, t.secret_enc, t.status, o.path FROM terminals t "
    "JOIN orgs o ON o.id = t.org_id WHERE t.id = $1";
constexpr std::string_view kUseNonce =
    "INSERT INTO terminal_nonces (terminal_id, nonce, at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING";
constexpr std::string_view kPruneNonces = "DELETE FROM terminal_nonces WHERE at < $1";
constexpr std::string_view kTerminalSeen =
    "UPDATE terminals SET last_seen_at = $2 WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < $2)";
constexpr int64_t kSeenEveryMs = 60'000;

Error unauthorized(std::string code, std::string detail) {
  return Error{ErrorKind::unauthorized, std::move(code), std::move(detail)};
}

}  // namespace

std::shared_ptr<const Principal> SessionAuthenticator::authenticate(const http::Request& req,
                                                                    http::AuthMode mode) {
  if (mode == http::AuthMode::terminal) return terminal(req, true);
  if (mode == http::AuthMode::terminal_read) return terminal(req, false);
  auto h = req.header("authorization");
  if (!h || h->size() < 8 || !(h->starts_with("Bearer ") || h->starts_with("bearer ")))
    throw unauthorized("auth.required", "log in first: send Authorization: Bearer <token>");
  auto p = sessions_.resolve(h->substr(7));
  if (mode == http::AuthMode::staff && p->kind != PrincipalKind::staff)
    throw Error::forbidden("this call is for union staff accounts");
  if (mode == http::AuthMode::member && p->kind != PrincipalKind::member)
    throw Error::forbidden("this call is for member accounts");
  return p;
}

bool SessionAuthenticator::fresh_in_memory(int64_t terminal_id, std::string_view nonce, int64_t now_s) {
  std::string key = std::to_string(terminal_id);
  key.push_back(':');
  key.append(nonce);
  std::lock_guard lock(nonce_mu_);
  if (now_s - nonce_gen_start_s_ >= 2 * window_s_) {
    nonces_before_ = std::move(nonces_now_);
    nonces_now_.clear();
    nonce_gen_start_s_ = now_s;
  }
  if (nonces_before_.contains(key)) return false;
  return nonces_now_.insert(std::move(key)).second;
}

std::shared_ptr<const Principal> SessionAuthenticator::terminal(const http::Request& req, bool durable_nonce) {
  auto id_h = req.header("x-terminal-id").value_or("");
  auto ts_h = req.header("x-timestamp").value_or("");
  auto nonce_h = req.header("x-nonce").value_or("");
  auto sig_h = req.header("x-signature").value_or("");
  int64_t now_s = db::now_ms() / 1000;
  auto checked = check_signature_headers(id_h, ts_h, nonce_h, sig_h, now_s, window_s_);
  if (!checked) throw unauthorized(checked.error().code, checked.error().message);
  int64_t id = *checked;

  TerminalEntry entry;
  int64_t seen_written = 0;  // when this process last wrote its last_seen_at
  {
    std::lock_guard lock(mu_);
    if (auto it = terminals_.find(id); it != terminals_.end()) entry = it->second;
    if (auto it = seen_written_.find(id); it != seen_written_.end()) seen_written = it->second;
  }
  const int64_t now_ms = db::now_ms();
  const bool cached = entry.principal && now_ms - entry.loaded_at <= sessions_.policy().recheck.count();
  if (!cached) entry = load_terminal(id);
  std::string given(sig_h);
  for (auto& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto signed_by = [&](const TerminalEntry& e) {
    return crypto::equal_ct(sign_request(e.secret, http::method_name(req.method), req.target, ts_h, nonce_h, req.body),
                            given);
  };
  if (!signed_by(entry)) {
    // The terminal may have been given a new secret (by another server
    // process, too): a cached entry is read again, at most once a second,
    // so bad signatures cannot turn into a read each. (One just read is
    // current already.)
    if (!cached || now_ms - entry.reloaded_for_mismatch_at < kReloadAfterMismatchMs ||
        !signed_by(entry = load_terminal(id, now_ms)))
      throw unauthorized("terminal.signature", "bad request signature");
  }
  // The nonce is spent only after the signature checks out, so a forger
  // cannot burn a terminal's future nonces.
  if (!durable_nonce) {
    if (!fresh_in_memory(id, nonce_h, now_s))
      throw unauthorized("terminal.replay", "this request was already received (nonce reused)");
    // Last seen: not worth holding the request for; a lost write only means
    // the console shows an older time.
    if (now_ms - seen_written >= kSeenEveryMs && seen_due(id, now_ms))
      store_.write_async([id, now_ms](db::Tx& tx) { tx.exec(kTerminalSeen, {id, now_ms}); },
                         [id](std::exception_ptr e) {
                           if (e) spdlog::warn("auth: recording when terminal {} was seen failed", id);
                         });
    return entry.principal;
  }
  const bool seen = now_ms - seen_written >= kSeenEveryMs && seen_due(id, now_ms);
  bool fresh = store_.write([&](db::Tx& tx) {
    bool inserted = tx.exec(kUseNonce, {id, std::string(nonce_h), now_s}) == 1;
    if (now_s - last_prune_s_ > window_s_) {
      tx.exec(kPruneNonces, {now_s - 2 * window_s_});
      last_prune_s_ = now_s;
    }
    if (inserted && seen) tx.exec(kTerminalSeen, {id, now_ms});
    return inserted;
  });
  if (!fresh) throw unauthorized("terminal.replay", "this request was already received (nonce reused)");
  return entry.principal;
}

bool SessionAuthenticator::seen_due(int64_t terminal_id, int64_t now_ms) {
  std::lock_guard lock(mu_);
  int64_t& last = seen_written_[terminal_id];
  if (now_ms - last < kSeenEveryMs) return false;
  last = now_ms;
  return true;
}

SessionAuthenticator::TerminalEntry SessionAuthenticator::load_terminal(int64_t id, int64_t for_mismatch_at) {
  auto row = store_.read_one(kTerminal, {id});
  if (!row || (*row)[4].str() != "active") {
    evict_terminal(id);
    throw unauthorized("terminal.unknown", "unknown or disabled terminal");
  }
  auto p = std::make_shared<Principal>();
  p->kind = PrincipalKind::terminal;
  p->terminal_id = id;
  p->username = (*row)[0].str();
  p->roles = {(*row)[1].str()};
  p->org_id = (*row)[2].i64();
  p->org_path = (*row)[5].str();
  TerminalEntry entry;
  entry.principal = p;
  entry.secret = crypto::open(keys_, (*row)[3].str(), "terminal.secret");
  entry.loaded_at = db::now_ms();
  entry.reloaded_for_mismatch_at = for_mismatch_at;
  std::lock_guard lock(mu_);
  terminals_[id] = entry;
  return entry;
}

void SessionAuthenticator::evict_terminal(int64_t terminal_id) {
  std::lock_guard lock(mu_);
  terminals_.erase(terminal_id);
}

std::function<void(db::Tx&)> SessionAuthenticator::denial(const http::Request& req, const Principal* who,
                                                          std::string_view route, std::string_view reason) {
  audit::Entry e;
  e.action = "access.denied";
  e.object_type = "route";
  e.object_id = std::string(http::method_name(req.method)) + " " + std::string(route);
  e.result = "denied";
  e.detail = std::string(reason);
  if (who) e.org_path = who->org_path;
  return [this, actor = audit::Actor::of(who), e = std::move(e)](db::Tx& tx) { audit_.append(tx, actor, e); };
}

}  // namespace gh::auth
