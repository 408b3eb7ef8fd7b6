// SQLite's process-wide settings (db/sqlite/sqlite.cpp).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "db/db.h"
#include "db/scratch.h"
#include "fixture.h"

namespace gh::db {
namespace {

// SQLite counts every allocation behind one global mutex unless memory
// statistics are off; with readers on every I/O thread and the committer
// allocating at once, that mutex queued them all. With statistics off the
// counter never moves.
TEST(SqliteSettings, AllocationsSkipTheGlobalStatistics) {
  ScratchDatabase db(Dialect::sqlite);
  auto s = testing::open_migrated(db);
  s->write([](Tx& tx) { tx.exec("CREATE TABLE t (v TEXT)"); });
  for (int i = 0; i < 100; ++i)
    s->write([&](Tx& tx) { tx.exec("INSERT INTO t (v) VALUES ($1)", {std::string(500, 'x')}); });
  EXPECT_EQ(s->read([](Tx& tx) { return tx.one("SELECT COUNT(*) FROM t")->at(0).i64(); }), 100);
  sqlite3_int64 used = -1, peak = -1;
  ASSERT_EQ(sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &used, &peak, 0), SQLITE_OK);
  EXPECT_EQ(used, 0);
  EXPECT_EQ(peak, 0);
  s->close();
}

}  // namespace
}  // namespace gh::db
