#include "core/regions.h"

#include <mutex>

#include "core/embedded.h"
#include "core/error.h"

namespace gh {
namespace {

constexpr std::string_view kBuiltinPath = "data/gb2260/codes.tsv";
constexpr std::string_view kHeader = "code\tname\tfirst_seen\tlast_seen";

bool is_digits(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// From 2002 on, the published tables list "市辖区" (city districts) and "县"
// (counties) as grouping rows under a prefecture (110100, 110200, 130101 …).
// They are codes, so a citizen ID may carry one, but no org sits there.
bool is_placeholder_name(std::string_view name) { return name == "市辖区" || name == "县"; }

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

[[noreturn]] void bad_tsv(size_t line_no, const std::string& why) {
  throw Error::invalid("tsv", "region.tsv",
                       "region table line " + std::to_string(line_no) + ": " + why);
}

}  // namespace

Regions::Regions(Regions&& other) noexcept {
  std::unique_lock lock(other.mu_);
  by_code_ = std::move(other.by_code_);
  other.by_code_.clear();
}

Regions& Regions::operator=(Regions&& other) noexcept {
  if (this != &other) {
    std::scoped_lock lock(mu_, other.mu_);
    by_code_ = std::move(other.by_code_);
    other.by_code_.clear();
  }
  return *this;
}

Regions& Regions::instance() {
  // A function-local static: initialised once, thread-safe, and only when
  // first needed (tests of unrelated code do not pay for parsing 7,000 rows).
  static Regions builtin = [] {
    const auto tsv = embedded::find(kBuiltinPath);
    if (!tsv) throw Error::internal("built-in region table missing from the binary");
    return from_tsv(*tsv);
  }();
  return builtin;
}

Regions Regions::from_tsv(std::string_view tsv) {
  struct Row {
    std::string_view code, name, last_seen;
    size_t line_no;
  };
  std::vector<Row> rows;
  std::string_view newest;
  bool header_seen = false;
  size_t line_no = 0;
  for (std::string_view line : split(tsv, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!header_seen) {
      if (line != kHeader) bad_tsv(line_no, "expected the header code/name/first_seen/last_seen");
      header_seen = true;
      continue;
    }
    const auto f = split(line, '\t');
    if (f.size() != 4) bad_tsv(line_no, "expected 4 tab-separated fields");
    if (!is_digits(f[0], 6)) bad_tsv(line_no, "code is not 6 digits");
    if (f[1].empty()) bad_tsv(line_no, "empty name");
    if (!is_digits(f[2], 6) || !is_digits(f[3], 6)) bad_tsv(line_no, "revision is not YYYYMM");
    if (f[2] > f[3]) bad_tsv(line_no, "first_seen after last_seen");
    rows.push_back({f[0], f[1], f[3], line_no});
    // Equal-length digit strings compare like the numbers they spell.
    if (f[3] > newest) newest = f[3];
  }
  if (!header_seen) bad_tsv(line_no, "empty file");

  Regions out;
  out.by_code_.reserve(rows.size());
  for (const Row& r : rows) {
    Region region{std::string(r.code), std::string(r.name),
                  r.last_seen == newest && !is_placeholder_name(r.name)};
    const auto [it, inserted] = out.by_code_.emplace(region.code, std::move(region));
    if (!inserted) bad_tsv(r.line_no, "code " + it->first + " appears twice");
  }
  return out;
}

std::optional<Region> Regions::find(std::string_view code) const {
  std::shared_lock lock(mu_);
  const auto it = by_code_.find(code);
  if (it == by_code_.end()) return std::nullopt;
  return it->second;
}

bool Regions::is_current(std::string_view code) const {
  std::shared_lock lock(mu_);
  const auto it = by_code_.find(code);
  return it != by_code_.end() && it->second.current;
}

bool Regions::is_known(std::string_view code) const {
  std::shared_lock lock(mu_);
  return by_code_.contains(std::string(code));
}

void Regions::add(std::string code, std::string name) {
  if (!is_digits(code, 6) || code == kNationalRegion)
    throw Error::invalid("code", "region.format", "a region code is 6 digits, not 000000");
  if (name.empty()) throw Error::invalid("name", "region.name", "a region needs a name");
  std::unique_lock lock(mu_);
  Region& r = by_code_[code];
  r.code = std::move(code);
  r.name = std::move(name);
  // An administrator vouches for the code: it is a real, current place even
  // if the built-in table only knew it as historical.
  r.current = true;
}

size_t Regions::size() const {
  std::shared_lock lock(mu_);
  return by_code_.size();
}

Checked<std::string> Regions::check_current(std::string_view code) const {
  const std::string c(code);
  if (!is_digits(c, 6)) return Invalid{"region.format", "a region code is 6 digits"};
  if (c == kNationalRegion) return c;
  const auto r = find(c);
  if (!r) return Invalid{"region.unknown", c + " is not a GB/T 2260 region code"};
  if (r->current) return c;
  if (is_placeholder_name(r->name))
    return Invalid{"region.unknown", c + " (" + r->name + ") is a grouping row, not a place"};
  return Invalid{"region.historical", c + " (" + r->name + ") is no longer a current region"};
}

RegionLevel Regions::level(std::string_view code) {
  if (code == kNationalRegion) return RegionLevel::national;
  if (code.size() == 6 && code.substr(2) == "0000") return RegionLevel::province;
  if (code.size() == 6 && code.substr(4) == "00") return RegionLevel::prefecture;
  return RegionLevel::county;
}

bool Regions::contains(std::string_view outer, std::string_view inner) {
  if (!is_digits(outer, 6) || !is_digits(inner, 6)) return false;
  if (outer == inner) return true;
  switch (level(outer)) {
    case RegionLevel::national:
      return true;
    case RegionLevel::province:
      return inner.substr(0, 2) == outer.substr(0, 2);
    case RegionLevel::prefecture:
      return inner.substr(0, 4) == outer.substr(0, 4);
    case RegionLevel::county:
      return false;
  }
  return false;
}

}  // namespace gh
