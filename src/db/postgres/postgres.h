// PostgreSQL helpers shared inside db/ (scratch databases, logs).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "db/db.h"

namespace gh::db {

// A plain connection outside the store, for maintenance statements that
// cannot run in a transaction (CREATE DATABASE). Throws gh::Error.
std::unique_ptr<Conn> connect_postgres(const std::string& url);

// The URL with any password replaced by ***, for logs.
std::string redact_url(std::string_view url);

}  // namespace gh::db
