// Prometheus metrics: requests by route pattern and status, a latency
// histogram, and the store's commit latency and group-commit batch size.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "db/db.h"

namespace gh::http {

class Metrics {
 public:
  void observe(std::string_view method, std::string_view route, int status, double seconds);
  // Prometheus text exposition format 0.0.4.
  std::string render(const db::StoreStats& store) const;

 private:
  struct Series {
    uint64_t count = 0;
  };
  static constexpr double kBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> requests_;  // key: method\x1froute\x1fstatus
  uint64_t latency_buckets_[std::size(kBuckets) + 1] = {};
  double latency_sum_ = 0;
  uint64_t latency_count_ = 0;
};

}  // namespace gh::http
