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

// An import request after the CPU-heavy part (parsing, validation, sealing,
// blind indexes), which runs before the write transaction so the writer only
// looks up and inserts.
struct PreparedImport {
  struct Row {
    size_t row = 0;  // 0-based index into the request's rows
    Input in;
    Member sealed;  // everything but the placement (id, org, card number)
  };
  std::vector<Row> rows;  // rows that passed validation
  ImportReport report;    // rows that did not
};

class Roster {
 public:
  Roster(const crypto::Keys& keys, const audit::Audit& audit) : keys_(keys), audit_(audit) {}

  // Creates one member in `who`'s subtree. 422 for an unknown unit, 404 for
  // a unit outside the subtree, 409 (citizen_id.duplicate) for an ID that is
  // already active.
  Member create(db::Tx& tx, const auth::Principal& who, const Input& in);

  // Bulk import in two steps: prepare_import validates and seals every row
  // (no I/O, call it outside any transaction); import checks units, scope and
  // duplicates and, unless dry_run, writes the valid rows (moving them out
  // of `batch`). At most
  // kMaxImportRows rows per call. Failed rows are reported in row order.
  PreparedImport prepare_import(const boost::json::array& rows) const;
  ImportReport import(db::Tx& tx, const auth::Principal& who, PreparedImport& batch, bool dry_run);
  static constexpr size_t kMaxImportRows = 5000;

  std::string citizen_index(std::string_view id18) const;
  std::string phone_index(std::string_view phone) const;
  std::string reveal_citizen(const Member& m) const;
  std::string reveal_phone(const Member& m) const;
  // Seals a new phone number into m (update).
  void set_phone(Member& m, const std::string& phone) const;

 private:
  // The member's own fields, sealed and indexed.
  Member seal(const Input& in) const;
  // Where it belongs: id, union, card number, times.
  static void place(Member& m, int64_t id, const std::string& region, int64_t org_id, const std::string& org_path);

  const crypto::Keys& keys_;
  const audit::Audit& audit_;
};

}  // namespace gh::member
