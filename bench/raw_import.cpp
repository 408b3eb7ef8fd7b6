// The raw ceiling for the member import (docs/benchmarks.md, benchmark b).
//
// Inserts the same member rows the server's import writes — citizen ID and
// phone sealed with gh::crypto::seal, blind-indexed with
// gh::crypto::blind_index, masked copies, card number — exactly as
// gh::member::Roster::build and gh::member::insert make them, but straight
// through the sqlite3 C API (one prepared INSERT, BEGIN IMMEDIATE … COMMIT
// per batch, WAL, synchronous=FULL, foreign_keys=ON, as the server's writer
// connection) and through libpq (one prepared statement with text
// parameters, one transaction per batch, one round trip per row, as the
// server's PostgreSQL backend). No validation, no duplicate lookups, no
// JSON, no HTTP: what is left is the work the server cannot avoid.
//
// The schema comes from gh::db::Store::open + migrate() on a fresh SQLite
// file (and a fresh PostgreSQL database when --pg is given); the orgs and
// units the members point to (province 云南 530000 → cities → counties →
// 5,314 grassroots unions with one unit each) are written through the
// store first. Row plaintexts (names, citizen IDs, phones) are generated
// before the clock starts; the timed loop seals, indexes and inserts.
//
//   raw_import [--rows 352300] [--units 5314] [--batch 1000]
//              [--sqlite-dir DIR] [--no-sqlite] [--pg postgresql://…] [--keep]
//              [--cache-mib N] [--pragma 'name = value']… [--exec SQL]… [--bidx-blob]
//              [--progress]
//
// --cache-mib sets SQLite's page cache (the server leaves SQLite's default,
// 2 MiB, so the default run does too), --pragma adds any other PRAGMA to the
// raw SQLite connection (e.g. 'mmap_size = 268435456'), to find out what
// would lift the server's ceiling, --exec runs SQL on the loop's connection
// before the clock starts (e.g. 'DROP INDEX members_citizen'), --bidx-blob
// stores the two blind indexes as 32-byte blobs instead of 64 hex characters
// (SQLite only); --progress prints the rate of every
// 50,000 rows on stderr.
//
// Prints one line per store:
//   RESULT store=sqlite rows=352300 seconds=9.87 rows_per_s=35700 …
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/card_no.h"
#include "core/citizen_id.h"
#include "core/credit_code.h"
#include "core/crypto.h"
#include "core/date.h"
#include "core/phone.h"
#include "core/regions.h"
#include "db/db.h"
#include "db/postgres/postgres.h"
#include "db/scratch.h"
#include "modules/org/store.h"
#include "modules/system/routes.h"
#include "modules/unit/store.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace gh;

// The INSERT of gh::member::insert (src/modules/member/store.cpp), with the
// same 25 parameters ($25 three times: joined_at, created_at, updated_at).
constexpr const char* kInsert =
    "INSERT INTO members (id, name, citizen_enc, citizen_bidx, citizen_masked, sex, birth_date, "
    "phone_enc, phone_bidx, phone_masked, unit_id, org_id, org_path, household, employment_form, "
    "employment_status, ethnic_group, education, political_status, needy_status, needy_detail, "
    "status, card_no, physical_card_no, joined_at, created_at, updated_at) VALUES ($1, $2, $3, $4, "
    "$5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, "
    "$25, $25, $25)";

// The same generator as bench/import.mjs: row g of the data set.
uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}
const char* const kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
                                 "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋"};
const char* const kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
                              "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华"};
constexpr int64_t kBirthDays = 15341;  // 1963-01-01 … 2004-12-31
const int64_t kBirthBase = Date{1963, 1, 1}.days();

struct Plain {
  std::string name, citizen, phone, household, form;
  size_t unit = 0;  // index into the units
};

Plain make_row(int64_t g, size_t unit, const std::string& region) {
  uint32_t h = fmix32(static_cast<uint32_t>(g) * 2654435761u + 1);
  uint32_t h2 = fmix32(h ^ 0x9e3779b9u);
  Plain p;
  p.unit = unit;
  p.name = std::string(kSurnames[h % 24]) + kGiven[(h >> 5) % 24];
  if ((h >> 10) % 10 < 6) p.name += kGiven[(h >> 14) % 24];
  Date birth = Date::from_days(kBirthBase + g % kBirthDays);
  int seq = static_cast<int>(2 * (g / kBirthDays) + ((h >> 20) & 1));
  p.citizen = make_citizen_id(region, birth, seq);
  static const char* const kPrefixes[] = {"13", "15", "17", "18", "19"};
  char digits[16];
  std::snprintf(digits, sizeof digits, "%09u", h2 % 1000000000u);
  p.phone = std::string(kPrefixes[(h >> 24) % 5]) + digits;
  p.household = (h2 >> 3) % 100 < 68 ? "urban" : "rural";
  uint32_t f = (h2 >> 11) % 100;
  p.form = f < 80 ? "standard" : f < 90 ? "courier" : "delivery_rider";
  return p;
}

struct UnitRow {
  int64_t id = 0, org_id = 0;
  std::string region, org_path;
};

struct Options {
  int64_t rows = 352300;
  int64_t units = 5314;
  int64_t batch = 1000;
  std::string sqlite_dir;
  bool sqlite = true;
  std::string pg;
  bool keep = false;
  std::vector<std::string> pragmas;  // extra PRAGMAs for the SQLite connection (experiments)
  std::vector<std::string> execs;    // extra SQL run before the timed loop (experiments)
  int64_t cache_mib = 0;  // SQLite page cache; 0 = SQLite's default (2 MiB), as the server
  bool progress = false;  // rows/s every 50,000 rows on stderr
  bool bidx_blob = false;  // SQLite: blind indexes as 32-byte blobs instead of 64 hex characters
};

// Orgs and units through the store: what import.mjs creates through the API.
std::vector<UnitRow> setup(db::Store& store, const Options& o) {
  const auto& regions = Regions::instance();
  std::vector<std::string> counties;
  for (const auto& city : system::region_children(regions, "530000"))
    for (const auto& county : system::region_children(regions, city.code)) counties.push_back(county.code);
  std::vector<org::Org> county_orgs;
  store.write([&](db::Tx& tx) {
    auto top = org::insert(tx, "中华全国总工会", org::Level::national, nullptr, "000000");
    auto province = org::insert(tx, "云南省总工会", org::Level::province, &top, "530000");
    for (const auto& city : system::region_children(regions, "530000")) {
      auto c = org::insert(tx, city.name + "总工会", org::Level::city, &province, city.code);
      for (const auto& county : system::region_children(regions, city.code))
        county_orgs.push_back(org::insert(tx, county.name + "总工会", org::Level::county, &c, county.code));
    }
  });
  std::vector<UnitRow> units;
  for (int64_t start = 0; start < o.units; start += 500) {
    store.write([&](db::Tx& tx) {
      for (int64_t u = start; u < std::min(o.units, start + 500); ++u) {
        const auto& county = county_orgs[static_cast<size_t>(u) % county_orgs.size()];
        std::string name = county.name + "第" + std::to_string(u + 1) + "号单位";
        auto g = org::insert(tx, name + "工会委员会", org::Level::grassroots, &county, county.region_code);
        char body[32];
        std::snprintf(body, sizeof body, "MA%06lld", static_cast<long long>(u % 1000000));
        unit::Unit unit;
        unit.name = name;
        unit.credit_code = make_credit_code('9', '1', county.region_code, body);
        unit.region_code = county.region_code;
        unit.org_id = g.id;
        unit.org_path = g.path;
        unit.industry = "G";
        unit.headcount = 0;
        units.push_back({unit::insert(tx, unit), g.id, county.region_code, g.path});
      }
    });
  }
  return units;
}

// The plaintexts, before the clock starts: rows spread evenly over the
// units (the first rows % units units get one more), as import.mjs does.
std::vector<Plain> make_rows(const Options& o, const std::vector<UnitRow>& units) {
  std::vector<Plain> rows;
  rows.reserve(static_cast<size_t>(o.rows));
  const int64_t per = o.rows / o.units, extra = o.rows % o.units;
  int64_t g = 0;
  for (size_t u = 0; u < units.size(); ++u) {
    int64_t n = per + (static_cast<int64_t>(u) < extra ? 1 : 0);
    for (int64_t k = 0; k < n; ++k, ++g) {
      rows.push_back(make_row(g, u, units[u].region));
    }
  }
  return rows;
}

// Roster::build: the row's 25 parameter values as text (NULL = nullopt).
struct Built {
  int64_t id = 0;
  std::string id_s, name, citizen_enc, citizen_bidx, citizen_masked, sex, birth_date, phone_enc,
      phone_bidx, phone_masked, unit_id, org_id, org_path, household, form, status, card_no, now;
  const char* employment_status = "in_service";
};

void build(Built& b, const crypto::Keys& keys, const Plain& p, const UnitRow& u, int64_t id) {
  b.id = id;
  b.name = p.name;
  b.citizen_enc = crypto::seal(keys, p.citizen, "member.citizen_id");
  b.citizen_bidx = crypto::blind_index(keys, "citizen_id", p.citizen);
  b.citizen_masked = mask_citizen_id(p.citizen);
  b.sex = ((p.citizen[16] - '0') % 2) ? "M" : "F";
  b.birth_date = p.citizen.substr(6, 4) + "-" + p.citizen.substr(10, 2) + "-" + p.citizen.substr(12, 2);
  b.phone_enc = crypto::seal(keys, p.phone, "member.phone");
  b.phone_bidx = crypto::blind_index(keys, "phone", p.phone);
  b.phone_masked = mask_phone(p.phone);
  b.household = p.household;
  b.form = p.form;
  b.status = "active";
  b.card_no = make_card_no(u.region, id);
}

struct Result {
  double seconds = 0, build_seconds = 0;
  double user = 0, sys = 0;  // this process's CPU seconds during the timed loop
};

std::pair<double, double> cpu_now() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return {sec(u.ru_utime), sec(u.ru_stime)};
}

void check_sqlite(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
}

// Rows/s of the last 50,000 rows, on stderr: shows how the rate falls as
// the indexes outgrow the page cache.
struct Progress {
  bool on = false;
  Clock::time_point last = Clock::now();
  void step(size_t done) {
    if (!on || done % 50000 != 0) return;
    auto now = Clock::now();
    std::fprintf(stderr, "  %zu rows: %.0f rows/s\n", done, 50000 / std::chrono::duration<double>(now - last).count());
    last = now;
  }
};

Result insert_sqlite(const std::string& path, const crypto::Keys& keys, const std::vector<Plain>& rows,
                     const std::vector<UnitRow>& units, int64_t batch, const Options& o) {
  sqlite3* db = nullptr;
  check_sqlite(db, sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr),
               "open");
  auto exec = [&](const char* sql) { check_sqlite(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr), sql); };
  exec("PRAGMA journal_mode = WAL");
  exec("PRAGMA synchronous = FULL");
  exec("PRAGMA foreign_keys = ON");
  if (o.cache_mib > 0) exec(("PRAGMA cache_size = -" + std::to_string(o.cache_mib * 1024)).c_str());
  for (const auto& p : o.pragmas) exec(("PRAGMA " + p).c_str());
  for (const auto& sql : o.execs) exec(sql.c_str());
  Progress progress{o.progress};
  sqlite3_stmt* st = nullptr;
  check_sqlite(db, sqlite3_prepare_v3(db, kInsert, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr), "prepare");
  Built b;
  double build_s = 0;
  auto [u0, s0] = cpu_now();
  auto t0 = Clock::now();
  int64_t now = db::now_ms();
  for (size_t start = 0; start < rows.size(); start += static_cast<size_t>(batch)) {
    exec("BEGIN IMMEDIATE");
    size_t end = std::min(rows.size(), start + static_cast<size_t>(batch));
    for (size_t i = start; i < end; ++i) {
      const auto& u = units[rows[i].unit];
      auto tb = Clock::now();
      build(b, keys, rows[i], u, static_cast<int64_t>(i) + 1);
      build_s += std::chrono::duration<double>(Clock::now() - tb).count();
      auto text = [&](int k, const std::string& s) {
        sqlite3_bind_text64(st, k, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
      };
      // Named $N parameters: SQLite numbers them in order of appearance,
      // which here is 1…25.
      sqlite3_bind_int64(st, 1, b.id);
      text(2, b.name);
      text(3, b.citizen_enc);
      auto bidx = [&](int k, const std::string& hex) {
        if (!o.bidx_blob) return text(k, hex);
        std::string raw = crypto::from_hex(hex);
        sqlite3_bind_blob64(st, k, raw.data(), raw.size(), SQLITE_TRANSIENT);
      };
      bidx(4, b.citizen_bidx);
      text(5, b.citizen_masked);
      text(6, b.sex);
      text(7, b.birth_date);
      text(8, b.phone_enc);
      bidx(9, b.phone_bidx);
      text(10, b.phone_masked);
      sqlite3_bind_int64(st, 11, u.id);
      sqlite3_bind_int64(st, 12, u.org_id);
      text(13, u.org_path);
      text(14, b.household);
      text(15, b.form);
      sqlite3_bind_text(st, 16, b.employment_status, -1, SQLITE_STATIC);
      for (int k = 17; k <= 21; ++k) sqlite3_bind_null(st, k);
      text(22, b.status);
      text(23, b.card_no);
      sqlite3_bind_null(st, 24);
      sqlite3_bind_int64(st, 25, now);
      check_sqlite(db, sqlite3_step(st), "insert");
      sqlite3_reset(st);
      progress.step(i + 1);
    }
    exec("COMMIT");
  }
  auto [u1, s1] = cpu_now();
  Result r{std::chrono::duration<double>(Clock::now() - t0).count(), build_s, u1 - u0, s1 - s0};
  sqlite3_finalize(st);
  sqlite3_close_v2(db);
  return r;
}

PGresult* pg_ok(PGconn* c, PGresult* r, const char* what) {
  auto s = PQresultStatus(r);
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    throw std::runtime_error(std::string(what) + ": " + msg + PQerrorMessage(c));
  }
  return r;
}

Result insert_pg(const std::string& url, const crypto::Keys& keys, const std::vector<Plain>& rows,
                 const std::vector<UnitRow>& units, int64_t batch, const Options& o) {
  Progress progress{o.progress};
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) throw std::runtime_error(std::string("connect: ") + PQerrorMessage(c));
  auto exec = [&](const char* sql) { PQclear(pg_ok(c, PQexec(c, sql), sql)); };
  // As the server's backend: integers declared bigint, text left untyped.
  std::vector<Oid> types(25, 0);
  for (int k : {1, 11, 12, 25}) types[k - 1] = 20;
  for (const auto& sql : o.execs) exec(sql.c_str());
  PQclear(pg_ok(c, PQprepare(c, "ins", kInsert, 25, types.data()), "prepare"));
  Built b;
  double build_s = 0;
  auto [u0, s0] = cpu_now();
  auto t0 = Clock::now();
  std::string now = std::to_string(db::now_ms());
  for (size_t start = 0; start < rows.size(); start += static_cast<size_t>(batch)) {
    exec("BEGIN");
    size_t end = std::min(rows.size(), start + static_cast<size_t>(batch));
    for (size_t i = start; i < end; ++i) {
      const auto& u = units[rows[i].unit];
      auto tb = Clock::now();
      build(b, keys, rows[i], u, static_cast<int64_t>(i) + 1);
      b.id_s = std::to_string(b.id);
      b.unit_id = std::to_string(u.id);
      b.org_id = std::to_string(u.org_id);
      build_s += std::chrono::duration<double>(Clock::now() - tb).count();
      const char* v[25] = {b.id_s.c_str(), b.name.c_str(), b.citizen_enc.c_str(), b.citizen_bidx.c_str(),
                           b.citizen_masked.c_str(), b.sex.c_str(), b.birth_date.c_str(), b.phone_enc.c_str(),
                           b.phone_bidx.c_str(), b.phone_masked.c_str(), b.unit_id.c_str(), b.org_id.c_str(),
                           u.org_path.c_str(), b.household.c_str(), b.form.c_str(), b.employment_status,
                           nullptr, nullptr, nullptr, nullptr, nullptr, b.status.c_str(), b.card_no.c_str(),
                           nullptr, now.c_str()};
      PQclear(pg_ok(c, PQexecPrepared(c, "ins", 25, v, nullptr, nullptr, 0), "insert"));
      progress.step(i + 1);
    }
    exec("COMMIT");
  }
  auto [u1, s1] = cpu_now();
  Result r{std::chrono::duration<double>(Clock::now() - t0).count(), build_s, u1 - u0, s1 - s0};
  PQfinish(c);
  return r;
}

void report(const char* store, const Options& o, const Result& r, double setup_s) {
  std::printf(
      "RESULT store=%s rows=%lld units=%lld batch=%lld seconds=%.2f rows_per_s=%.0f "
      "build_seconds=%.2f build_share=%.2f cpu_user_s=%.2f cpu_sys_s=%.2f setup_seconds=%.1f\n",
      store, static_cast<long long>(o.rows), static_cast<long long>(o.units), static_cast<long long>(o.batch),
      r.seconds, static_cast<double>(o.rows) / r.seconds, r.build_seconds, r.build_seconds / r.seconds, r.user, r.sys, setup_s);
  std::fflush(stdout);
}

int64_t count_rows(db::Store& store) {
  return store.read([](db::Tx& tx) { return tx.query("SELECT COUNT(*) FROM members")[0][0].i64(); });
}

int run(const Options& o) {
  crypto::init();
  const auto keys = crypto::Keys::generate();
  if (o.sqlite) {
    std::string dir = o.sqlite_dir;
    if (dir.empty()) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "gh-raw-import-XXXXXX").string();
      if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp");
      dir = tmpl;
    }
    std::string path = dir + "/raw.db";
    std::filesystem::remove(path);
    auto ts = Clock::now();
    std::vector<UnitRow> units;
    {
      auto store = db::Store::open({.url = "sqlite:" + path});
      store->migrate();
      units = setup(*store, o);
      store->close();
    }
    auto rows = make_rows(o, units);
    double setup_s = std::chrono::duration<double>(Clock::now() - ts).count();
    auto r = insert_sqlite(path, keys, rows, units, o.batch, o);
    report("sqlite", o, r, setup_s);
    auto store = db::Store::open({.url = "sqlite:" + path});
    if (count_rows(*store) != o.rows) throw std::runtime_error("sqlite: row count mismatch");
    store->close();
    if (!o.keep) std::filesystem::remove_all(dir);
  }
  if (!o.pg.empty()) {
    std::string name = "gh_bench_raw_" + std::to_string(getpid()) + "_" + std::to_string(db::now_ms() % 100000000);
    db::connect_postgres(o.pg)->exec_script("CREATE DATABASE " + name);
    std::string url = db::with_database(o.pg, name);
    try {
      auto ts = Clock::now();
      std::vector<UnitRow> units;
      {
        auto store = db::Store::open({.url = url});
        store->migrate();
        units = setup(*store, o);
        store->close();
      }
      auto rows = make_rows(o, units);
      double setup_s = std::chrono::duration<double>(Clock::now() - ts).count();
      auto r = insert_pg(url, keys, rows, units, o.batch, o);
      report("postgres", o, r, setup_s);
      auto store = db::Store::open({.url = url});
      if (count_rows(*store) != o.rows) throw std::runtime_error("postgres: row count mismatch");
      store->close();
    } catch (...) {
      if (!o.keep) db::connect_postgres(o.pg)->exec_script("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      throw;
    }
    if (!o.keep) db::connect_postgres(o.pg)->exec_script("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    else std::printf("kept database %s\n", name.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(std::string(a) + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--rows") o.rows = std::stoll(next());
      else if (a == "--units") o.units = std::stoll(next());
      else if (a == "--batch") o.batch = std::stoll(next());
      else if (a == "--sqlite-dir") o.sqlite_dir = next();
      else if (a == "--no-sqlite") o.sqlite = false;
      else if (a == "--pg") o.pg = next();
      else if (a == "--keep") o.keep = true;
      else if (a == "--cache-mib") o.cache_mib = std::stoll(next());
      else if (a == "--progress") o.progress = true;
      else if (a == "--pragma") o.pragmas.push_back(next());
      else if (a == "--exec") o.execs.push_back(next());
      else if (a == "--bidx-blob") o.bidx_blob = true;
      else {
        std::cerr << "usage: raw_import [--rows N] [--units N] [--batch N] [--sqlite-dir DIR] [--no-sqlite] "
                     "[--pg postgresql://…] [--keep] [--cache-mib N] [--pragma 'name = value']… [--exec SQL]… [--bidx-blob] [--progress]\n";
        return 2;
      }
    } catch (const std::exception& e) {
      std::cerr << "raw_import: " << e.what() << "\n";
      return 2;
    }
  }
  if (o.rows <= 0 || o.units <= 0 || o.batch <= 0) {
    std::cerr << "raw_import: --rows, --units and --batch must be positive\n";
    return 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "raw_import: " << e.what() << "\n";
    return 1;
  }
}
