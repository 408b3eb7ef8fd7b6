#include "audit/audit.h"

#include "core/crypto.h"

namespace gh::audit {
namespace {

constexpr std::string_view kLastHash = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1";
constexpr std::string_view kInsert =
    "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, object_type, object_id, "
    "org_path, result, detail, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)";
constexpr std::string_view kPage =
    "SELECT id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, org_path, "
    "result, detail, prev_hash, hash FROM audit_log WHERE id > $1 ORDER BY id LIMIT 5000";

// The hash of the empty chain.
constexpr std::string_view kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

}  // namespace

Actor Actor::of(const auth::Principal* p) {
  if (!p) return anonymous();
  switch (p->kind) {
    case auth::PrincipalKind::staff:
      return {"staff", p->account_id, p->username};
    case auth::PrincipalKind::member:
      return {"member", p->account_id, ""};
    case auth::PrincipalKind::terminal:
      return {"terminal", p->terminal_id, p->username};
  }
  return anonymous();
}

std::string Audit::row_hash(std::string_view prev, int64_t at, const Actor& a, const Entry& e) const {
  // Fields joined by a separator that cannot occur in them unnoticed: each
  // field is length-prefixed.
  std::string msg;
  auto put = [&](std::string_view s) {
    msg += std::to_string(s.size());
    msg += ':';
    msg += s;
  };
  put(prev);
  put(std::to_string(at));
  put(a.kind);
  put(std::to_string(a.id));
  put(a.name);
  put(e.action);
  put(e.object_type);
  put(e.object_id);
  put(e.org_path);
  put(e.result);
  put(e.detail);
  return crypto::hmac_sha256_hex(key_, msg);
}

void Audit::append(db::Tx& tx, const Actor& actor, const Entry& entry) const {
  // The chain's head, read once per transaction: the writes folded into one
  // group commit append one after another.
  std::string& head = tx.memo("audit.head");
  if (head.empty()) {
    auto last = tx.one(kLastHash);
    head = last ? (*last)[0].str() : std::string(kGenesis);
  }
  const std::string prev = head;
  int64_t at = db::now_ms();
  std::string hash = row_hash(prev, at, actor, entry);
  tx.exec_later(kInsert, {at, actor.kind, actor.id ? db::Value(actor.id) : db::Value(), actor.name,
                          entry.action, entry.object_type, entry.object_id, entry.org_path,
                          entry.result, entry.detail, prev, hash});
  head = std::move(hash);
}

VerifyReport Audit::verify(db::Store& store) const {
  VerifyReport report;
  std::string prev(kGenesis);
  int64_t after = 0;
  for (;;) {
    auto rows = store.read([&](db::Tx& tx) { return tx.query(kPage, {after}); });
    if (rows.empty()) break;
    for (const auto& r : rows) {
      int64_t id = r[0].i64();
      Actor a{r[2].str(), r[3].i64(), r[4].str()};
      Entry e{r[5].str(), r[6].str(), r[7].str(), r[9].str(), r[10].str(), r[8].str()};
      std::string stored_prev = r[11].str();
      std::string stored_hash = r[12].str();
      if (stored_prev != prev) {
        report.ok = false;
        report.first_bad_id = id;
        report.message = "row " + std::to_string(id) + " does not follow the row before it (a row was deleted or inserted)";
        return report;
      }
      if (!crypto::equal_ct(row_hash(prev, r[1].i64(), a, e), stored_hash)) {
        report.ok = false;
        report.first_bad_id = id;
        report.message = "row " + std::to_string(id) + " was changed after it was written";
        return report;
      }
      prev = stored_hash;
      after = id;
      ++report.rows;
    }
  }
  report.head = prev;
  report.message = "audit trail intact: " + std::to_string(report.rows) + " rows";
  return report;
}

}  // namespace gh::audit
