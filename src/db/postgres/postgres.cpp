// PostgreSQL backend over libpq.
//
// Statements are prepared once per connection (PQprepare, names s1, s2 …)
// and run with PQexecPrepared, parameters and results in text format.
// Parameter types are declared from the values: integers as bigint (so
// arithmetic on money in fen never narrows to int4), doubles as double
// precision, text and NULL left for the server to infer from the context.
// A statement is therefore cached per (SQL text, parameter kinds).
#include "db/postgres/postgres.h"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <exception>
#include <string>
#include <unordered_map>
#include <vector>

#include "db/backend.h"

namespace gh::db {
namespace {

// Type OIDs from pg_type.h (stable across versions).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

constexpr size_t kMaxCachedStatements = 2000;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string_view field(const PGresult* r, int code) {
  const char* f = r ? PQresultErrorField(r, code) : nullptr;
  return f ? std::string_view(f) : std::string_view();
}

Value column(const PGresult* r, int row, int col) {
  if (PQgetisnull(r, row, col)) return Value();
  std::string_view text(PQgetvalue(r, row, col), PQgetlength(r, row, col));
  switch (PQftype(r, col)) {
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid:
    case kOidOid: {
      int64_t i = 0;
      std::from_chars(text.data(), text.data() + text.size(), i);
      return Value(i);
    }
    case kFloat4Oid:
    case kFloat8Oid: {
      double d = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec != std::errc() || p != text.data() + text.size()) return Value(text);  // NaN, Infinity
      return Value(d);
    }
    case kNumericOid: {
      // sum() and avg() of bigint are numeric. Whole numbers that fit come
      // back as integers, as they do from SQLite; anything else stays text.
      int64_t i = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec == std::errc() && p == text.data() + text.size()) return Value(i);
      return Value(text);
    }
    case kBoolOid:
      return Value(text == "t");
    default:
      return Value(text);
  }
}

class PgConn final : public Connection {
 public:
  explicit PgConn(const std::string& url) {
    conn_ = PQconnectdb(url.c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      // The message may name the host and user, never the password.
      std::string msg = conn_ ? PQerrorMessage(conn_) : "out of memory";
      PQfinish(conn_);
      conn_ = nullptr;
      spdlog::error("postgres: cannot connect to {}: {}", redact_url(url), msg);
      throw Error(ErrorKind::unavailable, "db.unavailable", "database unavailable");
    }
    // Notices (e.g. "relation already exists, skipping") go to the debug
    // log instead of stderr.
    PQsetNoticeProcessor(
        conn_, [](void*, const char* msg) { spdlog::debug("postgres: {}", msg); }, nullptr);
  }

  ~PgConn() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::postgres; }
  bool broken() const override { return lost_ || PQstatus(conn_) != CONNECTION_OK; }

  Rows query(std::string_view sql, std::span<const Value> params) override {
    if (!later_.empty()) {
      later_.push_back({std::string(sql), {params.begin(), params.end()}, true});
      auto out = pipeline();
      if (out.failed) std::rethrow_exception(out.failed);
      return to_rows(std::move(out.last));
    }
    const std::string& name = prepare(sql, params);
    Params p(params);
    Result r(PQexecPrepared(conn_, name.c_str(), static_cast<int>(params.size()), p.values.data(),
                            nullptr, nullptr, 0));
    return to_rows(check(std::move(r), sql));
  }

  void exec_script(std::string_view sql) override {
    // A rollback takes back what is waiting too: it is not sent.
    if (sql.starts_with("ROLLBACK")) later_.clear();
    if (!later_.empty()) {
      if (auto failed = settle(sql)) std::rethrow_exception(failed);
      return;
    }
    std::string text(sql);
    check(Result(PQexec(conn_, text.c_str())), sql);
  }

  void exec_later(std::string_view sql, std::span<const Value> params) override {
    later_.push_back({std::string(sql), {params.begin(), params.end()}, true});
  }

  bool has_later() const override { return !later_.empty(); }

  std::exception_ptr settle(std::string_view script) override {
    if (later_.empty()) {
      if (!script.empty()) exec_script(script);
      return nullptr;
    }
    const size_t waiting = later_.size();
    // The script's statements one by one: a pipeline takes no multi-statement
    // strings.
    for_each_control_statement(
        script, [this](std::string_view one) { later_.push_back({std::string(one), {}, false}); });
    auto out = pipeline();
    if (out.failed && out.failed_at >= waiting) std::rethrow_exception(out.failed);  // the script's
    return out.failed;
  }

 private:
  // Text-format parameters are NUL-terminated strings. Numbers are rendered
  // into a small buffer each; text points at the caller's std::string
  // (NUL-terminated, and it outlives the call).
  struct Params {
    explicit Params(std::span<const Value> params)
        : values(params.size(), nullptr), numbers(params.size()) {
      for (size_t i = 0; i < params.size(); ++i) {
        const Value& v = params[i];
        if (v.is_int() || v.is_double()) {
          char* b = numbers[i].data();
          auto res =
              v.is_int() ? std::to_chars(b, b + 31, v.i64()) : std::to_chars(b, b + 31, v.f64());
          *res.ptr = '\0';
          values[i] = b;
        } else if (v.is_text()) {
          values[i] = v.text().data();
        }
      }
    }
    std::vector<const char*> values;
    std::vector<std::array<char, 32>> numbers;
  };

  // A statement waiting in later_: prepared ones go through the statement
  // cache; the others are parameterless control statements (RELEASE …).
  struct Later {
    std::string sql;
    std::vector<Value> params;
    bool prepared = true;
  };

  // What pipeline() found: the first failure (the server skipped the rest
  // of the pipeline), at which statement, and the last statement's result.
  struct Outcome {
    std::exception_ptr failed;
    size_t failed_at = 0;
    Result last;
  };

  // Sends everything in later_ in one pipeline (one round trip) and reads
  // every answer. later_ is empty afterwards, whatever happens. A connection
  // whose protocol state is in doubt is marked lost, so the store replaces it.
  Outcome pipeline() {
    std::vector<Later> steps = std::move(later_);
    later_.clear();
    // PQprepare cannot run inside a pipeline: new statements are prepared
    // first, with room made for all of them (so none drops another).
    make_room(steps.size());
    std::vector<std::string> names(steps.size());
    for (size_t i = 0; i < steps.size(); ++i)
      if (steps[i].prepared) names[i] = prepare(steps[i].sql, steps[i].params);
    auto lose = [&](std::string_view what) {
      lost_ = true;
      std::string msg = PQerrorMessage(conn_);
      return db_error(ErrorKind::unavailable, "db.unavailable", what, msg);
    };
    if (PQenterPipelineMode(conn_) != 1) throw lose("pipeline mode");
    for (size_t i = 0; i < steps.size(); ++i) {
      const Later& st = steps[i];
      int sent = 0;
      if (st.prepared) {
        Params p(st.params);
        sent = PQsendQueryPrepared(conn_, names[i].c_str(), static_cast<int>(st.params.size()),
                                   p.values.data(), nullptr, nullptr, 0);
      } else {
        sent = PQsendQueryParams(conn_, st.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
      }
      if (sent != 1) throw lose(st.sql);
    }
    if (PQpipelineSync(conn_) != 1) throw lose("pipeline sync");
    Outcome out;
    out.failed_at = steps.size();
    for (size_t i = 0; i < steps.size(); ++i) {
      Result r(PQgetResult(conn_));
      if (!r) throw lose(steps[i].sql);
      // Each statement's answer ends with a null result.
      while (Result more{PQgetResult(conn_)}) {
      }
      auto status = PQresultStatus(r.get());
      if (status == PGRES_PIPELINE_ABORTED) continue;  // after the failure below
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && !out.failed) {
        out.failed_at = i;
        try {
          check(std::move(r), steps[i].sql);
        } catch (...) {
          out.failed = std::current_exception();
        }
        continue;
      }
      if (i + 1 == steps.size()) out.last = std::move(r);
    }
    Result sync(PQgetResult(conn_));
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) throw lose("pipeline sync");
    if (PQexitPipelineMode(conn_) != 1) throw lose("pipeline mode");
    return out;
  }

  const std::string& prepare(std::string_view sql, std::span<const Value> params) {
    std::string key(sql);
    key.push_back('\0');
    std::vector<Oid> types(params.size(), 0);
    for (size_t i = 0; i < params.size(); ++i) {
      const Value& v = params[i];
      char k = 'u';
      if (v.is_int()) {
        types[i] = kInt8Oid;
        k = 'i';
      } else if (v.is_double()) {
        types[i] = kFloat8Oid;
        k = 'd';
      }
      key.push_back(k);
    }
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    make_room(1);
    std::string name = "s" + std::to_string(++next_id_);
    std::string text(sql);
    check(Result(PQprepare(conn_, name.c_str(), text.c_str(), static_cast<int>(types.size()),
                           types.data())),
          sql);
    return cache_.emplace(std::move(key), std::move(name)).first->second;
  }

  // Room in the statement cache for n new statements: when it is full, every
  // statement is dropped (the cache only fills up if SQL is built with values).
  void make_room(size_t n) {
    if (cache_.size() + n <= kMaxCachedStatements) return;
    spdlog::warn("postgres: statement cache full; is SQL being built with values in it?");
    check(Result(PQexec(conn_, "DEALLOCATE ALL")), "DEALLOCATE ALL");
    cache_.clear();
  }

  Result check(Result r, std::string_view sql) {
    auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    if (!r || broken()) {
      std::string msg = PQerrorMessage(conn_);
      throw db_error(ErrorKind::unavailable, "db.unavailable", sql, msg);
    }
    std::string_view state = field(r.get(), PG_DIAG_SQLSTATE);
    // The primary message only: DETAIL would quote the offending values.
    std::string msg(field(r.get(), PG_DIAG_MESSAGE_PRIMARY));
    msg += " [" + std::string(state) + "]";
    if (state == "23505") throw db_error(ErrorKind::conflict, "db.unique", sql, msg);
    if (state == "23514") throw db_error(ErrorKind::unprocessable, "db.check", sql, msg);
    if (state == "23503") throw db_error(ErrorKind::internal, "db.foreign_key", sql, msg);
    if (state == "53100") throw db_error(ErrorKind::unavailable, "db.full", sql, msg);
    if (state.starts_with("08") || state.starts_with("57P"))
      throw db_error(ErrorKind::unavailable, "db.unavailable", sql, msg);
    throw db_error(ErrorKind::internal, "db.error", sql, msg);
  }

  static Rows to_rows(Result r) {
    Rows out;
    int ncol = PQnfields(r.get());
    int nrow = PQntuples(r.get());
    out.rows.reserve(nrow);
    for (int i = 0; i < nrow; ++i) {
      Row row;
      row.reserve(ncol);
      for (int c = 0; c < ncol; ++c) row.push_back(column(r.get(), i, c));
      out.rows.push_back(std::move(row));
    }
    // Only statements that change rows report a count (a SELECT's tag holds
    // its row count too, which is not what `affected` means).
    std::string_view tag = PQcmdStatus(r.get());
    if (tag.starts_with("INSERT") || tag.starts_with("UPDATE") || tag.starts_with("DELETE") ||
        tag.starts_with("MERGE")) {
      std::string_view n = PQcmdTuples(r.get());
      std::from_chars(n.data(), n.data() + n.size(), out.affected);
    }
    return out;
  }

  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> cache_;  // key → statement name
  uint64_t next_id_ = 0;
  std::vector<Later> later_;  // exec_later's statements, not sent yet
  bool lost_ = false;         // the protocol state is in doubt: replace me
};

}  // namespace

std::string redact_url(std::string_view url) {
  // postgresql://user:secret@host/db → postgresql://user:***@host/db
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  auto at = url.find('@', scheme + 3);
  if (at == std::string_view::npos) return std::string(url);
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

// The advisory lock key of the database's single writer ("gh" + "wr").
constexpr int64_t kWriterLock = 0x6768'7772;

Backend postgres_backend(const std::string& url) {
  Backend b;
  b.dialect = Dialect::postgres;
  b.open_writer = [url] { return std::make_unique<PgConn>(url); };
  // Readers refuse writes also outside BEGIN ... READ ONLY (Store::read_one).
  b.open_reader = [url] {
    auto c = std::make_unique<PgConn>(url);
    c->exec_script("SET default_transaction_read_only = on");
    return c;
  };
  // REPEATABLE READ: every statement of the read sees one snapshot.
  b.begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  // One writer for the whole database, also with several server processes
  // on it: each write transaction first takes a transaction-scoped advisory
  // lock, so group commits of different processes run one after the other.
  // Everything that relies on the store's single writer (the audit hash
  // chain, read-then-write checks such as per-member limits) then holds
  // across processes too. Every writer takes the same one lock first, so
  // there is no lock-order deadlock; the lock ends with COMMIT or ROLLBACK,
  // and with the session if a process dies. READ COMMITTED: each statement
  // sees everything committed before it, by any process.
  b.begin_write = "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kWriterLock) + ")";
  b.description = redact_url(url);
  return b;
}

std::unique_ptr<Conn> connect_postgres(const std::string& url) {
  return std::make_unique<PgConn>(url);
}

}  // namespace gh::db
