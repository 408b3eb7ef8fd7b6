// Matching is a linear scan over path segments: a few hundred routes compare
// in well under a microsecond, and the scan keeps the rules obvious:
//   - a {param} segment matches any one non-empty segment;
//   - among routes matching both method and path, the one with a literal
//     segment at the first position where they differ wins
//     (/orgs/tree beats /orgs/{id});
//   - a GET route also answers HEAD unless a HEAD route exists.
#include "http/router.h"

#include <array>
#include <stdexcept>

namespace gh::http {
namespace {

bool is_param(std::string_view seg) {
  return seg.size() >= 3 && seg.front() == '{' && seg.back() == '}';
}

std::vector<std::string> split_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  std::vector<std::string> out;
  size_t pos = 1;
  for (;;) {
    size_t slash = pattern.find('/', pos);
    out.emplace_back(pattern.substr(pos, slash == std::string_view::npos ? slash : slash - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

constexpr size_t kMaxSegments = 32;

// Splits a request path into at most kMaxSegments views; false when longer
// (no route has that many segments) or not absolute.
bool split_path(std::string_view path, std::array<std::string_view, kMaxSegments>& out, size_t& n) {
  n = 0;
  if (path.empty() || path.front() != '/') return false;
  size_t pos = 1;
  for (;;) {
    if (n == kMaxSegments) return false;
    size_t slash = path.find('/', pos);
    out[n++] = path.substr(pos, slash == std::string_view::npos ? slash : slash - pos);
    if (slash == std::string_view::npos) return true;
    pos = slash + 1;
  }
}

bool path_matches(const Route& r, const std::string_view* segs, size_t n) {
  if (r.segments.size() != n) return false;
  for (size_t i = 0; i < n; ++i) {
    const std::string& p = r.segments[i];
    if (is_param(p)) {
      if (segs[i].empty()) return false;
    } else if (p != segs[i]) {
      return false;
    }
  }
  return true;
}

// True when a is more specific than b (both match the same path).
bool more_specific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    bool pa = is_param(a.segments[i]), pb = is_param(b.segments[i]);
    if (pa != pb) return !pa;
  }
  return false;
}

}  // namespace

void Router::add(Method m, std::string pattern, RouteOptions options, Handler h) {
  Route r{m, pattern, options, std::move(h), nullptr, split_pattern(pattern)};
  routes_.push_back(std::move(r));
}

void Router::add_tx(Method m, std::string pattern, RouteOptions options, TxHandler h) {
  Route r{m, pattern, options, nullptr, std::move(h), split_pattern(pattern)};
  routes_.push_back(std::move(r));
}

Router::Match Router::match(Method m, std::string_view path) const {
  Match out;
  std::array<std::string_view, kMaxSegments> segs;
  size_t n = 0;
  if (!split_path(path, segs, n)) return out;

  const Route* best = nullptr;
  const Route* best_get = nullptr;  // for HEAD without a HEAD route
  for (const Route& r : routes_) {
    if (!path_matches(r, segs.data(), n)) continue;
    out.path_matched = true;
    if (r.method == m && m != Method::other) {
      if (!best || more_specific(r, *best)) best = &r;
    } else if (m == Method::head && r.method == Method::get) {
      if (!best_get || more_specific(r, *best_get)) best_get = &r;
    }
  }
  if (!best) best = best_get;
  if (!best) return out;

  out.route = best;
  for (size_t i = 0; i < n; ++i) {
    const std::string& p = best->segments[i];
    if (is_param(p)) out.params.items.emplace_back(p.substr(1, p.size() - 2), segs[i]);
  }
  return out;
}

}  // namespace gh::http
