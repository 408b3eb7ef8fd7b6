// The store: one interface over SQLite (embedded default) and PostgreSQL.
//
// SQL is written once with PostgreSQL-style positional parameters ($1, $2 …);
// the SQLite backend binds $N to the N-th value using SQLite's own tokenizer
// (so '$1' inside a string literal stays text). Every $N must appear in the
// statement, and PostgreSQL must be able to infer its type: integer values
// are sent as bigint, doubles as double precision, text and NULL untyped
// (the server infers them from the context; add CAST($1 AS TEXT) where it
// cannot). One statement per query(). Statements are prepared once per
// connection and cached by their text, so keep SQL in named constants
// (`constexpr std::string_view kFindOrg = "…"`), never build it with values.
//
// Errors: a unique violation throws ErrorKind::conflict "db.unique", a check
// violation unprocessable "db.check", a lost or full database unavailable,
// anything else internal; details are generic, the engine's message goes to
// the log. After a statement fails, the transaction refuses further
// statements ("db.aborted") on both backends, as PostgreSQL does: rethrow
// (or map) the error, or avoid it with INSERT … ON CONFLICT. A write that
// swallows a failed statement and returns normally fails too.
//
// Reads run on a pooled connection inside a read-only transaction (a
// consistent snapshot). Writes go through a group committer: concurrent
// writers are folded into one transaction and one commit (one fsync), each in
// its own savepoint, so one writer's exception rolls back only its own
// changes and is rethrown to it (LevelDB's DBImpl::Write writer queue).
// `write` returns only after the commit is durable; `write_async` queues the
// same kind of write and calls back after the commit, holding no thread. On PostgreSQL writes run
// at READ COMMITTED: one process has one writer, so its writes are serial.
//
// Thread-safety: Store is safe to use from any thread. Tx is not: it belongs
// to the function it is passed to and must not escape it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace gh::db {

enum class Dialect { sqlite, postgres };

// A parameter or column value. Money and times are integers (fen, Unix ms),
// everything else is text; blobs are stored as text (hex or base64).
class Value {
 public:
  Value() = default;
  Value(std::nullptr_t) {}
  Value(int v) : v_(int64_t{v}) {}
  Value(int64_t v) : v_(v) {}
  Value(bool v) : v_(int64_t{v ? 1 : 0}) {}
  Value(double v) : v_(v) {}
  Value(std::string v) : v_(std::move(v)) {}
  Value(std::string_view v) : v_(std::string(v)) {}
  Value(const char* v) : v_(std::string(v)) {}
  template <class T>
  Value(const std::optional<T>& v) {
    if (v) *this = Value(*v);
  }

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  bool is_double() const { return std::holds_alternative<double>(v_); }
  bool is_text() const { return std::holds_alternative<std::string>(v_); }

  // Conversions are lenient across int/double/text (PostgreSQL returns text
  // for everything); a NULL converts to 0 / "".
  int64_t i64() const;
  double f64() const;
  std::string str() const;
  std::optional<int64_t> opt_i64() const;
  std::optional<std::string> opt_str() const;
  // The text of a text value without copying (empty for other kinds); valid
  // while this Value lives.
  std::string_view text() const {
    auto* s = std::get_if<std::string>(&v_);
    return s ? std::string_view(*s) : std::string_view();
  }
  bool boolean() const { return i64() != 0; }

 private:
  std::variant<std::monostate, int64_t, double, std::string> v_;
};

using Row = std::vector<Value>;

// A fully materialised result set.
struct Rows {
  std::vector<Row> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE

  bool empty() const { return rows.empty(); }
  size_t size() const { return rows.size(); }
  const Row& operator[](size_t i) const { return rows[i]; }
  auto begin() const { return rows.begin(); }
  auto end() const { return rows.end(); }
};

// One database connection. Backends implement this; nothing above db/ sees it.
class Conn {
 public:
  virtual ~Conn() = default;
  virtual Dialect dialect() const = 0;
  // Runs one statement with parameters ($1 …). Throws gh::Error on failure:
  // unique violations as ErrorKind::conflict with code "db.unique", check
  // violations as unprocessable "db.check", everything else internal.
  virtual Rows query(std::string_view sql, std::span<const Value> params) = 0;
  // Runs several statements without parameters (migrations, BEGIN/COMMIT).
  virtual void exec_script(std::string_view sql) = 0;
  // Runs one statement whose result nobody reads, now or together with the
  // next statement: PostgreSQL queues it and sends it in one round trip with
  // whatever comes next (the next statement, or the savepoint's release at
  // the end of the write). A failure surfaces there and fails the write, as
  // if this statement had thrown. SQLite has no round trips: it runs now.
  virtual void exec_later(std::string_view sql, std::span<const Value> params) {
    query(sql, params);
  }
};

// The transaction handed to read/write functions.
class Tx {
 public:
  explicit Tx(Conn& conn) : conn_(conn) {}
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;

  Dialect dialect() const { return conn_.dialect(); }
  Rows query(std::string_view sql, std::initializer_list<Value> params = {}) {
    return conn_.query(sql, std::span<const Value>(params.begin(), params.size()));
  }
  Rows query(std::string_view sql, std::span<const Value> params) {
    return conn_.query(sql, params);
  }
  // First row or nothing.
  std::optional<Row> one(std::string_view sql, std::initializer_list<Value> params = {}) {
    auto r = query(sql, params);
    if (r.rows.empty()) return std::nullopt;
    return std::move(r.rows.front());
  }
  int64_t exec(std::string_view sql, std::initializer_list<Value> params = {}) {
    return query(sql, params).affected;
  }
  // A statement whose result (not even its row count) nobody needs: see
  // Conn::exec_later. For appends such as audit entries and stored answers.
  void exec_later(std::string_view sql, std::initializer_list<Value> params = {}) {
    conn_.exec_later(sql, std::span<const Value>(params.begin(), params.size()));
  }
  // Runs after this write is durably committed (never if it rolls back),
  // before write() returns (or write_async() calls back), on the store's
  // committer thread. Use for in-memory caches that must only reflect
  // committed state. Must not call
  // Store::write (it would wait for itself; it is refused); exceptions are
  // logged and swallowed. Ignored in reads.
  void on_commit(std::function<void()> fn) { after_commit_.push_back(std::move(fn)); }

  std::vector<std::function<void()>>& after_commit() { return after_commit_; }

  // A value the rest of this transaction may reuse instead of reading it
  // again, such as the audit chain's head. In a group commit it carries over
  // to the next writes of the same transaction, and all of it is forgotten
  // when a write rolls back (its changes are gone) and when the transaction
  // ends. Empty until set.
  std::string& memo(std::string_view key) {
    auto& m = shared_memo_ ? *shared_memo_ : own_memo_;
    auto it = m.find(key);
    if (it == m.end()) it = m.emplace(std::string(key), std::string()).first;
    return it->second;
  }
  using Memo = std::map<std::string, std::string, std::less<>>;
  void share_memo(Memo* m) { shared_memo_ = m; }

 private:
  Conn& conn_;
  std::vector<std::function<void()>> after_commit_;
  Memo own_memo_;
  Memo* shared_memo_ = nullptr;
};

struct StoreStats {
  uint64_t commits = 0;          // group commits (transactions)
  uint64_t writes = 0;           // write functions folded into them
  uint64_t commit_us_total = 0;  // time spent in COMMIT
  // Histograms count commits per bucket (not cumulative).
  // Commit latency in microseconds: bucket upper bounds below.
  static constexpr std::array<uint64_t, 10> kCommitBucketsUs = {
      100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 1000000};
  std::array<uint64_t, 11> commit_buckets{};  // last one is +Inf
  // Histogram of batch sizes (writes per commit): 1,2,4,8,...,512,+Inf.
  std::array<uint64_t, 11> batch_buckets{};
};

struct StoreOptions {
  // "sqlite:/path/to/file.db", a plain file path (its directory is created),
  // or "postgresql://user@host:port/db" / "postgres://…" (libpq URI).
  std::string url;
  int max_readers = 16;
  int max_batch = 256;  // most write functions folded into one commit
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens the store named by options.url. Throws gh::Error on failure.
  static std::unique_ptr<Store> open(const StoreOptions& options);

  virtual Dialect dialect() const = 0;

  // Applies pending numbered migrations for this dialect (embedded
  // src/db/migrations/<dialect>/NNN_name.sql), one transaction each,
  // recorded in schema_migrations. Idempotent, and safe to run from several
  // servers at once. Returns the schema version afterwards.
  virtual int migrate() = 0;

  // Runs fn(Tx&) in a read-only snapshot and returns its result.
  template <class F>
  auto read(F&& fn) -> std::invoke_result_t<F, Tx&> {
    using R = std::invoke_result_t<F, Tx&>;
    if constexpr (std::is_void_v<R>) {
      run_read([&](Tx& tx) { fn(tx); });
    } else {
      std::optional<R> out;
      run_read([&](Tx& tx) { out.emplace(fn(tx)); });
      return std::move(*out);
    }
  }

  // One statement alone, outside any transaction: its first row, or nothing.
  // A statement sees one snapshot by itself, so this is read() of one
  // tx.one() without BEGIN and COMMIT: on PostgreSQL one round trip
  // instead of three. For hot single-statement reads (loading a session).
  std::optional<Row> read_one(std::string_view sql, std::initializer_list<Value> params = {}) {
    return run_read_one(sql, std::span<const Value>(params.begin(), params.size()));
  }

  // Runs fn(Tx&) in a durable write (see the file comment) and returns its
  // result. Exceptions thrown by fn are rethrown here after its changes have
  // been rolled back. fn runs on the store's committer thread while this
  // one waits; calling write() from inside fn throws
  // "db.nested_write".
  template <class F>
  auto write(F&& fn) -> std::invoke_result_t<F, Tx&> {
    using R = std::invoke_result_t<F, Tx&>;
    if constexpr (std::is_void_v<R>) {
      run_write([&](Tx& tx) { fn(tx); });
    } else {
      std::optional<R> out;
      run_write([&](Tx& tx) { out.emplace(fn(tx)); });
      return std::move(*out);
    }
  }

  // Queues fn(Tx&) as a durable write like write() and returns at once.
  // done(error) is called exactly once on the store's committer thread:
  // after the commit with a null error, or after fn's changes were rolled
  // back with what fn threw (or the commit's failure). done must be short
  // and must not call write() (it is refused); it may call write_async().
  // Throws unavailable "db.closed" when the store is closed.
  virtual void write_async(std::function<void(Tx&)> fn, std::function<void(std::exception_ptr)> done) = 0;

  virtual StoreStats stats() const = 0;

  // Waits for queued writes and lent readers, then closes all connections;
  // later reads and writes throw unavailable "db.closed". Idempotent.
  virtual void close() = 0;

 protected:
  virtual void run_read(const std::function<void(Tx&)>& fn) = 0;
  virtual std::optional<Row> run_read_one(std::string_view sql, std::span<const Value> params) = 0;
  virtual void run_write(const std::function<void(Tx&)>& fn) = 0;
};

// Unix time in milliseconds (UTC); all *_at columns hold this.
int64_t now_ms();

}  // namespace gh::db
