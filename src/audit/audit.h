// The audit trail (审计日志): who did what, when, to which object, and with
// what result — for every write, every login (failed ones too), every denied
// access and every reveal of sensitive data.
//
// Append-only (database triggers refuse UPDATE and DELETE) and hash-chained:
// each row stores HMAC(chain key, previous hash ‖ row fields), so a changed,
// inserted or deleted row breaks the chain and `verify` names it. Appends run
// inside the caller's write transaction, so an entry commits exactly when the
// change it describes commits; the store's single writer keeps the chain
// linear.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "auth/principal.h"
#include "db/db.h"

namespace gh::audit {

struct Actor {
  std::string kind = "system";  // staff, member, terminal, system, anonymous
  int64_t id = 0;
  std::string name;

  static Actor of(const auth::Principal* p);
  static Actor system() { return {}; }
  static Actor anonymous(std::string name = {}) { return {"anonymous", 0, std::move(name)}; }
};

struct Entry {
  std::string action;       // e.g. "member.create", "auth.login", "access.denied"
  std::string object_type;  // e.g. "member"
  std::string object_id;
  std::string result = "ok";  // ok, failed, denied
  std::string detail;         // short JSON or text; never secrets or plaintext IDs
  std::string org_path;       // where the object sits in the hierarchy (for scoped reading)
};

struct VerifyReport {
  bool ok = true;
  int64_t rows = 0;
  int64_t first_bad_id = 0;  // 0 when ok
  std::string head;          // hash of the last row: record it to detect truncation
  std::string message;
};

class Audit {
 public:
  explicit Audit(std::string chain_key) : key_(std::move(chain_key)) {}

  void append(db::Tx& tx, const Actor& actor, const Entry& entry) const;
  VerifyReport verify(db::Store& store) const;

 private:
  std::string row_hash(std::string_view prev, int64_t at, const Actor& a, const Entry& e) const;
  std::string key_;
};

}  // namespace gh::audit
