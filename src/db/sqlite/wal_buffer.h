// The SQLite VFS the writer connection opens its file with: the default
// VFS, with WAL writes gathered until the commit's sync (wal_buffer.cpp).
#pragma once

namespace gh::db {

// Registers the VFS on first use and returns its name for sqlite3_open_v2.
const char* wal_buffer_vfs();

}  // namespace gh::db
