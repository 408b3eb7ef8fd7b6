#include "audit/audit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/crypto.h"
#include "core/error.h"

namespace gh::audit {
namespace {

class AuditChain : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gh-audit-" + std::to_string(::getpid()) + "-" + crypto::random_token(6));
    std::filesystem::create_directories(dir_);
    store_ = db::Store::open({.url = "sqlite:" + (dir_ / "t.db").string()});
    store_->migrate();
  }
  void TearDown() override {
    store_->close();
    std::filesystem::remove_all(dir_);
  }
  void append(int n) {
    for (int i = 0; i < n; ++i)
      store_->write([&](db::Tx& tx) {
        audit_.append(tx, Actor{"staff", 7, "alice"},
                      {"member.create", "member", std::to_string(i), "ok", "detail " + std::to_string(i), "/1/"});
      });
  }
  std::filesystem::path dir_;
  std::unique_ptr<db::Store> store_;
  Audit audit_{"chain key"};
};

TEST_F(AuditChain, IntactChainVerifies) {
  append(5);
  auto report = audit_.verify(*store_);
  EXPECT_TRUE(report.ok) << report.message;
  EXPECT_EQ(report.rows, 5);
  EXPECT_EQ(report.head.size(), 64u);
}

TEST_F(AuditChain, RowsCannotBeUpdatedOrDeleted) {
  append(2);
  EXPECT_THROW(store_->write([](db::Tx& tx) { tx.exec("UPDATE audit_log SET result = 'denied' WHERE id = 1"); }),
               Error);
  EXPECT_THROW(store_->write([](db::Tx& tx) { tx.exec("DELETE FROM audit_log WHERE id = 2"); }), Error);
  EXPECT_TRUE(audit_.verify(*store_).ok);
}

TEST_F(AuditChain, DetectsAChangedRow) {
  append(4);
  store_->write([](db::Tx& tx) {
    tx.exec("DROP TRIGGER audit_log_no_update");
    tx.exec("UPDATE audit_log SET detail = 'forged' WHERE id = 3");
  });
  auto report = audit_.verify(*store_);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_id, 3);
}

TEST_F(AuditChain, DetectsADeletedRow) {
  append(4);
  store_->write([](db::Tx& tx) {
    tx.exec("DROP TRIGGER audit_log_no_delete");
    tx.exec("DELETE FROM audit_log WHERE id = 2");
  });
  auto report = audit_.verify(*store_);
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_id, 3);
}

TEST_F(AuditChain, ADifferentKeyDoesNotVerify) {
  append(1);
  Audit other("another key");
  EXPECT_FALSE(other.verify(*store_).ok);
}

TEST_F(AuditChain, RolledBackWriteLeavesNoEntry) {
  append(1);
  EXPECT_THROW(store_->write([&](db::Tx& tx) {
    audit_.append(tx, Actor::system(), {"x", "", "", "ok", "", ""});
    throw Error::conflict("test", "abort");
  }),
               Error);
  auto report = audit_.verify(*store_);
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.rows, 1);
}

// Writes folded into one group commit append one after another, reading the
// chain's head once; a write that fails after appending is rolled back, and
// the writes after it in the same commit chain on from the row before it.
TEST_F(AuditChain, GroupCommittedAppendsChainAcrossRolledBackWrites) {
  append(1);
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, failed = 0;
  std::atomic<bool> started{false};
  std::thread slow([&] {  // holds the committer while the others queue
    store_->write([&](db::Tx& tx) {
      started = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      audit_.append(tx, Actor::system(), {"slow", "", "", "ok", "", ""});
    });
  });
  while (!started) std::this_thread::yield();
  constexpr int kWrites = 60;
  for (int i = 0; i < kWrites; ++i)
    store_->write_async(
        [&, i](db::Tx& tx) {
          audit_.append(tx, Actor{"member", i, "m"}, {"campaign.claim", "campaign", "1", "ok", std::to_string(i), "/1/"});
          if (i % 4 == 1) throw Error::conflict("test", "after the append");
        },
        [&](std::exception_ptr e) {
          std::lock_guard lk(mu);
          ++done;
          failed += e ? 1 : 0;
          cv.notify_one();
        });
  slow.join();
  {
    std::unique_lock lk(mu);
    ASSERT_TRUE(cv.wait_for(lk, std::chrono::seconds(30), [&] { return done == kWrites; }));
  }
  EXPECT_EQ(failed, kWrites / 4);
  auto st = store_->stats();
  EXPECT_LT(st.commits, st.writes / 4) << "the appends were not group-committed";
  auto report = audit_.verify(*store_);
  EXPECT_TRUE(report.ok) << report.message;
  EXPECT_EQ(report.rows, 1 + 1 + kWrites - kWrites / 4);
}

}  // namespace
}  // namespace gh::audit
