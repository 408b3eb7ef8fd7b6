// The seed's 2021 situation (PRODUCT.md §4): premium income from 336,060
// members at 100 yuan, 29,617 settlements paying 34,785,900 yuan in total:
// the report must say 103.51 %, and the ledger must balance.
#include <gtest/gtest.h>

#include "db/scratch.h"
#include "modules/aid/store.h"
#include "modules/aid/synthetic.h"
#include "modules/ledger/ledger.h"

namespace gh::aid {
namespace {

TEST(AidReport, ReproducesTheSeeds2021UsageRate) {
  db::ScratchDatabase scratch(db::Dialect::sqlite);
  auto store = db::Store::open({.url = scratch.url()});
  store->migrate();
  const int64_t period_id = build_synthetic_period(*store, {});
  auto report = store->read([&](db::Tx& tx) { return aid::report(tx, *find_period(tx, period_id), "/1/"); });
  EXPECT_EQ(report.at("members").as_int64(), 336060);
  EXPECT_EQ(report.at("premium_income_fen").as_int64(), 3'360'600'000);  // 33,606,000 yuan
  EXPECT_EQ(report.at("settlements").as_int64(), 29617);
  EXPECT_EQ(report.at("members_paid").as_int64(), 29617);
  EXPECT_EQ(report.at("payout_fen").as_int64(), 3'478'590'000);  // 34,785,900 yuan
  EXPECT_EQ(report.at("usage_rate").as_string(), "103.51");
  EXPECT_EQ(report.at("units").as_int64(), 100);
  int64_t by_region = 0;
  for (const auto& r : report.at("by_region").as_array()) by_region += r.at("payout_fen").as_int64();
  EXPECT_EQ(by_region, 3'478'590'000);

  auto check = ledger::verify(*store);
  EXPECT_TRUE(check.ok) << (check.problems.empty() ? "" : check.problems.front());
  ASSERT_EQ(check.funds.size(), 1u);
  EXPECT_EQ(check.funds[0].paid_out_fen, 3'478'590'000);
  store->close();
}

TEST(AidReport, UsageRateRoundsHalfUpToTwoDecimals) {
  EXPECT_EQ(usage_rate(3'478'590'000, 3'360'600'000), "103.51");
  EXPECT_EQ(usage_rate(0, 100), "0.00");
  EXPECT_EQ(usage_rate(1, 0), "0.00");
  EXPECT_EQ(usage_rate(12345, 1000000), "1.23");   // 1.2345 % → 1.23
  EXPECT_EQ(usage_rate(12350, 1000000), "1.24");   // 1.2350 % → 1.24 (half up)
  EXPECT_EQ(usage_rate(1000000, 1000000), "100.00");
  EXPECT_EQ(usage_rate(1, 3), "33.33");
  EXPECT_EQ(usage_rate(2, 3), "66.67");
}

}  // namespace
}  // namespace gh::aid
