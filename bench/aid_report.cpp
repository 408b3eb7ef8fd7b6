// Benchmark: the mutual-aid period report over 352,300 enrolments in 5,314
// units and 29,617 paid claims (docs/benchmarks.md), on SQLite and, with
// --pg, on PostgreSQL.
//
// Builds the period with gh::aid::build_synthetic_period (premiums and
// payments through the module's own code), then runs gh::aid::report — what
// GET /api/v1/mutual-aid/periods/{id}/report runs, in a read transaction —
// --runs times and prints the latency distribution. Beside it, the same
// figures computed the direct way (aggregating aid_enrollments and
// aid_claims joined with units, no running totals) as the reference: what the
// report would cost without aid_unit_totals.
//
//   aid_report [--runs 200] [--no-sqlite] [--pg postgresql://…/postgres]
//
// Prints one line per store: RESULT bench=aid_report store=… p50_ms=… p99_ms=… max_ms=…
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "db/db.h"
#include "db/scratch.h"
#include "modules/aid/store.h"
#include "modules/aid/synthetic.h"

using namespace gh;
using Clock = std::chrono::steady_clock;

namespace {

void run(db::Store& store, const char* name, int runs) {
  const aid::SyntheticSpec spec{.units = 5314, .members = 352'300, .claims = 29'617, .payout_fen = 3'478'590'000,
                                .premium_fen = 10000};
  const auto b0 = Clock::now();
  const int64_t period = aid::build_synthetic_period(store, spec);
  const double build_s = std::chrono::duration<double>(Clock::now() - b0).count();
  std::vector<double> ms;
  std::string rate;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    auto r = store.read([&](db::Tx& tx) { return aid::report(tx, *aid::find_period(tx, period), "/1/"); });
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    rate = std::string(r.at("usage_rate").as_string());
  }
  // The direct way, for comparison (fewer runs: it is slow).
  std::vector<double> direct;
  int64_t direct_payout = 0;
  for (int i = 0; i < std::max(5, runs / 20); ++i) {
    const auto t0 = Clock::now();
    direct_payout = store.read([&](db::Tx& tx) {
      int64_t payout = 0;
      tx.query("SELECT substr(u.region_code, 1, 4), COUNT(DISTINCT e.unit_id), COUNT(*), SUM(e.premium_fen) "
               "FROM aid_enrollments e JOIN units u ON u.id = e.unit_id WHERE e.period_id = $1 "
               "GROUP BY substr(u.region_code, 1, 4)",
               {period});
      for (const auto& r : tx.query("SELECT substr(u.region_code, 1, 4), COUNT(*), COUNT(DISTINCT c.member_id), "
                                    "SUM(c.amount_fen) FROM aid_claims c JOIN units u ON u.id = c.unit_id "
                                    "WHERE c.period_id = $1 AND c.status = 'paid' GROUP BY substr(u.region_code, 1, 4)",
                                    {period}))
        payout += r[3].i64();
      return payout;
    });
    direct.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::sort(direct.begin(), direct.end());
  auto at = [](const std::vector<double>& v, double q) {
    return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
  };
  std::printf("RESULT bench=aid_report store=%s enrolments=%lld units=%lld claims=%lld runs=%d p50_ms=%.2f "
              "p99_ms=%.2f max_ms=%.2f usage_rate=%s direct_p50_ms=%.2f direct_payout_ok=%d build_s=%.1f\n",
              name, static_cast<long long>(spec.members), static_cast<long long>(spec.units),
              static_cast<long long>(spec.claims), runs, at(ms, 0.5), at(ms, 0.99), ms.back(), rate.c_str(),
              at(direct, 0.5), direct_payout == spec.payout_fen ? 1 : 0, build_s);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 200;
  bool sqlite = true;
  std::string pg;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("missing value for " + a);
      return argv[++i];
    };
    if (a == "--runs") runs = std::stoi(next());
    else if (a == "--no-sqlite") sqlite = false;
    else if (a == "--pg") pg = next();
    else {
      std::cerr << "usage: aid_report [--runs N] [--no-sqlite] [--pg URL]\n";
      return 2;
    }
  }
  if (sqlite) {
    db::ScratchDatabase scratch(db::Dialect::sqlite);
    auto store = db::Store::open({.url = scratch.url()});
    store->migrate();
    run(*store, "sqlite", runs);
    store->close();
  }
  if (!pg.empty()) {
    setenv("GONGHUI_TEST_PG", pg.c_str(), 1);
    db::ScratchDatabase scratch(db::Dialect::postgres);
    auto store = db::Store::open({.url = scratch.url()});
    store->migrate();
    run(*store, "postgres", runs);
    store->close();
  }
  return 0;
}
