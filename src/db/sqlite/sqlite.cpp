// SQLite backend: one writer connection and pooled readers on the same file,
// in WAL mode so readers see a consistent snapshot while the writer writes.
//
// Parameters: SQL uses PostgreSQL's $1, $2 … SQLite's own tokenizer already
// reads `$1` as a named parameter (and leaves '$1' inside a string literal or
// a comment alone), but numbers named parameters in order of first
// appearance. So instead of rewriting the text, each statement gets a map
// from SQLite's parameter index to our $N at prepare time.
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <charconv>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/string_hash.h"
#include "db/backend.h"
#include "db/sqlite/wal_buffer.h"

namespace gh::db {
namespace {

constexpr int kBusyTimeoutMs = 10000;
// Statements are cached by their text. SQL lives in constants, so the set is
// small; the cap only guards against code that builds SQL with values in it.
constexpr size_t kMaxCachedStatements = 2000;

Error sqlite_error(sqlite3* db, int rc, std::string_view sql) {
  int ext = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return db_error(ErrorKind::conflict, "db.unique", sql, msg);
    case SQLITE_CONSTRAINT_CHECK:
      return db_error(ErrorKind::unprocessable, "db.check", sql, msg);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return db_error(ErrorKind::internal, "db.foreign_key", sql, msg);
    default:
      break;
  }
  switch (ext & 0xff) {
    case SQLITE_FULL:
      return db_error(ErrorKind::unavailable, "db.full", sql, msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return db_error(ErrorKind::unavailable, "db.busy", sql, msg);
    default:
      return db_error(ErrorKind::internal, "db.error", sql, msg);
  }
}

struct Statement {
  sqlite3_stmt* stmt = nullptr;
  // arg[i] is the index into the caller's params for SQLite parameter i+1.
  std::vector<int> arg;
  int max_arg = 0;  // the highest $N used
};

class SqliteConn final : public Connection {
 public:
  SqliteConn(const std::string& path, bool writer) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    if (writer) flags |= SQLITE_OPEN_CREATE;
    // The writer gathers its WAL writes per commit (wal_buffer.h); that
    // relies on synchronous = FULL, set below.
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, writer ? wal_buffer_vfs() : nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      spdlog::error("sqlite: cannot open {}: {}", path, msg);
      throw Error(ErrorKind::unavailable, "db.open", "cannot open the database");
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // WAL: readers keep their snapshot while the writer commits. FULL: the
    // WAL is fsynced at every commit, so an acknowledged write survives a
    // crash or power loss (NORMAL would only survive a crash of the process).
    // journal_mode is persistent in the file; the writer opens first and
    // sets it before any reader exists.
    if (writer) exec_script("PRAGMA journal_mode = WAL");
    // The writer's transactions touch several random-keyed indexes (blind
    // indexes): a 64 MiB page cache keeps bulk imports from spilling dirty
    // pages mid-transaction, and checkpointing every ~40 MiB of WAL instead
    // of 4 MiB halves the rewrites (measured in bench/raw_import).
    if (writer) exec_script("PRAGMA cache_size = -65536");
    if (writer) exec_script("PRAGMA wal_autocheckpoint = 10000");
    // Each write of a group commit runs in a savepoint, whose undo copies
    // (the statement journal) SQLite spills to a temporary file past 64 KiB:
    // a pwrite per page touched. Kept in memory, they cost a memcpy.
    if (writer) exec_script("PRAGMA temp_store = MEMORY");
    exec_script(
        "PRAGMA synchronous = FULL;"
        "PRAGMA foreign_keys = ON;");
    // A reader that tries to write is a bug: make it fail on SQLite as it
    // does in PostgreSQL's READ ONLY transactions.
    if (!writer) exec_script("PRAGMA query_only = ON");
  }

  ~SqliteConn() override {
    for (auto& [sql, st] : control_) sqlite3_finalize(st);
    for (auto& [sql, st] : cache_) sqlite3_finalize(st.stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::sqlite; }

  Rows query(std::string_view sql, std::span<const Value> params) override {
    Statement& st = prepare(sql);
    if (st.max_arg > static_cast<int>(params.size())) {
      spdlog::error("sqlite: {} needs {} parameters, got {}", sql, st.max_arg, params.size());
      throw Error::internal("database error");
    }
    // Values outlive the statement's execution, so bind without copying;
    // the bindings are cleared before returning.
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{st.stmt};
    for (size_t i = 0; i < st.arg.size(); ++i)
      bind(st.stmt, static_cast<int>(i) + 1, params[st.arg[i]]);

    Rows out;
    int ncol = sqlite3_column_count(st.stmt);
    int64_t before = sqlite3_total_changes64(db_);
    for (;;) {
      int rc = sqlite3_step(st.stmt);
      if (rc == SQLITE_ROW) {
        Row row;
        row.reserve(ncol);
        for (int c = 0; c < ncol; ++c) row.push_back(column(st.stmt, c));
        out.rows.push_back(std::move(row));
      } else if (rc == SQLITE_DONE) {
        break;
      } else {
        throw sqlite_error(db_, rc, sql);
      }
    }
    // sqlite3_changes keeps the count of the last INSERT/UPDATE/DELETE even
    // across other statements; only report it if this statement changed rows.
    if (sqlite3_total_changes64(db_) != before) out.affected = sqlite3_changes64(db_);
    return out;
  }

  void exec_script(std::string_view sql) override {
    // BEGIN, COMMIT, "RELEASE w; SAVEPOINT w" … run for every write: keep
    // such short control statements prepared instead of re-parsing them.
    if (sql.size() < 80 && sql.find('\'') == std::string_view::npos) {
      for_each_control_statement(sql, [this](std::string_view one) { control(one); });
      return;
    }
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (err) sqlite3_free(err);
    if (rc != SQLITE_OK) throw sqlite_error(db_, rc, sql);
  }

 private:
  // One short control statement, prepared once.
  void control(std::string_view sql) {
    auto it = control_.find(sql);
    if (it == control_.end()) {
      sqlite3_stmt* st = nullptr;
      int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st, nullptr);
      if (rc != SQLITE_OK) throw sqlite_error(db_, rc, sql);
      it = control_.emplace(std::string(sql), st).first;
    }
    int rc = sqlite3_step(it->second);
    sqlite3_reset(it->second);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) throw sqlite_error(db_, rc, sql);
  }

  std::map<std::string, sqlite3_stmt*, std::less<>> control_;  // see exec_script

  Statement& prepare(std::string_view sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    if (cache_.size() >= kMaxCachedStatements) {
      spdlog::warn("sqlite: statement cache full; is SQL being built with values in it?");
      for (auto& [text, cached] : cache_) sqlite3_finalize(cached.stmt);
      cache_.clear();
    }
    Statement st;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &st.stmt, &tail);
    if (rc != SQLITE_OK) throw sqlite_error(db_, rc, sql);
    auto fail = [&](std::string_view why) -> Error {
      sqlite3_finalize(st.stmt);
      spdlog::error("sqlite: {}: {}", why, sql);
      return Error::internal("database error");
    };
    if (!st.stmt) throw fail("empty statement");
    if (tail && tail < sql.data() + sql.size()) {
      // Anything after the first statement must be blank or a comment.
      sqlite3_stmt* next = nullptr;
      int left = static_cast<int>(sql.data() + sql.size() - tail);
      sqlite3_prepare_v2(db_, tail, left, &next, nullptr);
      if (next) {
        sqlite3_finalize(next);
        throw fail("one statement per query (use exec_script for several)");
      }
    }
    int n = sqlite3_bind_parameter_count(st.stmt);
    st.arg.resize(n);
    for (int i = 1; i <= n; ++i) {
      const char* name = sqlite3_bind_parameter_name(st.stmt, i);
      int num = 0;
      std::string_view nm = name ? name : "";
      if (nm.size() < 2 || nm[0] != '$' ||
          std::from_chars(nm.data() + 1, nm.data() + nm.size(), num).ptr != nm.data() + nm.size() ||
          num < 1)
        throw fail("parameters must be $1, $2 …");
      st.arg[i - 1] = num - 1;
      st.max_arg = std::max(st.max_arg, num);
    }
    return cache_.emplace(std::string(sql), st).first->second;
  }

  static void bind(sqlite3_stmt* s, int i, const Value& v) {
    if (v.is_null()) {
      sqlite3_bind_null(s, i);
    } else if (v.is_int()) {
      sqlite3_bind_int64(s, i, v.i64());
    } else if (v.is_double()) {
      sqlite3_bind_double(s, i, v.f64());
    } else {
      // The caller's Value outlives the step, and the binding is cleared
      // before query() returns, so SQLite need not copy the text.
      std::string_view t = v.text();
      sqlite3_bind_text64(s, i, t.data(), t.size(), SQLITE_STATIC, SQLITE_UTF8);
    }
  }

  static Value column(sqlite3_stmt* s, int c) {
    switch (sqlite3_column_type(s, c)) {
      case SQLITE_INTEGER:
        return Value(static_cast<int64_t>(sqlite3_column_int64(s, c)));
      case SQLITE_FLOAT:
        return Value(sqlite3_column_double(s, c));
      case SQLITE_NULL:
        return Value();
      default: {
        auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
        return Value(std::string(p ? p : "", sqlite3_column_bytes(s, c)));
      }
    }
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Statement, StringHash, std::equal_to<>> cache_;
};

}  // namespace

// Process-wide settings, made once before the first connection. SQLite
// keeps memory statistics by default, behind one global mutex taken on every
// allocation: with readers on every I/O thread and the committer allocating
// at once, that mutex was contended on every statement. Nothing here reads
// those statistics.
void configure_sqlite_once() {
  static const bool done = [] {
    if (int rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); rc != SQLITE_OK)
      spdlog::warn("sqlite: cannot turn memory statistics off: {}", sqlite3_errstr(rc));
    return true;
  }();
  (void)done;
}

Backend sqlite_backend(const std::string& path) {
  configure_sqlite_once();
  if (path.empty() || path == ":memory:" || path.starts_with("file:"))
    throw Error(ErrorKind::internal, "db.url",
                "SQLite needs a file path (readers and the writer share the file)");
  std::filesystem::path p(path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
  }
  Backend b;
  b.dialect = Dialect::sqlite;
  b.open_writer = [path] { return std::make_unique<SqliteConn>(path, true); };
  b.open_reader = [path] { return std::make_unique<SqliteConn>(path, false); };
  // Deferred: the snapshot starts at the first read. IMMEDIATE: take the
  // write lock at BEGIN, so another process holding it makes us wait
  // (busy_timeout) instead of failing at the first write.
  b.begin_read = "BEGIN";
  b.begin_write = "BEGIN IMMEDIATE";
  b.description = "sqlite:" + path;
  return b;
}

}  // namespace gh::db
