// What a backend gives the generic store (store.cpp): a way to open
// connections and the statements that start its transactions. Internal to
// db/; nothing above it includes this.
#pragma once

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "db/db.h"

namespace gh::db {

// A connection as the store sees it.
class Connection : public Conn {
 public:
  // True once the connection has lost its server (PostgreSQL). The store
  // then drops it and opens a new one before the next transaction; it never
  // reconnects in the middle of one, which would silently split it.
  virtual bool broken() const { return false; }
  // Whether statements from exec_later are waiting to be sent.
  virtual bool has_later() const { return false; }
  // Sends the statements waiting from exec_later and then, if they all
  // succeeded, `script` (may be empty), in one round trip where the backend
  // can. Returns the first waiting statement's failure (the script then has
  // not run; the transaction stands where that statement failed); throws if
  // the script itself fails.
  virtual std::exception_ptr settle(std::string_view script) {
    if (!script.empty()) exec_script(script);
    return nullptr;
  }
};

// Calls fn with each statement of a short control script such as
// "RELEASE w; SAVEPOINT w": split at ';', leading blanks dropped. Only for
// scripts without quotes or comments.
template <class F>
void for_each_control_statement(std::string_view script, F&& fn) {
  while (!script.empty()) {
    size_t end = script.find(';');
    std::string_view one = script.substr(0, end);
    script = end == std::string_view::npos ? std::string_view() : script.substr(end + 1);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    if (!one.empty()) fn(one);
  }
}

struct Backend {
  Dialect dialect = Dialect::sqlite;
  std::function<std::unique_ptr<Connection>()> open_writer;
  std::function<std::unique_ptr<Connection>()> open_reader;
  std::string begin_read;   // a read-only snapshot
  std::string begin_write;  // takes the write lock up front where that matters
  std::string description;  // for logs: a path or a URL without password
};

Backend sqlite_backend(const std::string& path);
Backend postgres_backend(const std::string& url);

// The store over any backend: reader pool + group-committing writer.
std::unique_ptr<Store> make_store(Backend backend, const StoreOptions& options);

// Maps a database failure to the one error type. `detail_for_log` holds the
// engine's own message; it goes to the log, never to the client.
Error db_error(ErrorKind kind, std::string code, std::string_view sql,
               std::string_view detail_for_log);

}  // namespace gh::db
