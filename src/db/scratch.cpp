#include "db/scratch.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "db/postgres/postgres.h"

namespace gh::db {

std::optional<std::string> test_postgres_url() {
  const char* v = std::getenv("GONGHUI_TEST_PG");
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

std::string with_database(std::string_view url, std::string_view database) {
  // scheme://[userinfo@]host[:port][/dbname][?params]
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t query = url.find('?', start);
  size_t slash = url.find('/', start);
  if (slash == std::string_view::npos || (query != std::string_view::npos && slash > query))
    slash = query == std::string_view::npos ? url.size() : query;
  std::string out(url.substr(0, slash));
  out += '/';
  out += database;
  if (query != std::string_view::npos) out += url.substr(query);
  return out;
}

ScratchDatabase::ScratchDatabase(Dialect dialect) : dialect_(dialect) {
  static std::atomic<int> counter{0};
  int n = ++counter;
  if (dialect == Dialect::sqlite) {
    auto base = std::filesystem::temp_directory_path() / "gonghui-test-XXXXXX";
    std::string tmpl = base.string();
    if (!mkdtemp(tmpl.data())) throw Error::internal("cannot create a temporary directory");
    dir_ = tmpl;
    path_ = dir_ + "/test.db";
    url_ = "sqlite:" + path_;
    return;
  }
  auto server = test_postgres_url();
  if (!server) throw Error(ErrorKind::unavailable, "db.test_pg", kTestPostgresHint);
  server_url_ = *server;
  name_ = "gh_scratch_" + std::to_string(getpid()) + "_" + std::to_string(now_ms() % 100000000) +
          "_" + std::to_string(n);
  try {
    // CREATE DATABASE cannot run in a transaction: a plain connection.
    connect_postgres(server_url_)->exec_script("CREATE DATABASE " + name_);
  } catch (const Error& e) {
    throw Error(ErrorKind::unavailable, "db.test_pg",
                std::string("cannot create a test database on ") + redact_url(server_url_) +
                    " (is the server running? `scripts/pg.sh start`): " + e.what());
  }
  url_ = with_database(server_url_, name_);
}

ScratchDatabase::~ScratchDatabase() {
  if (dialect_ == Dialect::sqlite) {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
    return;
  }
  try {
    connect_postgres(server_url_)
        ->exec_script("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception& e) {
    spdlog::warn("cannot drop test database {}: {}", name_, e.what());
  }
}

}  // namespace gh::db
