// The store over any backend: a bounded pool of reader connections and one
// writer connection driven by a group committer.
//
// Group commit (LevelDB's DBImpl::Write, with a dedicated thread): every
// write enqueues itself. The committer thread takes up to max_batch queued
// writes, runs them in one transaction, each inside its own savepoint,
// commits once (one fsync), runs the committed writes' on_commit callbacks,
// then completes every write of the batch: a write() caller is woken, a
// write_async() gets its `done` called. While it commits, new writes pile up
// behind it, so the busier the store, the bigger the batches. A request that
// writes asynchronously holds no thread while it waits for the disk.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "core/embedded.h"
#include "db/backend.h"

namespace gh::db {
namespace {

constexpr std::string_view kCreateMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
constexpr std::string_view kMigrationVersions =
    "SELECT version FROM schema_migrations ORDER BY version";
constexpr std::string_view kMigrationApplied = "SELECT 1 FROM schema_migrations WHERE version = $1";
constexpr std::string_view kRecordMigration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";
// Servers sharing one PostgreSQL database migrate one at a time.
constexpr std::string_view kMigrationLock = "SELECT pg_advisory_xact_lock($1)";
constexpr int64_t kMigrationLockKey = 0x67685f6d6967;  // "gh_mig"

struct Migration {
  int version = 0;
  std::string name;
  std::string_view sql;
};

std::vector<Migration> migrations_for(Dialect dialect) {
  std::string_view prefix =
      dialect == Dialect::sqlite ? "src/db/migrations/sqlite/" : "src/db/migrations/postgres/";
  std::vector<Migration> out;
  for (const auto& f : embedded::files()) {
    if (!f.path.starts_with(prefix) || !f.path.ends_with(".sql")) continue;
    std::string_view name = f.path.substr(prefix.size());
    Migration m;
    size_t i = 0;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9')
      m.version = m.version * 10 + (name[i++] - '0');
    if (i == 0 || m.version == 0) {
      spdlog::error("db: migration {} does not start with a version number", f.path);
      throw Error::internal("bad migration file name");
    }
    m.name = std::string(name.substr(0, name.size() - 4));
    m.sql = f.content;
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.version < b.version; });
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].version == out[i - 1].version) {
      spdlog::error("db: migrations {} and {} share a version", out[i - 1].name, out[i].name);
      throw Error::internal("duplicate migration version");
    }
  return out;
}

// Once a statement has failed, PostgreSQL refuses every further statement of
// the transaction (until the savepoint is rolled back), while SQLite carries
// on. Refuse on both, so code that swallows a database error and carries on
// fails in the SQLite tests too, not first in production.
class GuardedConn final : public Conn {
 public:
  explicit GuardedConn(Conn& conn) : conn_(conn) {}
  Dialect dialect() const override { return conn_.dialect(); }
  Rows query(std::string_view sql, std::span<const Value> params) override {
    check(sql);
    try {
      return conn_.query(sql, params);
    } catch (...) {
      failed_ = true;
      throw;
    }
  }
  void exec_later(std::string_view sql, std::span<const Value> params) override {
    check(sql);
    try {
      conn_.exec_later(sql, params);
    } catch (...) {
      failed_ = true;
      throw;
    }
  }
  bool failed() const { return failed_; }
  void exec_script(std::string_view sql) override {
    check(sql);
    try {
      conn_.exec_script(sql);
    } catch (...) {
      failed_ = true;
      throw;
    }
  }

 private:
  void check(std::string_view sql) {
    if (failed_)
      throw db_error(ErrorKind::internal, "db.aborted", sql,
                     "statement after a failed statement in the same transaction");
  }
  Conn& conn_;
  bool failed_ = false;
};

Error closed_error() { return Error(ErrorKind::unavailable, "db.closed", "database closed"); }

// The store whose write function is running on this thread, if any: a
// write() from inside a write (or from an on_commit callback) would wait for
// itself forever.
thread_local const void* t_writing = nullptr;

class StoreImpl final : public Store {
 public:
  StoreImpl(Backend backend, const StoreOptions& options)
      : backend_(std::move(backend)),
        max_readers_(std::max(1, options.max_readers)),
        max_batch_(static_cast<size_t>(std::max(1, options.max_batch))) {
    // Open the writer now: a wrong path or URL fails at start-up, and on
    // SQLite it switches the file to WAL before any reader opens it.
    writer_ = backend_.open_writer();
    spdlog::debug("db: opened {}", backend_.description);
    committer_ = std::thread([this] { commit_loop(); });
  }

  ~StoreImpl() override {
    try {
      close();
    } catch (const std::exception& e) {
      spdlog::error("db: close: {}", e.what());
    }
  }

  Dialect dialect() const override { return backend_.dialect; }

  int migrate() override;

  StoreStats stats() const override {
    std::lock_guard lk(stats_mu_);
    return stats_;
  }

  void close() override {
    if (t_writing == this) throw Error::internal("close() inside a write");
    {
      std::unique_lock lk(write_mu_);
      closing_ = true;
      queued_.notify_one();
    }
    if (committer_.joinable()) committer_.join();  // it drains the queue first
    writer_.reset();
    std::unique_lock lk(read_mu_);
    readers_closed_ = true;
    reader_free_.notify_all();
    reader_free_.wait(lk, [&] { return lent_readers_ == 0; });
    idle_readers_.clear();
    open_readers_ = 0;
  }

 protected:
  void run_read(const std::function<void(Tx&)>& fn) override;
  std::optional<Row> run_read_one(std::string_view sql, std::span<const Value> params) override;
  void run_write(const std::function<void(Tx&)>& fn) override {
    WriteFn w = [&fn](Conn&, Tx& tx) { fn(tx); };
    enqueue(w, false);
  }

 public:
  void write_async(std::function<void(Tx&)> fn, std::function<void(std::exception_ptr)> done) override {
    auto x = std::make_unique<Writer>();
    x->owned = [fn = std::move(fn)](Conn&, Tx& tx) { fn(tx); };
    x->fn = &x->owned;
    x->done_fn = std::move(done);
    std::lock_guard lk(write_mu_);
    if (closing_) throw closed_error();
    writers_.push_back(x.release());
    queued_.notify_one();
  }

 private:
  // A write as the committer sees it; migrations also need the connection
  // itself (exec_script).
  using WriteFn = std::function<void(Conn&, Tx&)>;

  // A queued write: a write() caller's (on its stack, `done` flag and cv) or
  // a write_async()'s (on the heap, owning its function, `done_fn`).
  struct Writer {
    const WriteFn* fn = nullptr;
    bool exclusive = false;  // alone in its transaction (migrations)
    bool done = false;       // guarded by write_mu_
    std::exception_ptr error;
    std::vector<std::function<void()>> after_commit;
    std::condition_variable cv;
    WriteFn owned;                                      // write_async only
    std::function<void(std::exception_ptr)> done_fn;  // write_async only
  };

  // A reader connection on loan from the pool.
  class Lease {
   public:
    Lease(StoreImpl& store, std::unique_ptr<Connection> conn)
        : store_(store), conn_(std::move(conn)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { store_.release_reader(std::move(conn_), discard_); }
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }
    void discard() { discard_ = true; }

   private:
    StoreImpl& store_;
    std::unique_ptr<Connection> conn_;
    bool discard_ = false;
  };

  void enqueue(const WriteFn& fn, bool exclusive);
  void commit_loop();
  void commit_batch(const std::vector<Writer*>& batch);
  Connection& writer();
  Connection& begin_writer(const std::string& begin);
  void rollback_writer() noexcept;
  void record_commit(size_t writes, uint64_t us);

  std::unique_ptr<Connection> acquire_reader();
  void release_reader(std::unique_ptr<Connection> conn, bool discard) noexcept;

  const Backend backend_;
  const int max_readers_;
  const size_t max_batch_;

  std::mutex write_mu_;
  std::deque<Writer*> writers_;      // guarded by write_mu_: queued, not yet taken
  bool closing_ = false;             // guarded by write_mu_
  std::condition_variable queued_;   // a write was queued, or closing_
  // Only the committer thread touches the writer connection (and close(),
  // after joining it).
  std::unique_ptr<Connection> writer_;
  std::thread committer_;

  std::mutex read_mu_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // guarded by read_mu_
  int open_readers_ = 0;                                   // idle + lent; guarded by read_mu_
  int lent_readers_ = 0;                                   // guarded by read_mu_
  bool readers_closed_ = false;                            // guarded by read_mu_

  mutable std::mutex stats_mu_;
  StoreStats stats_;  // guarded by stats_mu_
};

// ---- writes -----------------------------------------------------------------

void StoreImpl::enqueue(const WriteFn& fn, bool exclusive) {
  if (t_writing == this)
    throw Error(ErrorKind::internal, "db.nested_write", "write() called inside a write");
  Writer w;
  w.fn = &fn;
  w.exclusive = exclusive;

  std::unique_lock lk(write_mu_);
  if (closing_) throw closed_error();
  writers_.push_back(&w);
  queued_.notify_one();
  w.cv.wait(lk, [&] { return w.done; });
  lk.unlock();
  if (w.error) std::rethrow_exception(w.error);
}

// The committer thread: takes the queued writes in batches (an exclusive
// write runs alone, and nothing joins it) until close() and the queue is
// empty.
void StoreImpl::commit_loop() {
  std::vector<Writer*> batch;
  for (;;) {
    {
      std::unique_lock lk(write_mu_);
      queued_.wait(lk, [&] { return !writers_.empty() || closing_; });
      if (writers_.empty()) return;
      batch.clear();
      while (!writers_.empty() && batch.size() < max_batch_) {
        Writer* x = writers_.front();
        if (!batch.empty() && (x->exclusive || batch.front()->exclusive)) break;
        batch.push_back(x);
        writers_.pop_front();
      }
    }
    commit_batch(batch);
    for (Writer* x : batch) {
      if (x->done_fn) {
        std::unique_ptr<Writer> owned(x);
        struct Mark {
          explicit Mark(const void* s) { t_writing = s; }
          ~Mark() { t_writing = nullptr; }
        } mark(this);
        try {
          x->done_fn(x->error);
        } catch (const std::exception& e) {
          spdlog::error("db: write_async completion threw: {}", e.what());
        } catch (...) {
          spdlog::error("db: write_async completion threw");
        }
      } else {
        std::lock_guard lk(write_mu_);
        x->done = true;
        x->cv.notify_one();
      }
    }
  }
}

// Runs on the committer thread without write_mu_. Never throws: every failure
// lands in the writers' `error`.
void StoreImpl::commit_batch(const std::vector<Writer*>& batch) {
  struct Mark {
    explicit Mark(const void* s) { t_writing = s; }
    ~Mark() { t_writing = nullptr; }
  } mark(this);
  // A lone write needs no savepoint: if it fails, the whole transaction
  // rolls back. In a batch, savepoint statements ride together to save
  // PostgreSQL round trips: BEGIN with the first SAVEPOINT, each RELEASE
  // with the next SAVEPOINT; ROLLBACK TO keeps the savepoint for the next
  // write, and COMMIT releases the last one.
  const bool savepoints = batch.size() > 1;
  bool any_ok = false;
  Tx::Memo memo;  // shared by the batch's writes (Tx::memo)
  try {
    Connection& c =
        begin_writer(savepoints ? backend_.begin_write + "; SAVEPOINT w" : backend_.begin_write);
    for (size_t i = 0; i < batch.size(); ++i) {
      Writer* x = batch[i];
      const bool last = i + 1 == batch.size();
      GuardedConn guarded(c);
      Tx tx(guarded);
      tx.share_memo(&memo);
      bool ok = false;
      try {
        (*x->fn)(guarded, tx);
        // PostgreSQL would turn the COMMIT of an aborted transaction into a
        // silent ROLLBACK: a write that swallowed a failed statement fails.
        if (guarded.failed())
          throw db_error(ErrorKind::internal, "db.aborted", "",
                         "a write went on after a failed statement and returned normally");
        ok = true;
      } catch (...) {
        x->error = std::current_exception();
        memo.clear();  // what it remembered may be rolled back with it
        // Undo this write only; if even that fails, the outer handler fails
        // the whole batch.
        if (savepoints) c.exec_script("ROLLBACK TO w");
      }
      if (ok) {
        // A write has succeeded once the statements it left for later have:
        // they go out with the savepoint's release (on PostgreSQL, one round
        // trip). The last write's savepoint is released by COMMIT unless
        // statements are waiting.
        std::string_view script = !savepoints     ? std::string_view()
                                  : !last         ? "RELEASE w; SAVEPOINT w"
                                  : c.has_later() ? "RELEASE w"
                                                  : std::string_view();
        if (auto late = c.settle(script)) {
          x->error = late;
          memo.clear();
          ok = false;
          if (savepoints) c.exec_script("ROLLBACK TO w");
        }
      }
      if (ok) {
        any_ok = true;
        x->after_commit = std::move(tx.after_commit());
      }
    }
    if (!any_ok) {
      c.exec_script("ROLLBACK");
      return;
    }
    auto t0 = std::chrono::steady_clock::now();
    c.exec_script("COMMIT");
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - t0);
    record_commit(batch.size(), static_cast<uint64_t>(us.count()));
  } catch (...) {
    // BEGIN, a savepoint or COMMIT failed: nothing of the batch is durable.
    // (If the connection died during COMMIT the outcome is unknown; callers
    // retry with their idempotency keys.)
    auto e = std::current_exception();
    rollback_writer();
    for (Writer* x : batch) {
      if (!x->error) x->error = e;
      x->after_commit.clear();
    }
    return;
  }
  for (Writer* x : batch) {
    for (auto& cb : x->after_commit) {
      try {
        cb();
      } catch (const std::exception& e) {
        spdlog::error("db: on_commit callback threw: {}", e.what());
      } catch (...) {
        spdlog::error("db: on_commit callback threw");
      }
    }
    x->after_commit.clear();
  }
}

// Nothing of the batch has run before BEGIN succeeds, so a connection the
// server dropped while idle (restart, failover) is replaced and BEGIN retried.
Connection& StoreImpl::begin_writer(const std::string& begin) {
  for (int attempt = 0;; ++attempt) {
    Connection& c = writer();
    try {
      c.exec_script(begin);
      return c;
    } catch (const Error&) {
      if (attempt > 0 || !c.broken()) throw;
    }
  }
}

Connection& StoreImpl::writer() {
  if (writer_ && writer_->broken()) {
    spdlog::warn("db: writer connection lost; reconnecting");
    writer_.reset();
  }
  if (!writer_) writer_ = backend_.open_writer();
  return *writer_;
}

void StoreImpl::rollback_writer() noexcept {
  if (!writer_ || writer_->broken()) return;
  try {
    writer_->exec_script("ROLLBACK");
  } catch (...) {
    // No transaction was open (SQLite rolls back by itself on some errors).
  }
}

void StoreImpl::record_commit(size_t writes, uint64_t us) {
  std::lock_guard lk(stats_mu_);
  ++stats_.commits;
  stats_.writes += writes;
  stats_.commit_us_total += us;
  size_t b = 0;
  while (b < StoreStats::kCommitBucketsUs.size() && us > StoreStats::kCommitBucketsUs[b]) ++b;
  ++stats_.commit_buckets[b];
  size_t k = 0;
  while (k + 1 < stats_.batch_buckets.size() && writes > (size_t{1} << k)) ++k;
  ++stats_.batch_buckets[k];
}

// ---- reads ------------------------------------------------------------------

std::unique_ptr<Connection> StoreImpl::acquire_reader() {
  std::unique_lock lk(read_mu_);
  for (;;) {
    if (readers_closed_) throw closed_error();
    if (!idle_readers_.empty()) {
      auto c = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      ++lent_readers_;
      if (!c->broken()) return c;
      --open_readers_;  // lost its server: replace it below
      --lent_readers_;
      continue;
    }
    if (open_readers_ < max_readers_) {
      ++open_readers_;
      ++lent_readers_;
      lk.unlock();
      try {
        return backend_.open_reader();
      } catch (...) {
        lk.lock();
        --open_readers_;
        --lent_readers_;
        reader_free_.notify_all();
        throw;
      }
    }
    reader_free_.wait(lk);
  }
}

void StoreImpl::release_reader(std::unique_ptr<Connection> conn, bool discard) noexcept {
  std::lock_guard lk(read_mu_);
  --lent_readers_;
  if (conn && !discard && !conn->broken() && !readers_closed_) {
    idle_readers_.push_back(std::move(conn));
  } else {
    --open_readers_;
  }
  reader_free_.notify_all();
}

void StoreImpl::run_read(const std::function<void(Tx&)>& fn) {
  // As for the writer: before BEGIN succeeds nothing has run, so idle
  // connections the server dropped are replaced (after a restart the whole
  // pool may be dead, hence up to max_readers + 1 tries).
  for (int attempt = 0;; ++attempt) {
    Lease lease(*this, acquire_reader());
    try {
      lease->exec_script(backend_.begin_read);
    } catch (const Error&) {
      lease.discard();
      if (attempt < max_readers_ && lease->broken()) continue;
      throw;
    } catch (...) {
      lease.discard();
      throw;
    }
    GuardedConn guarded(*lease);
    Tx tx(guarded);
    try {
      fn(tx);
    } catch (...) {
      try {
        lease->exec_script("ROLLBACK");
      } catch (...) {
        lease.discard();
      }
      throw;
    }
    try {
      lease->exec_script("COMMIT");
    } catch (...) {
      lease.discard();
      throw;
    }
    return;
  }
}

std::optional<Row> StoreImpl::run_read_one(std::string_view sql, std::span<const Value> params) {
  // Like run_read's BEGIN: a connection the server dropped while idle fails
  // here before anything ran, and a read may simply run again.
  for (int attempt = 0;; ++attempt) {
    Lease lease(*this, acquire_reader());
    try {
      auto rows = lease->query(sql, params);
      if (rows.rows.empty()) return std::nullopt;
      return std::move(rows.rows.front());
    } catch (const Error&) {
      if (!lease->broken()) throw;
      lease.discard();
      if (attempt >= max_readers_) throw;
    } catch (...) {
      lease.discard();
      throw;
    }
  }
}

// ---- migrations -------------------------------------------------------------

int StoreImpl::migrate() {
  const auto all = migrations_for(dialect());
  const bool pg = dialect() == Dialect::postgres;
  auto lock = [&](Conn& c) {
    if (pg) {
      Value key[] = {Value(kMigrationLockKey)};
      c.query(kMigrationLock, key);
    }
    c.exec_script(kCreateMigrations);
  };
  auto exclusive = [&](const WriteFn& fn) { enqueue(fn, true); };

  std::set<int64_t> applied;
  exclusive([&](Conn& c, Tx&) {
    lock(c);
    for (const auto& row : c.query(kMigrationVersions, {})) applied.insert(row[0].i64());
  });
  for (const auto& m : all) {
    if (applied.contains(m.version)) continue;
    // One transaction per migration, re-checked under the lock: another
    // server may have applied it meanwhile.
    exclusive([&](Conn& c, Tx&) {
      lock(c);
      Value version[] = {Value(m.version)};
      if (!c.query(kMigrationApplied, version).empty()) return;
      spdlog::info("db: applying migration {}", m.name);
      try {
        c.exec_script(m.sql);
      } catch (...) {
        spdlog::error("db: migration {} failed", m.name);
        throw;
      }
      Value row[] = {Value(m.version), Value(m.name), Value(now_ms())};
      c.query(kRecordMigration, row);
    });
    applied.insert(m.version);
  }
  std::set<int64_t> known;
  for (const auto& m : all) known.insert(m.version);
  for (int64_t v : applied)
    if (!known.contains(v))
      spdlog::warn("db: schema has migration {} that this build does not know", v);
  return applied.empty() ? 0 : static_cast<int>(*applied.rbegin());
}

}  // namespace

// ---- errors and factories -----------------------------------------------------

Error db_error(ErrorKind kind, std::string code, std::string_view sql,
               std::string_view detail_for_log) {
  // One line of SQL is enough to find the statement; never the parameters.
  std::string where(sql.substr(0, 160));
  std::replace(where.begin(), where.end(), '\n', ' ');
  if (sql.size() > where.size()) where += "…";
  std::string detail;
  switch (kind) {
    case ErrorKind::conflict:
      detail = "duplicate value";
      spdlog::debug("db: {} ({}) in: {}", detail_for_log, code, where);
      break;
    case ErrorKind::unprocessable:
      detail = "value not allowed";
      spdlog::debug("db: {} ({}) in: {}", detail_for_log, code, where);
      break;
    case ErrorKind::unavailable:
      detail = "database unavailable";
      spdlog::error("db: {} ({}) in: {}", detail_for_log, code, where);
      break;
    default:
      detail = "database error";
      spdlog::error("db: {} ({}) in: {}", detail_for_log, code, where);
      break;
  }
  return Error(kind, std::move(code), std::move(detail));
}

std::unique_ptr<Store> make_store(Backend backend, const StoreOptions& options) {
  return std::make_unique<StoreImpl>(std::move(backend), options);
}

std::unique_ptr<Store> Store::open(const StoreOptions& options) {
  std::string_view url = options.url;
  if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
    return make_store(postgres_backend(options.url), options);
  if (url.starts_with("sqlite://"))
    url.remove_prefix(9);
  else if (url.starts_with("sqlite:"))
    url.remove_prefix(7);
  return make_store(sqlite_backend(std::string(url)), options);
}

}  // namespace gh::db
