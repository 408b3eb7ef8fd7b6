// Prometheus text exposition (format 0.0.4). Label cardinality stays bounded
// because routes are patterns ("/api/v1/orgs/{id}"), never raw paths.
#include "http/metrics.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <iterator>

namespace gh::http {
namespace {

void escape_label(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

// A bucket bound as Prometheus prints it: shortest round-trip form.
std::string le(double v) { return fmt::format("{}", v); }

long resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long size = 0, resident = 0;
  int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * sysconf(_SC_PAGESIZE);
}

}  // namespace

void Metrics::observe(std::string_view method, std::string_view route, int status, double seconds) {
  std::string key;
  key.reserve(method.size() + route.size() + 6);
  key.append(method);
  key += '\x1f';
  key.append(route);
  key += '\x1f';
  key += std::to_string(status);
  size_t b = 0;
  while (b < std::size(kBuckets) && seconds > kBuckets[b]) ++b;
  std::lock_guard lock(mu_);
  auto it = requests_.find(key);
  if (it == requests_.end()) it = requests_.emplace(std::move(key), 0).first;
  ++it->second;
  ++latency_buckets_[b];
  latency_sum_ += seconds;
  ++latency_count_;
}

std::string Metrics::render(const db::StoreStats& store) const {
  std::string out;
  out.reserve(4096);
  auto line = [&out](std::string_view s) {
    out.append(s);
    out += '\n';
  };

  line(
      "# HELP gonghui_http_requests_total HTTP requests served, by method, route pattern and "
      "status.");
  line("# TYPE gonghui_http_requests_total counter");
  std::map<std::string, uint64_t> requests;
  uint64_t buckets[std::size(kBuckets) + 1];
  double sum;
  uint64_t count;
  {
    std::lock_guard lock(mu_);
    requests = requests_;
    std::copy(std::begin(latency_buckets_), std::end(latency_buckets_), buckets);
    sum = latency_sum_;
    count = latency_count_;
  }
  for (const auto& [key, n] : requests) {
    auto a = key.find('\x1f');
    auto b = key.find('\x1f', a + 1);
    out += "gonghui_http_requests_total{method=\"";
    escape_label(out, std::string_view(key).substr(0, a));
    out += "\",route=\"";
    escape_label(out, std::string_view(key).substr(a + 1, b - a - 1));
    out += "\",status=\"";
    escape_label(out, std::string_view(key).substr(b + 1));
    out += "\"} ";
    out += std::to_string(n);
    out += '\n';
  }

  line("# HELP gonghui_http_request_duration_seconds Time from a parsed request to its response.");
  line("# TYPE gonghui_http_request_duration_seconds histogram");
  uint64_t cum = 0;
  for (size_t i = 0; i < std::size(kBuckets); ++i) {
    cum += buckets[i];
    out += fmt::format("gonghui_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       le(kBuckets[i]), cum);
  }
  cum += buckets[std::size(kBuckets)];
  out += fmt::format("gonghui_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cum);
  out += fmt::format("gonghui_http_request_duration_seconds_sum {}\n", sum);
  out += fmt::format("gonghui_http_request_duration_seconds_count {}\n", count);

  // StoreStats holds per-bucket counts (not cumulative); Prometheus wants
  // cumulative ones.
  line(
      "# HELP gonghui_store_commit_duration_seconds Time spent in one group commit (COMMIT and "
      "fsync).");
  line("# TYPE gonghui_store_commit_duration_seconds histogram");
  cum = 0;
  for (size_t i = 0; i < store.kCommitBucketsUs.size(); ++i) {
    cum += store.commit_buckets[i];
    out += fmt::format("gonghui_store_commit_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       le(static_cast<double>(store.kCommitBucketsUs[i]) / 1e6), cum);
  }
  cum += store.commit_buckets.back();
  out += fmt::format("gonghui_store_commit_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cum);
  out += fmt::format("gonghui_store_commit_duration_seconds_sum {}\n",
                     static_cast<double>(store.commit_us_total) / 1e6);
  out += fmt::format("gonghui_store_commit_duration_seconds_count {}\n", cum);

  line("# HELP gonghui_store_commits_total Group commits (durable write transactions).");
  line("# TYPE gonghui_store_commits_total counter");
  out += fmt::format("gonghui_store_commits_total {}\n", store.commits);
  line("# HELP gonghui_store_writes_total Write functions folded into group commits.");
  line("# TYPE gonghui_store_writes_total counter");
  out += fmt::format("gonghui_store_writes_total {}\n", store.writes);

  line("# HELP gonghui_store_group_commit_batch_size Write functions per group commit.");
  line("# TYPE gonghui_store_group_commit_batch_size histogram");
  cum = 0;
  for (size_t i = 0; i + 1 < store.batch_buckets.size(); ++i) {
    cum += store.batch_buckets[i];
    out += fmt::format("gonghui_store_group_commit_batch_size_bucket{{le=\"{}\"}} {}\n",
                       uint64_t{1} << i, cum);
  }
  cum += store.batch_buckets.back();
  out += fmt::format("gonghui_store_group_commit_batch_size_bucket{{le=\"+Inf\"}} {}\n", cum);
  out += fmt::format("gonghui_store_group_commit_batch_size_sum {}\n", store.writes);
  out += fmt::format("gonghui_store_group_commit_batch_size_count {}\n", cum);

  line("# HELP process_resident_memory_bytes Resident memory size in bytes.");
  line("# TYPE process_resident_memory_bytes gauge");
  out += fmt::format("process_resident_memory_bytes {}\n", resident_bytes());

  line("# HELP gonghui_build_info The running build.");
  line("# TYPE gonghui_build_info gauge");
#ifdef GONGHUI_VERSION
  out += "gonghui_build_info{version=\"" GONGHUI_VERSION "\"} 1\n";
#else
  out += "gonghui_build_info{version=\"unknown\"} 1\n";
#endif
  return out;
}

}  // namespace gh::http
