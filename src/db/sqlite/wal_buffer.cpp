// The writer's SQLite VFS: the default one, except that a WAL file gathers
// the frames SQLite writes one by one (two write() calls per page: the
// frame header, then the page) and hands them to the kernel in one pwrite
// when SQLite syncs the commit, reads, sizes or truncates the file, or the
// gathered run stops being contiguous. On this VM a system call costs
// ~10 µs, and a group commit of 30 claims writes ~35 frames: 70 calls
// become two.
//
// Durability does not change: nothing written is durable before xSync, and
// xSync writes everything first. Visibility does not either, as long as
// the writer runs with synchronous = FULL (it always does, sqlite.cpp):
// SQLite then syncs a commit's frames before it publishes them in the
// wal-index, so a reader (another connection, its own file handle) never
// looks for a frame still held here. Only the writer connection uses this
// VFS; readers and everything else use the default.
#include "db/sqlite/wal_buffer.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace gh::db {
namespace {

constexpr size_t kBufferBytes = 1 << 20;  // flushed when full

sqlite3_vfs* g_base = nullptr;  // the default VFS we wrap

struct BufferedFile {
  sqlite3_file base;     // pMethods = kMethods
  sqlite3_file* real;    // the default VFS's file, right after this struct
  unsigned char* data;   // kBufferBytes, or null when nothing is gathered
  size_t len;            // bytes gathered
  sqlite3_int64 offset;  // file offset of data[0]
};

BufferedFile* self(sqlite3_file* f) { return reinterpret_cast<BufferedFile*>(f); }

// The default VFS writes at most 128 KiB - 1 per call (os_unix.c masks the
// length with 0x1ffff), so the run goes down in pieces below that.
constexpr size_t kWritePiece = 120 * 1024;

int flush(BufferedFile* f) {
  size_t done = 0;
  int rc = SQLITE_OK;
  while (done < f->len && rc == SQLITE_OK) {
    const size_t n = std::min(kWritePiece, f->len - done);
    rc = f->real->pMethods->xWrite(f->real, f->data + done, static_cast<int>(n),
                                   f->offset + static_cast<sqlite3_int64>(done));
    done += n;
  }
  f->len = 0;
  return rc;
}

int x_close(sqlite3_file* file) {
  BufferedFile* f = self(file);
  int rc = flush(f);
  int rc2 = f->real->pMethods->xClose(f->real);
  std::free(f->data);
  f->data = nullptr;
  return rc != SQLITE_OK ? rc : rc2;
}

int x_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  BufferedFile* f = self(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int x_write(sqlite3_file* file, const void* in, int amount, sqlite3_int64 offset) {
  BufferedFile* f = self(file);
  const auto n = static_cast<size_t>(amount);
  const bool follows = f->len > 0 && offset == f->offset + static_cast<sqlite3_int64>(f->len);
  if (!follows || f->len + n > kBufferBytes)
    if (int rc = flush(f); rc != SQLITE_OK) return rc;
  if (n > kBufferBytes) return f->real->pMethods->xWrite(f->real, in, amount, offset);
  if (f->data == nullptr) {
    f->data = static_cast<unsigned char*>(std::malloc(kBufferBytes));
    if (f->data == nullptr) return f->real->pMethods->xWrite(f->real, in, amount, offset);
  }
  if (f->len == 0) f->offset = offset;
  std::memcpy(f->data + f->len, in, n);
  f->len += n;
  return SQLITE_OK;
}

int x_truncate(sqlite3_file* file, sqlite3_int64 size) {
  BufferedFile* f = self(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xTruncate(f->real, size);
}

int x_sync(sqlite3_file* file, int flags) {
  BufferedFile* f = self(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xSync(f->real, flags);
}

int x_file_size(sqlite3_file* file, sqlite3_int64* size) {
  BufferedFile* f = self(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileSize(f->real, size);
}

// The rest passes straight through (a WAL file has no locks or shared memory
// of its own, but SQLite may still ask).
int x_lock(sqlite3_file* f, int level) { return self(f)->real->pMethods->xLock(self(f)->real, level); }
int x_unlock(sqlite3_file* f, int level) { return self(f)->real->pMethods->xUnlock(self(f)->real, level); }
int x_check_reserved(sqlite3_file* f, int* out) {
  return self(f)->real->pMethods->xCheckReservedLock(self(f)->real, out);
}
int x_file_control(sqlite3_file* file, int op, void* arg) {
  BufferedFile* f = self(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFileControl(f->real, op, arg);
}
int x_sector_size(sqlite3_file* f) { return self(f)->real->pMethods->xSectorSize(self(f)->real); }
int x_device_characteristics(sqlite3_file* f) {
  return self(f)->real->pMethods->xDeviceCharacteristics(self(f)->real);
}
int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return self(f)->real->pMethods->xShmMap(self(f)->real, page, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return self(f)->real->pMethods->xShmLock(self(f)->real, offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { self(f)->real->pMethods->xShmBarrier(self(f)->real); }
int x_shm_unmap(sqlite3_file* f, int del) { return self(f)->real->pMethods->xShmUnmap(self(f)->real, del); }
int x_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  BufferedFile* f = self(file);
  *out = nullptr;
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xFetch(f->real, offset, amount, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  return self(f)->real->pMethods->xUnfetch(self(f)->real, offset, p);
}

const sqlite3_io_methods kMethods = {
    3,       x_close,       x_read,        x_write,   x_truncate,
    x_sync,  x_file_size,   x_lock,        x_unlock,  x_check_reserved,
    x_file_control, x_sector_size, x_device_characteristics, x_shm_map, x_shm_lock,
    x_shm_barrier,  x_shm_unmap,   x_fetch,       x_unfetch,
};

int v_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if (!(flags & SQLITE_OPEN_WAL)) return g_base->xOpen(g_base, name, file, flags, out_flags);
  BufferedFile* f = self(file);
  std::memset(f, 0, sizeof *f);
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + sizeof(BufferedFile));
  int rc = g_base->xOpen(g_base, name, f->real, flags, out_flags);
  // On failure SQLite calls nothing on the file; on success it closes it
  // through our methods, which close the real one.
  f->base.pMethods = rc == SQLITE_OK ? &kMethods : nullptr;
  return rc;
}
int v_delete(sqlite3_vfs*, const char* name, int sync_dir) { return g_base->xDelete(g_base, name, sync_dir); }
int v_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_base->xAccess(g_base, name, flags, out);
}
int v_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_base->xFullPathname(g_base, name, n, out);
}
void* v_dl_open(sqlite3_vfs*, const char* name) { return g_base->xDlOpen(g_base, name); }
void v_dl_error(sqlite3_vfs*, int n, char* out) { g_base->xDlError(g_base, n, out); }
void (*v_dl_sym(sqlite3_vfs*, void* lib, const char* sym))(void) { return g_base->xDlSym(g_base, lib, sym); }
void v_dl_close(sqlite3_vfs*, void* lib) { g_base->xDlClose(g_base, lib); }
int v_randomness(sqlite3_vfs*, int n, char* out) { return g_base->xRandomness(g_base, n, out); }
int v_sleep(sqlite3_vfs*, int us) { return g_base->xSleep(g_base, us); }
int v_current_time(sqlite3_vfs*, double* out) { return g_base->xCurrentTime(g_base, out); }
int v_last_error(sqlite3_vfs*, int n, char* out) { return g_base->xGetLastError(g_base, n, out); }
int v_current_time64(sqlite3_vfs*, sqlite3_int64* out) { return g_base->xCurrentTimeInt64(g_base, out); }

sqlite3_vfs g_vfs;

}  // namespace

const char* wal_buffer_vfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_base = sqlite3_vfs_find(nullptr);
    g_vfs = sqlite3_vfs{};
    g_vfs.iVersion = 2;
    g_vfs.szOsFile = static_cast<int>(sizeof(BufferedFile)) + g_base->szOsFile;
    g_vfs.mxPathname = g_base->mxPathname;
    g_vfs.zName = "gonghui-walbuf";
    g_vfs.xOpen = v_open;
    g_vfs.xDelete = v_delete;
    g_vfs.xAccess = v_access;
    g_vfs.xFullPathname = v_full_pathname;
    g_vfs.xDlOpen = v_dl_open;
    g_vfs.xDlError = v_dl_error;
    g_vfs.xDlSym = v_dl_sym;
    g_vfs.xDlClose = v_dl_close;
    g_vfs.xRandomness = v_randomness;
    g_vfs.xSleep = v_sleep;
    g_vfs.xCurrentTime = v_current_time;
    g_vfs.xGetLastError = v_last_error;
    g_vfs.xCurrentTimeInt64 = v_current_time64;
    sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0);
  });
  return g_vfs.zName;
}

}  // namespace gh::db
