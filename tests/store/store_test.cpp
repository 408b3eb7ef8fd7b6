// The store contract, run against SQLite and PostgreSQL alike.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/embedded.h"
#include "fixture.h"

namespace gh::db::testing {
namespace {

using namespace std::chrono_literals;

// The gh::Error that f throws (a failure if it throws none).
template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a gh::Error";
  return Error::internal("none thrown");
}

int64_t count(Store& s, std::string_view sql, std::initializer_list<Value> params = {}) {
  std::vector<Value> p(params);
  return s.read([&](Tx& tx) { return tx.query(sql, std::span<const Value>(p))[0][0].i64(); });
}

int migration_files(Dialect d) {
  std::string_view prefix =
      d == Dialect::sqlite ? "src/db/migrations/sqlite/" : "src/db/migrations/postgres/";
  int n = 0;
  for (const auto& f : embedded::files())
    if (f.path.starts_with(prefix) && f.path.ends_with(".sql")) ++n;
  return n;
}

constexpr std::string_view kPutSetting = "INSERT INTO settings (key, value) VALUES ($1, $2)";

// A slow write holding the committer, so that the writes a test queues
// meanwhile are sure to be folded into one batch behind it. Returns once it
// runs; join the thread when done.
std::thread hold_committer(Store& s, std::chrono::milliseconds pause, std::function<void(Tx&)> then) {
  std::atomic<bool> started{false};
  std::thread slow([&s, &started, pause, then = std::move(then)] {
    s.write([&](Tx& tx) {
      started = true;
      std::this_thread::sleep_for(pause);
      then(tx);
    });
  });
  while (!started) std::this_thread::yield();
  return slow;
}

TEST_P(StoreTest, MigrateAppliesEveryFileAndIsIdempotent) {
  int files = migration_files(GetParam());
  ASSERT_GT(files, 0);
  EXPECT_GE(version_, files);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM schema_migrations"), files);
  EXPECT_EQ(store().migrate(), version_);
  EXPECT_EQ(store().migrate(), version_);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM schema_migrations"), files);
  // The foundation tables are there.
  EXPECT_EQ(count(store(), "SELECT count(*) FROM members"), 0);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM audit_log"), 0);
}

TEST_P(StoreTest, ConcurrentMigrationsOfOneDatabaseAgree) {
  ScratchDatabase fresh(GetParam());
  StoreOptions o;
  o.url = fresh.url();
  auto a = Store::open(o);
  auto b = Store::open(o);
  int va = -1, vb = -1;
  std::thread ta([&] { va = a->migrate(); });
  std::thread tb([&] { vb = b->migrate(); });
  ta.join();
  tb.join();
  EXPECT_EQ(va, version_);
  EXPECT_EQ(vb, version_);
  EXPECT_EQ(count(*a, "SELECT count(*) FROM schema_migrations"), migration_files(GetParam()));
  a->close();
  b->close();
}

TEST_P(StoreTest, ParametersOfEachTypeRoundTrip) {
  constexpr int64_t kBig = 9007199254740993;  // not representable as a double
  auto r = store().read([](Tx& tx) {
    return tx.query("SELECT $1 AS i, $2 AS d, $3 AS t, $4 AS n, $5 AS b, $6 AS mx, $7 AS mn",
                    {kBig, 2.5, "工会 'quoted' \"x\" $1", nullptr, true,
                     std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()});
  });
  ASSERT_EQ(r.size(), 1u);
  const Row& row = r[0];
  EXPECT_TRUE(row[0].is_int());
  EXPECT_EQ(row[0].i64(), kBig);
  EXPECT_TRUE(row[1].is_double());
  EXPECT_EQ(row[1].f64(), 2.5);
  EXPECT_TRUE(row[2].is_text());
  EXPECT_EQ(row[2].str(), "工会 'quoted' \"x\" $1");
  EXPECT_TRUE(row[3].is_null());
  EXPECT_FALSE(row[3].opt_str());
  EXPECT_EQ(row[4].i64(), 1);
  EXPECT_EQ(row[5].i64(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(row[6].i64(), std::numeric_limits<int64_t>::min());
}

TEST_P(StoreTest, PlaceholdersAreNumberedNotPositional) {
  auto r = store().read([](Tx& tx) {
    // Out of order, repeated, two digits, and '$1' inside a literal and a
    // comment stays text.
    return tx.query(
        "SELECT $2 AS a, $1 AS b, $2 AS c, $10 AS d, '$1' AS lit, $3, $4, $5, $6, $7, $8,"
        " $9 /* $3 */ -- $4\n",
        {"one", "two", "3", "4", "5", "6", "7", "8", "9", "ten"});
  });
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0][0].str(), "two");
  EXPECT_EQ(r[0][1].str(), "one");
  EXPECT_EQ(r[0][2].str(), "two");
  EXPECT_EQ(r[0][3].str(), "ten");
  EXPECT_EQ(r[0][4].str(), "$1");
}

TEST_P(StoreTest, ColumnsComeBackTyped) {
  int64_t id = store().write([](Tx& tx) { return add_org(tx, "/1/"); });
  store().write([](Tx& tx) { add_org(tx, "/2/"); });
  auto r = store().read([&](Tx& tx) {
    return tx.one("SELECT id, name, parent_id, depth FROM orgs WHERE id = $1", {id});
  });
  ASSERT_TRUE(r);
  EXPECT_TRUE((*r)[0].is_int());
  EXPECT_EQ((*r)[0].i64(), id);
  EXPECT_EQ((*r)[1].str(), "全国总工会");
  EXPECT_TRUE((*r)[2].is_null());
  EXPECT_FALSE((*r)[2].opt_i64());
  EXPECT_TRUE((*r)[3].is_int());
  // Aggregates of integers are integers on both backends (PostgreSQL's
  // sum(bigint) is numeric).
  auto agg = store().read(
      [](Tx& tx) { return tx.query("SELECT count(*), sum(depth), sum(id) FROM orgs"); });
  EXPECT_TRUE(agg[0][0].is_int());
  EXPECT_EQ(agg[0][0].i64(), 2);
  EXPECT_TRUE(agg[0][1].is_int());
  EXPECT_EQ(agg[0][1].i64(), 0);
  EXPECT_TRUE(agg[0][2].is_int());
  EXPECT_EQ(store().read([](Tx& tx) { return tx.query("SELECT 1.5")[0][0].f64(); }), 1.5);
  EXPECT_TRUE(store().read([](Tx& tx) { return tx.one("SELECT id FROM orgs WHERE id = -1"); }) ==
              std::nullopt);
}

TEST_P(StoreTest, AffectedCountsChangedRowsOnly) {
  store().write([](Tx& tx) {
    EXPECT_EQ(tx.exec(kPutSetting, {"a", "1"}), 1);
    EXPECT_EQ(tx.exec(kPutSetting, {"b", "1"}), 1);
    EXPECT_EQ(tx.exec("UPDATE settings SET value = '2'"), 2);
    EXPECT_EQ(tx.exec("UPDATE settings SET value = '3' WHERE key = 'none'"), 0);
    EXPECT_EQ(tx.exec("SELECT key FROM settings"), 0);
    auto r = tx.query("INSERT INTO settings (key, value) VALUES ('c', '1') RETURNING key");
    EXPECT_EQ(r.affected, 1);
    EXPECT_EQ(r[0][0].str(), "c");
    EXPECT_EQ(tx.exec("DELETE FROM settings WHERE key IN ('a', 'c')"), 2);
  });
}

TEST_P(StoreTest, UniqueViolationIsConflict) {
  store().write([](Tx& tx) {
    tx.exec(kPutSetting, {"k", "1"});
    add_org(tx, "/1/");
  });
  // Primary key.
  Error pk = error_of([&] { store().write([](Tx& tx) { tx.exec(kPutSetting, {"k", "2"}); }); });
  EXPECT_EQ(pk.kind(), ErrorKind::conflict);
  EXPECT_EQ(pk.code(), "db.unique");
  // UNIQUE column; the detail names no SQL.
  Error uq = error_of([&] { store().write([](Tx& tx) { add_org(tx, "/1/"); }); });
  EXPECT_EQ(uq.kind(), ErrorKind::conflict);
  EXPECT_EQ(uq.code(), "db.unique");
  EXPECT_EQ(uq.detail().find("orgs"), std::string::npos);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM orgs"), 1);
  EXPECT_EQ(store().read([](Tx& tx) {
    return tx.one("SELECT value FROM settings WHERE key = 'k'")->at(0).str();
  }),
            "1");
}

TEST_P(StoreTest, CheckViolationIsUnprocessable) {
  Error e = error_of([&] {
    store().write([](Tx& tx) {
      tx.exec(
          "INSERT INTO orgs (name, level, region_code, path, depth, created_at, updated_at)"
          " VALUES ('x', 'galactic', '100000', '/9/', 0, 0, 0)");
    });
  });
  EXPECT_EQ(e.kind(), ErrorKind::unprocessable);
  EXPECT_EQ(e.code(), "db.check");
  EXPECT_EQ(count(store(), "SELECT count(*) FROM orgs"), 0);
}

TEST_P(StoreTest, ForeignKeysAreEnforced) {
  Error e =
      error_of([&] { store().write([](Tx& tx) { add_unit(tx, 424242, "91110000600037341L"); }); });
  EXPECT_EQ(e.kind(), ErrorKind::internal);
  EXPECT_EQ(e.code(), "db.foreign_key");
}

TEST_P(StoreTest, ExceptionRollsBackTheWholeWrite) {
  EXPECT_THROW(store().write([](Tx& tx) {
    tx.exec(kPutSetting, {"a", "1"});
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings"), 0);

  store().write([](Tx& tx) { tx.exec(kPutSetting, {"dup", "1"}); });
  Error e = error_of([&] {
    store().write([](Tx& tx) {
      tx.exec(kPutSetting, {"b", "1"});
      tx.exec(kPutSetting, {"dup", "2"});
    });
  });
  EXPECT_EQ(e.code(), "db.unique");
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key = 'b'"), 0);
}

TEST_P(StoreTest, NoStatementRunsAfterAFailedOne) {
  // PostgreSQL aborts the transaction after a failed statement; the store
  // makes SQLite refuse too, so swallowing a database error fails the same
  // way on both.
  store().write([](Tx& tx) { tx.exec(kPutSetting, {"dup", "1"}); });
  Error e = error_of([&] {
    store().write([](Tx& tx) {
      try {
        tx.exec(kPutSetting, {"dup", "2"});
      } catch (const Error&) {
      }
      tx.exec(kPutSetting, {"after", "1"});
    });
  });
  EXPECT_EQ(e.code(), "db.aborted");
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key = 'after'"), 0);

  // Swallowing the error and returning normally does not commit either
  // (PostgreSQL would quietly turn the COMMIT into a ROLLBACK).
  Error swallowed = error_of([&] {
    store().write([](Tx& tx) {
      tx.exec(kPutSetting, {"before", "1"});
      try {
        tx.exec(kPutSetting, {"dup", "2"});
      } catch (const Error&) {
      }
    });
  });
  EXPECT_EQ(swallowed.code(), "db.aborted");
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key = 'before'"), 0);
}

TEST_P(StoreTest, WriteReturnsTheFunctionsResult) {
  auto [a, b] = store().write([](Tx& tx) {
    tx.exec(kPutSetting, {"x", "1"});
    return std::pair{std::string("done"), 7};
  });
  EXPECT_EQ(a, "done");
  EXPECT_EQ(b, 7);
}

TEST_P(StoreTest, ConcurrentWritesAreGroupCommittedAndFailAlone) {
  constexpr int kThreads = 12;
  constexpr int kPerThread = 25;
  store().write([](Tx& tx) { tx.exec(kPutSetting, {"dup", "x"}); });

  std::mutex mu;
  std::set<std::string> committed;  // keys whose write() returned normally
  std::atomic<int> callbacks{0};

  // A slow write holds the leadership while the others queue up behind it,
  // so the next leader is sure to find a batch.
  std::thread slow = hold_committer(store(), 200ms, [](Tx& tx) { tx.exec(kPutSetting, {"slow", "1"}); });

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = "k" + std::to_string(t) + "-" + std::to_string(i);
        // 0: the function throws; 1: a unique violation; 2: a unique violation
        // swallowed by the function; else fine.
        int mode = (t + i) % 5;
        std::atomic<bool> ran{false};
        try {
          store().write([&](Tx& tx) {
            tx.exec(kPutSetting, {key, "v"});
            tx.on_commit([&] {
              ran = true;
              ++callbacks;
            });
            if (mode == 0) throw std::runtime_error("refused");
            if (mode == 1) tx.exec(kPutSetting, {"dup", "y"});
            if (mode == 2) {
              try {
                tx.exec(kPutSetting, {"dup", "y"});
              } catch (const Error&) {
              }
            }
          });
          EXPECT_GE(mode, 3) << key;
          EXPECT_TRUE(ran) << "on_commit must run before write() returns";
          std::lock_guard lk(mu);
          committed.insert(key);
        } catch (const Error& e) {
          EXPECT_TRUE(mode == 1 || mode == 2) << key << ": " << e.what();
          EXPECT_EQ(e.code(), mode == 1 ? "db.unique" : "db.aborted");
          EXPECT_FALSE(ran);
        } catch (const std::runtime_error& e) {
          EXPECT_EQ(mode, 0) << key << ": " << e.what();
          EXPECT_FALSE(ran);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  slow.join();

  std::set<std::string> stored;
  store().read([&](Tx& tx) {
    for (const auto& row : tx.query("SELECT key FROM settings WHERE key LIKE 'k%'"))
      stored.insert(row[0].str());
  });
  EXPECT_EQ(stored, committed);
  EXPECT_EQ(static_cast<int>(committed.size()), kThreads * kPerThread * 2 / 5);
  EXPECT_EQ(callbacks.load(), static_cast<int>(committed.size()));
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE value = 'y'"), 0);

  StoreStats s = store().stats();
  EXPECT_LT(s.commits, s.writes) << "writes were not folded into fewer commits";
  uint64_t batched = 0;
  for (size_t b = 1; b < s.batch_buckets.size(); ++b) batched += s.batch_buckets[b];
  EXPECT_GT(batched, 0u) << "no commit held more than one write";
  uint64_t by_latency = 0, by_size = 0;
  for (auto n : s.commit_buckets) by_latency += n;
  for (auto n : s.batch_buckets) by_size += n;
  EXPECT_EQ(by_latency, s.commits);
  EXPECT_EQ(by_size, s.commits);
  EXPECT_GT(s.commit_us_total, 0u);
}

// write_async: queued like write(), completed on the committer thread after
// the commit (or the rollback of its own changes), folded into the same
// batches as everything else, and never blocking its caller.
TEST_P(StoreTest, AsyncWritesCompleteAfterTheirCommitAndFailAlone) {
  constexpr int kWrites = 300;
  std::mutex mu;
  std::condition_variable cv;
  int completed = 0;
  std::set<std::string> ok, failed;
  std::atomic<int> committed_callbacks{0};
  std::atomic<bool> visible_at_completion{true};

  // A slow write holds the committer while the async writes pile up.
  std::thread slow = hold_committer(store(), 150ms, [](Tx& tx) { tx.exec(kPutSetting, {"dup", "x"}); });

  const auto caller = std::this_thread::get_id();
  for (int i = 0; i < kWrites; ++i) {
    std::string key = "a" + std::to_string(i);
    const bool bad = i % 7 == 3;  // a unique violation: only this write fails
    store().write_async(
        [key, bad, &committed_callbacks](Tx& tx) {
          tx.exec(kPutSetting, {key, "v"});
          if (bad) tx.exec(kPutSetting, {"dup", "y"});
          tx.on_commit([&committed_callbacks] { ++committed_callbacks; });
        },
        [&, key, caller](std::exception_ptr e) {
          if (std::this_thread::get_id() == caller) visible_at_completion = false;
          // Completions may not wait for another write; queuing one is fine.
          EXPECT_THROW(store().write([](Tx&) {}), Error);
          if (!e) {
            // Committed: a fresh snapshot sees it already.
            bool seen = store().read([&](Tx& tx) {
              return tx.one("SELECT 1 FROM settings WHERE key = $1", {key}).has_value();
            });
            if (!seen) visible_at_completion = false;
          }
          std::lock_guard lk(mu);
          (e ? failed : ok).insert(key);
          ++completed;
          cv.notify_one();
        });
  }
  // write_async returned at once, while the slow write still held the
  // committer: nothing has completed yet.
  {
    std::lock_guard lk(mu);
    EXPECT_EQ(completed, 0);
  }
  slow.join();
  {
    std::unique_lock lk(mu);
    ASSERT_TRUE(cv.wait_for(lk, 30s, [&] { return completed == kWrites; }));
  }
  EXPECT_TRUE(visible_at_completion) << "completion before commit or on the caller's thread";
  int expected_bad = 0;
  for (int i = 0; i < kWrites; ++i) expected_bad += i % 7 == 3;
  EXPECT_EQ(static_cast<int>(failed.size()), expected_bad);
  EXPECT_EQ(static_cast<int>(ok.size()), kWrites - expected_bad);
  EXPECT_EQ(committed_callbacks.load(), kWrites - expected_bad);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key LIKE 'a%'"), kWrites - expected_bad);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE value = 'y'"), 0);
  StoreStats s = store().stats();
  EXPECT_LT(s.commits, s.writes / 10) << "async writes were not folded into batches";
}

// Tx::exec_later: on PostgreSQL the statement waits and goes out with the
// next one or with the savepoint's release; on SQLite it runs at once.
// Either way it commits with its write, and its failure fails that write
// alone, wherever in a batch the write stands (the last one included).
TEST_P(StoreTest, StatementsLeftForLaterCommitWithTheirWriteAndFailAlone) {
  store().write([](Tx& tx) { tx.exec(kPutSetting, {"dup", "x"}); });
  // 197: the last write of the batch (196) is one whose late statement fails.
  constexpr int kWrites = 197;
  std::mutex mu;
  std::condition_variable cv;
  int completed = 0;
  std::map<std::string, std::string> outcome;  // key → "" or the error code

  std::thread slow = hold_committer(store(), 150ms, [](Tx& tx) { tx.exec_later(kPutSetting, {"slow", "1"}); });

  // 0: a later insert; 1: a plain insert, then a later duplicate; 2: a later
  // duplicate, then a read (which brings the failure out); 3: a later
  // duplicate, then the function throws; 4: two later inserts.
  auto mode_of = [](int i) { return i % 5; };
  for (int i = 0; i < kWrites; ++i) {
    std::string key = "l" + std::to_string(i);
    const int mode = mode_of(i);
    store().write_async(
        [key, mode](Tx& tx) {
          if (mode == 1) tx.exec(kPutSetting, {key, "v"});
          if (mode == 0 || mode == 4) tx.exec_later(kPutSetting, {key, "v"});
          if (mode == 4) tx.exec_later(kPutSetting, {key + "b", "v"});
          if (mode >= 1 && mode <= 3) tx.exec_later(kPutSetting, {"dup", "y"});
          if (mode == 2) tx.one("SELECT count(*) FROM settings");
          if (mode == 3) throw Error::conflict("test.refused", "refused");
        },
        [&, key](std::exception_ptr e) {
          std::string code;
          if (e) {
            try {
              std::rethrow_exception(e);
            } catch (const Error& err) {
              code = err.code();
            }
          }
          std::lock_guard lk(mu);
          outcome[key] = code;
          ++completed;
          cv.notify_one();
        });
  }
  slow.join();
  {
    std::unique_lock lk(mu);
    ASSERT_TRUE(cv.wait_for(lk, 30s, [&] { return completed == kWrites; }));
  }
  for (int i = 0; i < kWrites; ++i) {
    std::string key = "l" + std::to_string(i);
    const int mode = mode_of(i);
    const std::string& got = outcome[key];
    // Mode 3: PostgreSQL never sent the duplicate; SQLite ran it before the throw.
    const bool expected = mode == 0 || mode == 4   ? got.empty()
                          : mode == 1 || mode == 2 ? got == "db.unique"
                                                   : got == "test.refused" || got == "db.unique";
    EXPECT_TRUE(expected) << key << " (mode " << mode << "): '" << got << "'";
  }
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key = 'slow'"), 1);
  int later_ok = 0, twice = 0;
  for (int i = 0; i < kWrites; ++i) {
    later_ok += mode_of(i) == 0 || mode_of(i) == 4;
    twice += mode_of(i) == 4;
  }
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key LIKE 'l%' AND key NOT LIKE '%b'"),
            later_ok);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key LIKE 'l%b'"), twice);
  for (int i = 1; i < kWrites; i += 5)  // mode 1's plain insert went back with its write
    EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key = $1", {"l" + std::to_string(i)}), 0);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE value = 'y'"), 0);
  StoreStats s = store().stats();
  EXPECT_LT(s.commits, s.writes / 10) << "the writes were not folded into batches";

  // A write alone in its commit (no savepoint around it).
  Error alone = error_of([&] {
    store().write([](Tx& tx) {
      tx.exec(kPutSetting, {"alone", "v"});
      tx.exec_later(kPutSetting, {"dup", "y"});
    });
  });
  EXPECT_EQ(alone.code(), "db.unique");
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key = 'alone'"), 0);
  // And the connection is fine afterwards.
  store().write([](Tx& tx) { tx.exec_later(kPutSetting, {"after", "v"}); });
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key = 'after'"), 1);
}

TEST_P(StoreTest, CloseCompletesQueuedAsyncWritesThenRefusesNewOnes) {
  std::atomic<int> done{0};
  for (int i = 0; i < 50; ++i)
    store().write_async([i](Tx& tx) { tx.exec(kPutSetting, {"c" + std::to_string(i), "v"}); },
                        [&](std::exception_ptr e) {
                          EXPECT_FALSE(e);
                          ++done;
                        });
  store().close();
  EXPECT_EQ(done.load(), 50);
  Error e = error_of([&] { store().write_async([](Tx&) {}, [](std::exception_ptr) {}); });
  EXPECT_EQ(e.code(), "db.closed");
  store_ = open();
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key LIKE 'c%'"), 50);
}

// Big transactions (more WAL than the SQLite writer gathers before writing)
// and many small ones, read back while writing and after reopening.
TEST_P(StoreTest, BigAndSmallWritesReadBackAndSurviveReopening) {
  const std::string blob(3000, 'x');
  store().write([&](Tx& tx) {
    for (int i = 0; i < 1500; ++i) tx.exec(kPutSetting, {"big" + std::to_string(i), blob + std::to_string(i)});
  });
  std::atomic<bool> stop{false};
  std::atomic<int> bad_reads{0};
  std::thread reader([&] {
    while (!stop) {
      auto n = count(store(), "SELECT count(*) FROM settings WHERE key LIKE 'big%' AND length(value) > 3000");
      if (n != 1500) ++bad_reads;
    }
  });
  for (int i = 0; i < 300; ++i)
    store().write([&](Tx& tx) { tx.exec(kPutSetting, {"small" + std::to_string(i), std::to_string(i)}); });
  stop = true;
  reader.join();
  EXPECT_EQ(bad_reads.load(), 0);
  store().close();
  store_ = open();
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key LIKE 'big%'"), 1500);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key LIKE 'small%'"), 300);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE value = $1", {blob + "1499"}), 1);
}

TEST_P(StoreTest, OnCommitRunsOnlyForCommittedWrites) {
  int runs = 0;
  store().write([&](Tx& tx) {
    tx.exec(kPutSetting, {"a", "1"});
    tx.on_commit([&] { ++runs; });
    tx.on_commit([&] { ++runs; });
  });
  EXPECT_EQ(runs, 2);
  EXPECT_THROW(store().write([&](Tx& tx) {
    tx.on_commit([&] { ++runs; });
    tx.exec(kPutSetting, {"a", "2"});  // duplicate
  }),
               Error);
  EXPECT_EQ(runs, 2);
  // A throwing callback does not undo or fail the committed write.
  store().write([&](Tx& tx) {
    tx.exec(kPutSetting, {"b", "1"});
    tx.on_commit([] { throw std::runtime_error("cache update failed"); });
  });
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings WHERE key = 'b'"), 1);
}

TEST_P(StoreTest, NestedWriteIsRefusedNotDeadlocked) {
  Error e = error_of([&] {
    store().write([&](Tx& tx) {
      tx.exec(kPutSetting, {"outer", "1"});
      store().write([](Tx& inner) { inner.exec(kPutSetting, {"inner", "1"}); });
    });
  });
  EXPECT_EQ(e.code(), "db.nested_write");
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings"), 0);
}

TEST_P(StoreTest, ReadsSeeOneSnapshot) {
  store().write([](Tx& tx) { tx.exec(kPutSetting, {"a", "1"}); });
  store().read([&](Tx& tx) {
    auto before = tx.query("SELECT count(*) FROM settings")[0][0].i64();
    EXPECT_EQ(before, 1);
    // Committed by another connection while this read is open.
    store().write([](Tx& w) { w.exec(kPutSetting, {"b", "1"}); });
    EXPECT_EQ(tx.query("SELECT count(*) FROM settings")[0][0].i64(), before);
    EXPECT_TRUE(tx.one("SELECT 1 FROM settings WHERE key = 'b'") == std::nullopt);
  });
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings"), 2);
}

TEST_P(StoreTest, ReadsCannotWrite) {
  Error e = error_of([&] { store().read([](Tx& tx) { tx.exec(kPutSetting, {"a", "1"}); }); });
  EXPECT_EQ(e.kind(), ErrorKind::internal);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings"), 0);
}

TEST_P(StoreTest, ReadOneSeesTheLatestCommitAndCannotWrite) {
  EXPECT_EQ(store().read_one("SELECT value FROM settings WHERE key = $1", {"a"}), std::nullopt);
  store().write([](Tx& tx) { tx.exec(kPutSetting, {"a", "1"}); });
  auto row = store().read_one("SELECT key, value FROM settings WHERE key = $1", {"a"});
  ASSERT_TRUE(row);
  EXPECT_EQ((*row)[1].str(), "1");
  // Committed just before: seen, with no transaction left open in between.
  store().write([](Tx& tx) { tx.exec("UPDATE settings SET value = '2' WHERE key = 'a'"); });
  EXPECT_EQ(store().read_one("SELECT value FROM settings WHERE key = 'a'")->at(0).str(), "2");
  // The first of several rows.
  store().write([](Tx& tx) { tx.exec(kPutSetting, {"b", "3"}); });
  EXPECT_EQ(store().read_one("SELECT key FROM settings ORDER BY key DESC")->at(0).str(), "b");

  // Outside BEGIN … READ ONLY a reader still refuses to write.
  Error e = error_of([&] { store().read_one("DELETE FROM settings RETURNING key"); });
  EXPECT_EQ(e.kind(), ErrorKind::internal);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM settings"), 2);
  // And the connection it used is fine for the next read.
  EXPECT_EQ(store().read_one("SELECT count(*) FROM settings")->at(0).i64(), 2);
}

TEST_P(StoreTest, ReaderPoolIsBoundedAndShared) {
  auto small = open(/*max_readers=*/2);
  store().write([](Tx& tx) { tx.exec(kPutSetting, {"a", "1"}); });
  std::atomic<int> in_flight{0}, most{0}, ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        small->read([&](Tx& tx) {
          int now = ++in_flight;
          int seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
          if (tx.one("SELECT value FROM settings WHERE key = 'a'")) ++ok;
          std::this_thread::sleep_for(1ms);
          --in_flight;
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 160);
  EXPECT_LE(most.load(), 2);
  small->close();
}

TEST_P(StoreTest, CloseRefusesNewWork) {
  store().write([](Tx& tx) { tx.exec(kPutSetting, {"a", "1"}); });
  store().close();
  EXPECT_EQ(error_of([&] { store().write([](Tx&) {}); }).kind(), ErrorKind::unavailable);
  EXPECT_EQ(error_of([&] { store().read([](Tx&) {}); }).kind(), ErrorKind::unavailable);
  store().close();  // twice is fine
  // Nothing was lost.
  auto again = open();
  EXPECT_EQ(count(*again, "SELECT count(*) FROM settings"), 1);
  again->close();
}

TEST_P(StoreTest, AuditLogIsAppendOnly) {
  constexpr std::string_view kAppend =
      "INSERT INTO audit_log (at, actor_kind, actor_id, action, result, prev_hash, hash)"
      " VALUES ($1, 'staff', 1, 'login', 'ok', '', 'h1') RETURNING id";
  int64_t id = store().write([&](Tx& tx) { return tx.one(kAppend, {now_ms()})->at(0).i64(); });
  EXPECT_THROW(store().write([&](Tx& tx) {
    tx.exec("UPDATE audit_log SET result = 'denied' WHERE id = $1", {id});
  }),
               Error);
  EXPECT_THROW(store().write([&](Tx& tx) { tx.exec("DELETE FROM audit_log WHERE id = $1", {id}); }),
               Error);
  EXPECT_THROW(store().write([&](Tx& tx) { tx.exec("DELETE FROM audit_log"); }), Error);
  auto row = store().read(
      [&](Tx& tx) { return tx.one("SELECT result FROM audit_log WHERE id = $1", {id}); });
  ASSERT_TRUE(row);
  EXPECT_EQ((*row)[0].str(), "ok");
}

TEST_P(StoreTest, OneActiveMemberPerCitizen) {
  auto [org, unit] = store().write([](Tx& tx) {
    int64_t o = add_org(tx, "/1/");
    return std::pair{o, add_unit(tx, o, "91110000600037341L")};
  });
  int64_t first =
      store().write([&](Tx& tx) { return add_member(tx, org, unit, "bidx-1", "active"); });
  Error e = error_of(
      [&] { store().write([&](Tx& tx) { add_member(tx, org, unit, "bidx-1", "active"); }); });
  EXPECT_EQ(e.kind(), ErrorKind::conflict);
  EXPECT_EQ(e.code(), "db.unique");
  // Ended memberships of the same person may pile up.
  store().write([&](Tx& tx) {
    add_member(tx, org, unit, "bidx-1", "ended");
    add_member(tx, org, unit, "bidx-1", "ended");
    add_member(tx, org, unit, "bidx-2", "active");
  });
  // Once the first leaves, the person may join again.
  store().write([&](Tx& tx) {
    EXPECT_EQ(tx.exec("UPDATE members SET status = 'transferred' WHERE id = $1", {first}), 1);
    add_member(tx, org, unit, "bidx-1", "active");
  });
  EXPECT_EQ(count(store(), "SELECT count(*) FROM members WHERE citizen_bidx = $1", {"bidx-1"}), 4);
  EXPECT_EQ(
      count(store(), "SELECT count(*) FROM members WHERE citizen_bidx = $1 AND status = 'active'",
            {"bidx-1"}),
      1);
}

TEST_P(StoreTest, ShortBlindIndexMigrationConvertsLegacyRows) {
  // Rows written before migration 002 carry the full 64-hex HMAC; the
  // migration keeps its first 32 characters, in members and in member
  // account names, and leaves staff accounts alone.
  std::string_view prefix =
      GetParam() == Dialect::sqlite ? "src/db/migrations/sqlite/" : "src/db/migrations/postgres/";
  std::string_view script;
  for (const auto& f : embedded::files())
    if (f.path.starts_with(prefix) && f.path.find("002_short_blind_indexes") != std::string_view::npos)
      script = f.content;
  ASSERT_FALSE(script.empty());
  const std::string citizen(64, 'a'), phone = std::string(32, 'b') + std::string(32, 'c');
  auto member = store().write([&](Tx& tx) {
    int64_t o = add_org(tx, "/1/");
    int64_t m = add_member(tx, o, add_unit(tx, o, "91110000600037341L"), citizen, "active");
    tx.exec("UPDATE members SET phone_bidx = $1 WHERE id = $2", {phone, m});
    tx.exec("INSERT INTO accounts (kind, username, password_hash, member_id, created_at, updated_at)"
            " VALUES ('member', $1, 'h', $2, 0, 0)", {"m:" + phone, m});
    tx.exec("INSERT INTO accounts (kind, username, password_hash, created_at, updated_at)"
            " VALUES ('staff', $1, 'h', 0, 0)", {"m:" + phone.substr(1)});
    return m;
  });
  // The data statements of the migration, one by one (the index swap is
  // covered by migrate() itself).
  store().write([&](Tx& tx) {
    size_t at = 0;
    while (at < script.size()) {
      size_t end = script.find(";\n", at);
      if (end == std::string_view::npos) end = script.size();
      std::string stmt;
      for (size_t line = at; line < end;) {
        size_t nl = script.find('\n', line);
        if (nl == std::string_view::npos || nl > end) nl = end;
        auto text = script.substr(line, nl - line);
        if (!text.starts_with("--")) stmt.append(text).push_back(' ');
        line = nl + 1;
      }
      at = end + 2;
      if (stmt.starts_with("UPDATE")) tx.exec(stmt);
    }
  });
  auto row = store().read([&](Tx& tx) {
    return *tx.one("SELECT citizen_bidx, phone_bidx FROM members WHERE id = $1", {member});
  });
  EXPECT_EQ(row[0].str(), citizen.substr(0, 32));
  EXPECT_EQ(row[1].str(), phone.substr(0, 32));
  EXPECT_EQ(count(store(), "SELECT count(*) FROM accounts WHERE username = $1", {"m:" + phone.substr(0, 32)}), 1);
  EXPECT_EQ(count(store(), "SELECT count(*) FROM accounts WHERE username = $1", {"m:" + phone.substr(1)}), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Dialect::sqlite, Dialect::postgres),
                         backend_name);

}  // namespace
}  // namespace gh::db::testing
