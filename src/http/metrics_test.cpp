#include "http/metrics.h"

#include <gtest/gtest.h>

namespace gh::http {
namespace {

bool has_line(const std::string& text, std::string_view line) {
  size_t pos = 0;
  while ((pos = text.find(line, pos)) != std::string::npos) {
    bool starts = pos == 0 || text[pos - 1] == '\n';
    bool ends = pos + line.size() == text.size() || text[pos + line.size()] == '\n';
    if (starts && ends) return true;
    ++pos;
  }
  return false;
}

TEST(Metrics, CountsRequestsByMethodRouteStatus) {
  Metrics m;
  m.observe("GET", "/api/v1/orgs/{id}", 200, 0.0001);
  m.observe("GET", "/api/v1/orgs/{id}", 200, 0.003);
  m.observe("GET", "/api/v1/orgs/{id}", 404, 0.3);
  m.observe("POST", "/x\"y", 201, 10);
  auto text = m.render({});
  EXPECT_TRUE(has_line(text, "# TYPE gonghui_http_requests_total counter"));
  EXPECT_TRUE(has_line(
      text,
      R"(gonghui_http_requests_total{method="GET",route="/api/v1/orgs/{id}",status="200"} 2)"))
      << text;
  EXPECT_TRUE(has_line(
      text,
      R"(gonghui_http_requests_total{method="GET",route="/api/v1/orgs/{id}",status="404"} 1)"));
  EXPECT_TRUE(
      has_line(text, R"(gonghui_http_requests_total{method="POST",route="/x\"y",status="201"} 1)"));
}

TEST(Metrics, LatencyHistogramIsCumulative) {
  Metrics m;
  m.observe("GET", "/a", 200, 0.0001);  // ≤ 0.0005
  m.observe("GET", "/a", 200, 0.003);   // ≤ 0.005
  m.observe("GET", "/a", 200, 0.3);     // ≤ 0.5
  m.observe("GET", "/a", 200, 10);      // +Inf
  auto text = m.render({});
  EXPECT_TRUE(has_line(text, "# TYPE gonghui_http_request_duration_seconds histogram"));
  EXPECT_TRUE(has_line(text, R"(gonghui_http_request_duration_seconds_bucket{le="0.0005"} 1)"))
      << text;
  EXPECT_TRUE(has_line(text, R"(gonghui_http_request_duration_seconds_bucket{le="0.0025"} 1)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_http_request_duration_seconds_bucket{le="0.005"} 2)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_http_request_duration_seconds_bucket{le="0.5"} 3)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_http_request_duration_seconds_bucket{le="2.5"} 3)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_http_request_duration_seconds_bucket{le="+Inf"} 4)"));
  EXPECT_TRUE(has_line(text, "gonghui_http_request_duration_seconds_count 4"));
}

TEST(Metrics, StoreStatsBecomeHistograms) {
  db::StoreStats s;
  s.commits = 5;
  s.writes = 12;
  s.commit_us_total = 2'500'000;
  s.commit_buckets[0] = 1;   // ≤ 100 µs
  s.commit_buckets[3] = 3;   // ≤ 1 ms
  s.commit_buckets[10] = 1;  // +Inf
  s.batch_buckets[0] = 2;    // 1
  s.batch_buckets[2] = 2;    // ≤ 4
  s.batch_buckets[3] = 1;    // ≤ 8
  Metrics m;
  auto text = m.render(s);
  EXPECT_TRUE(has_line(text, "gonghui_store_commits_total 5")) << text;
  EXPECT_TRUE(has_line(text, R"(gonghui_store_commit_duration_seconds_bucket{le="0.0001"} 1)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_store_commit_duration_seconds_bucket{le="0.00025"} 1)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_store_commit_duration_seconds_bucket{le="0.001"} 4)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_store_commit_duration_seconds_bucket{le="1"} 4)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_store_commit_duration_seconds_bucket{le="+Inf"} 5)"));
  EXPECT_TRUE(has_line(text, "gonghui_store_commit_duration_seconds_sum 2.5"));
  EXPECT_TRUE(has_line(text, R"(gonghui_store_group_commit_batch_size_bucket{le="1"} 2)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_store_group_commit_batch_size_bucket{le="2"} 2)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_store_group_commit_batch_size_bucket{le="4"} 4)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_store_group_commit_batch_size_bucket{le="512"} 5)"));
  EXPECT_TRUE(has_line(text, R"(gonghui_store_group_commit_batch_size_bucket{le="+Inf"} 5)"));
  EXPECT_TRUE(has_line(text, "gonghui_store_group_commit_batch_size_sum 12"));
}

TEST(Metrics, ProcessAndBuildInfo) {
  Metrics m;
  auto text = m.render({});
  auto pos = text.find("\nprocess_resident_memory_bytes ");
  ASSERT_NE(pos, std::string::npos);
  long rss = std::stol(text.substr(pos + 31));
  EXPECT_GT(rss, 100'000);
  EXPECT_NE(text.find("gonghui_build_info{version=\""), std::string::npos);
  // Every sample line belongs to a declared family (HELP and TYPE present).
  for (std::string_view family :
       {"gonghui_http_requests_total", "gonghui_http_request_duration_seconds",
        "gonghui_store_commit_duration_seconds", "gonghui_store_commits_total",
        "gonghui_store_group_commit_batch_size", "process_resident_memory_bytes",
        "gonghui_build_info"}) {
    EXPECT_NE(text.find("# HELP " + std::string(family) + " "), std::string::npos) << family;
    EXPECT_NE(text.find("# TYPE " + std::string(family) + " "), std::string::npos) << family;
  }
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace gh::http
