// The real-name roster (会员实名制): creating members one by one or in bulk,
// with citizen IDs and phones sealed and blind-indexed on the way in.
// Every function runs inside the caller's write transaction.
#pragma once

#include <boost/json/array.hpp>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/audit.h"
#include "auth/principal.h"
#include "core/crypto.h"
#include "core/error.h"
#include "modules/member/rules.h"
#include "modules/member/store.h"

namespace gh::member {

struct ImportReport {
  int64_t created = 0;   // rows written (or that would be, with dry_run)
  struct Row {
    size_t row = 0;  // 0-based index into the request's rows
    std::vector<FieldError> errors;
  };
  std::vector<Row> failed;
};

class Roster {
 public:
  Roster(const crypto::Keys& keys, const audit::Audit& audit) : keys_(keys), audit_(audit) {}

  // Creates one member in `who`'s subtree. 422 for an unknown unit, 404 for
  // a unit outside the subtree, 409 (citizen_id.duplicate) for an ID that is
  // already active.
  Member create(db::Tx& tx, const auth::Principal& who, const Input& in);

  // Validates every row; unless dry_run, writes the valid ones. At most
  // kMaxImportRows rows per call.
  ImportReport import(db::Tx& tx, const auth::Principal& who, const boost::json::array& rows,
                      bool dry_run);
  static constexpr size_t kMaxImportRows = 5000;

  std::string citizen_index(std::string_view id18) const;
  std::string phone_index(std::string_view phone) const;
  std::string reveal_citizen(const Member& m) const;
  std::string reveal_phone(const Member& m) const;
  // Seals a new phone number into m (update).
  void set_phone(Member& m, const std::string& phone) const;

 private:
  Member build(const Input& in, int64_t id, const std::string& region, int64_t org_id,
               const std::string& org_path) const;

  const crypto::Keys& keys_;
  const audit::Audit& audit_;
};

}  // namespace gh::member
