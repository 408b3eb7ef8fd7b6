// PostgreSQL-only behaviour: connections that the server drops (restart,
// failover, pg_terminate_backend) are replaced, never reused, and never
// replaced in the middle of a transaction (which would split it).
#include <gtest/gtest.h>

#include "core/error.h"
#include "db/db.h"
#include "db/scratch.h"
#include "fixture.h"

namespace gh::db {
namespace {

constexpr std::string_view kKillOthers =
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()";

TEST(PostgresStore, ReplacesConnectionsTheServerDropped) {
  ASSERT_TRUE(test_postgres_url()) << kTestPostgresHint;
  ScratchDatabase db(Dialect::postgres);
  auto store = testing::open_migrated(db);
  auto put = [&](const char* key) {
    store->write(
        [&](Tx& tx) { tx.exec("INSERT INTO settings (key, value) VALUES ($1, 'v')", {key}); });
  };
  put("a");
  EXPECT_EQ(
      store->read([](Tx& tx) { return tx.query("SELECT count(*) FROM settings")[0][0].i64(); }), 1);

  // Another client kills every connection of the store.
  auto killer = Store::open({.url = db.url()});
  EXPECT_GE(killer->read([](Tx& tx) { return tx.query(kKillOthers)[0][0].i64(); }), 2);
  killer->close();

  // Dropped while idle, they are replaced before the next transaction
  // begins: callers see nothing.
  put("b");
  EXPECT_EQ(
      store->read([](Tx& tx) { return tx.query("SELECT count(*) FROM settings")[0][0].i64(); }), 2);
  put("c");
  // A single-statement read on a dropped connection is run again too.
  killer = Store::open({.url = db.url()});
  EXPECT_GE(killer->read([](Tx& tx) { return tx.query(kKillOthers)[0][0].i64(); }), 2);
  killer->close();
  EXPECT_EQ(store->read_one("SELECT count(*) FROM settings")->at(0).i64(), 3);
  store->close();
}

// The statement cache holds 2,000 prepared statements per connection and
// starts over when full. Statements left for later are prepared together
// just before their pipeline; starting over between two of them would drop
// the first, and the pipeline would name a statement that no longer exists.
TEST(PostgresStore, LateStatementsSurviveAFullStatementCache) {
  ASSERT_TRUE(test_postgres_url()) << kTestPostgresHint;
  ScratchDatabase db(Dialect::postgres);
  auto store = testing::open_migrated(db);
  // Fill the writer's cache to one short of full. The server lists the
  // session's prepared statements, this count's own included.
  store->write([](Tx& tx) {
    const int64_t cached = tx.query("SELECT count(*) FROM pg_prepared_statements")[0][0].i64();
    ASSERT_LT(cached, 1999);
    for (int64_t i = cached; i < 1999; ++i) tx.query("SELECT $1::bigint + " + std::to_string(i), {1});
    EXPECT_EQ(tx.query("SELECT count(*) FROM pg_prepared_statements")[0][0].i64(), 1999);
  });
  store->write([](Tx& tx) {
    tx.exec_later("INSERT INTO settings (key, value) VALUES ($1, 'a')", {"late-a"});
    tx.exec_later("INSERT INTO settings (key, value) VALUES ($1, 'b')", {"late-b"});
    EXPECT_EQ(tx.query("SELECT count(*) FROM settings WHERE key LIKE 'late-%'")[0][0].i64(), 2);
  });
  EXPECT_EQ(store->read_one("SELECT count(*) FROM settings WHERE key LIKE 'late-%'")->at(0).i64(), 2);
  store->close();
}

}  // namespace
}  // namespace gh::db
