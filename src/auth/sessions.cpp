#include "auth/sessions.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <sstream>

#include "core/crypto.h"
#include "core/error.h"

namespace gh::auth {
namespace {

constexpr std::string_view kInsert =
    "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, expires_at) "
    "VALUES ($1, $2, $3, $3, $4)";
constexpr std::string_view kLoad =
    "SELECT s.account_id, s.last_seen_at, s.expires_at, a.kind, a.username, a.org_id, "
    "a.member_id, a.roles, a.status, o.path, m.status FROM sessions s "
    "JOIN accounts a ON a.id = s.account_id LEFT JOIN orgs o ON o.id = a.org_id "
    "LEFT JOIN members m ON m.id = a.member_id WHERE s.token_hash = $1";
constexpr std::string_view kTouch = "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1";
constexpr std::string_view kDelete = "DELETE FROM sessions WHERE token_hash = $1";
constexpr std::string_view kDeleteAccount = "DELETE FROM sessions WHERE account_id = $1";

// Persist last-seen at most this often per session: the idle timeout is
// measured in minutes, so a minute of slack costs nothing and saves a write
// per request.
constexpr int64_t kTouchEveryMs = 60'000;
constexpr size_t kMaxCached = 200'000;

std::vector<std::string> split_roles(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string r;
  while (std::getline(in, r, ','))
    if (!r.empty()) out.push_back(r);
  return out;
}

}  // namespace

NewSession Sessions::create(db::Tx& tx, int64_t account_id, PrincipalKind kind) {
  NewSession s;
  s.token = crypto::random_token(32);
  int64_t now = db::now_ms();
  auto absolute = kind == PrincipalKind::member ? policy_.member_absolute : policy_.staff_absolute;
  s.expires_at = now + std::chrono::duration_cast<std::chrono::milliseconds>(absolute).count();
  tx.exec(kInsert, {crypto::sha256_hex(s.token), account_id, now, s.expires_at});
  return s;
}

std::shared_ptr<Sessions::Cached> Sessions::load(const std::string& hash) {
  auto row = store_.read_one(kLoad, {hash});
  if (!row) return nullptr;
  const auto& r = *row;
  if (r[8].str() != "active") return nullptr;
  if (r[3].str() == "member" && r[10].str() != "active") return nullptr;  // membership ended
  auto p = std::make_shared<Principal>();
  p->account_id = r[0].i64();
  p->kind = r[3].str() == "member" ? PrincipalKind::member : PrincipalKind::staff;
  p->username = r[4].str();
  p->org_id = r[5].i64();
  p->member_id = r[6].i64();
  p->roles = split_roles(r[7].str());
  p->perms = perms_for(p->roles);
  p->org_path = r[9].str();
  p->session_hash = hash;
  auto c = std::make_shared<Cached>();
  c->principal = p;
  c->expires_at = r[2].i64();
  auto idle = p->kind == PrincipalKind::member
                  ? std::chrono::duration_cast<std::chrono::milliseconds>(policy_.member_idle)
                  : std::chrono::duration_cast<std::chrono::milliseconds>(policy_.staff_idle);
  c->idle_ms = idle.count();
  c->last_seen = r[1].i64();
  c->persisted_seen = r[1].i64();
  c->loaded_at = db::now_ms();
  return c;
}

std::shared_ptr<const Principal> Sessions::resolve(std::string_view token) {
  if (token.size() < 20 || token.size() > 128) throw Error::unauthorized("invalid or expired token");
  std::string hash = crypto::sha256_hex(token);
  std::shared_ptr<Cached> c;
  {
    std::shared_lock lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end()) c = it->second;
  }
  int64_t now = db::now_ms();
  if (!c || now - c->loaded_at > policy_.recheck.count()) {
    auto fresh = load(hash);
    if (!fresh) {
      std::unique_lock lock(mu_);
      cache_.erase(hash);
      throw Error{ErrorKind::unauthorized, "auth.invalid_token", "invalid or expired token"};
    }
    if (c) fresh->last_seen = std::max(fresh->last_seen.load(), c->last_seen.load());
    c = std::move(fresh);
    std::unique_lock lock(mu_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_.insert_or_assign(hash, c);
  }
  if (now >= c->expires_at || now - c->last_seen.load() > c->idle_ms) {
    end(hash);
    throw Error{ErrorKind::unauthorized, "auth.expired", "session expired: log in again"};
  }
  c->last_seen = now;
  int64_t persisted = c->persisted_seen.load();
  if (now - persisted > kTouchEveryMs && c->persisted_seen.compare_exchange_strong(persisted, now)) {
    // Queued, not awaited: the request need not wait for a commit of its
    // last-seen time (a crash forgets at most a minute of it).
    store_.write_async([hash, now](db::Tx& tx) { tx.exec(kTouch, {hash, now}); },
                       [](std::exception_ptr e) {
                         if (e) spdlog::warn("sessions: recording last-seen failed");
                       });
  }
  return c->principal;
}

void Sessions::end(std::string_view token_hash) {
  std::string hash(token_hash);
  store_.write([&](db::Tx& tx) { tx.exec(kDelete, {hash}); });
  std::unique_lock lock(mu_);
  cache_.erase(hash);
}

void Sessions::evict_account(int64_t account_id) {
  std::unique_lock lock(mu_);
  std::erase_if(cache_, [&](const auto& kv) { return kv.second->principal->account_id == account_id; });
}

void Sessions::end_all(db::Tx& tx, int64_t account_id) { tx.exec(kDeleteAccount, {account_id}); }

}  // namespace gh::auth
