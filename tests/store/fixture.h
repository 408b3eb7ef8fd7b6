// The store test fixture: each test gets a fresh, migrated database of the
// backend it is instantiated for.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

#include "core/error.h"
#include "db/db.h"
#include "db/scratch.h"

namespace gh::db {
// So gtest names the backend instead of dumping its bytes.
inline void PrintTo(Dialect d, std::ostream* os) {
  *os << (d == Dialect::sqlite ? "SQLite" : "PostgreSQL");
}
}  // namespace gh::db

namespace gh::db::testing {

inline std::string backend_name(const ::testing::TestParamInfo<Dialect>& info) {
  return info.param == Dialect::sqlite ? "SQLite" : "PostgreSQL";
}

// A store on a scratch database, migrated: for tests of one backend.
inline std::unique_ptr<Store> open_migrated(const ScratchDatabase& db) {
  auto store = Store::open({.url = db.url()});
  store->migrate();
  return store;
}

class StoreTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    // No silent skipping: a PostgreSQL run without a server is a failure.
    if (GetParam() == Dialect::postgres && !test_postgres_url()) FAIL() << kTestPostgresHint;
    db_ = std::make_unique<ScratchDatabase>(GetParam());
    store_ = open();
    version_ = store_->migrate();
  }

  void TearDown() override {
    if (store_) store_->close();
    store_.reset();
    db_.reset();
  }

  std::unique_ptr<Store> open(int max_readers = 4, int max_batch = 256) {
    StoreOptions o;
    o.url = db_->url();
    o.max_readers = max_readers;
    o.max_batch = max_batch;
    return Store::open(o);
  }

  Store& store() { return *store_; }

  // Minimal rows that satisfy the foreign keys.
  static int64_t add_org(Tx& tx, const std::string& path) {
    return tx
        .one(
            "INSERT INTO orgs (name, level, parent_id, region_code, path, depth, created_at, "
            "updated_at)"
            " VALUES ($1, 'national', NULL, '100000', $2, 0, $3, $3) RETURNING id",
            {"全国总工会", path, now_ms()})
        ->at(0)
        .i64();
  }
  static int64_t add_unit(Tx& tx, int64_t org_id, const std::string& credit_code) {
    return tx
        .one(
            "INSERT INTO units (name, credit_code, region_code, org_id, org_path, created_at, "
            "updated_at)"
            " VALUES ('单位', $1, '110000', $2, '/1/', $3, $3) RETURNING id",
            {credit_code, org_id, now_ms()})
        ->at(0)
        .i64();
  }
  static int64_t add_member(Tx& tx, int64_t org_id, int64_t unit_id, const std::string& bidx,
                            const std::string& status) {
    return tx
        .one(
            "INSERT INTO members (name, citizen_enc, citizen_bidx, citizen_masked, sex, birth_date,"
            " phone_enc, phone_bidx, phone_masked, unit_id, org_id, org_path, household,"
            " employment_form, employment_status, status, joined_at, created_at, updated_at)"
            " VALUES ('张三', 'enc', $1, '110101********1234', 'M', '1990-01-01', 'penc', 'pidx',"
            " '138****5678', $2, $3, '/1/', 'urban', 'full_time', 'employed', $4, $5, $5, $5)"
            " RETURNING id",
            {bidx, unit_id, org_id, status, now_ms()})
        ->at(0)
        .i64();
  }

  std::unique_ptr<ScratchDatabase> db_;
  std::unique_ptr<Store> store_;
  int version_ = 0;
};

}  // namespace gh::db::testing
