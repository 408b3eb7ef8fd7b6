// Throwaway databases for tests of any layer.
//
//   gh::db::ScratchDatabase db(gh::db::Dialect::postgres);
//   auto store = gh::db::Store::open({.url = db.url()});
//
// SQLite: a fresh file in a new temporary directory. PostgreSQL: a fresh
// database (CREATE DATABASE over a maintenance connection) on the server
// named by the environment variable GONGHUI_TEST_PG, e.g.
// postgresql://postgres@127.0.0.1:55432/gonghui_test, which
// `scripts/pg.sh start` starts and prints. Both are removed on destruction;
// close every Store on it first.
#pragma once

#include <optional>
#include <string>

#include "db/db.h"

namespace gh::db {

// GONGHUI_TEST_PG, if set and not empty.
std::optional<std::string> test_postgres_url();

// What to tell someone whose PostgreSQL tests cannot run.
inline constexpr const char* kTestPostgresHint =
    "GONGHUI_TEST_PG is not set. Start the test server and export its URL:\n"
    "  export GONGHUI_TEST_PG=$(scripts/pg.sh start)";

class ScratchDatabase {
 public:
  // Throws gh::Error (with kTestPostgresHint) if PostgreSQL is asked for and
  // GONGHUI_TEST_PG is not set or the server does not answer.
  explicit ScratchDatabase(Dialect dialect);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  Dialect dialect() const { return dialect_; }
  // For Store::open.
  const std::string& url() const { return url_; }
  // The SQLite file (empty for PostgreSQL).
  const std::string& path() const { return path_; }

 private:
  Dialect dialect_;
  std::string url_;
  std::string path_;
  std::string dir_;         // SQLite: the temporary directory
  std::string server_url_;  // PostgreSQL: the maintenance URL
  std::string name_;        // PostgreSQL: the database name
};

// The same URL naming another database on the same server.
std::string with_database(std::string_view postgres_url, std::string_view database);

}  // namespace gh::db
