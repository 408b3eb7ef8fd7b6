#include "modules/member/groups.h"

namespace gh::member {

std::optional<Groups> parse_groups(const std::vector<std::string>& names) {
  if (names.empty()) return std::nullopt;
  Groups g;
  g.all = false;
  bool all = false;
  for (const auto& n : names) {
    if (n == "all")
      all = true;
    else if (n == "new_employment")
      g.new_employment = true;
    else if (n == "needy")
      g.needy = true;
    else if (n == "rural")
      g.rural = true;
    else
      return std::nullopt;
  }
  if (all) {
    if (g.new_employment || g.needy || g.rural) return std::nullopt;
    return Groups{};
  }
  return g;
}

std::vector<std::string> group_names(const Groups& g) {
  if (g.all) return {"all"};
  std::vector<std::string> out;
  if (g.new_employment) out.emplace_back("new_employment");
  if (g.needy) out.emplace_back("needy");
  if (g.rural) out.emplace_back("rural");
  return out;
}

std::string groups_text(const Groups& g) {
  std::string out;
  for (const auto& n : group_names(g)) out += (out.empty() ? "" : ",") + n;
  return out;
}

Groups groups_from_text(std::string_view text) {
  std::vector<std::string> names;
  size_t at = 0;
  while (at <= text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > at) names.emplace_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return parse_groups(names).value_or(Groups{});
}

bool is_new_employment(std::string_view form) {
  return form == "courier" || form == "delivery_rider" || form == "ride_hailing_driver" || form == "truck_driver";
}

bool is_needy(const std::optional<std::string>& s) {
  return s && (*s == "deep" || *s == "relative" || *s == "accident");
}

bool eligible(const Groups& g, const MemberFacts& m) {
  if (m.status != "active") return false;
  if (g.all) return true;
  return (g.new_employment && is_new_employment(m.employment_form)) || (g.needy && is_needy(m.needy_status)) ||
         (g.rural && m.household == "rural");
}

Groups read_groups(http::Fields& f) {
  if (!f.raw("groups")) return Groups{};
  const size_t errors = f.errors().size();
  auto names = f.str_list("groups", 4);
  if (f.errors().size() != errors) return Groups{};
  auto g = parse_groups(names);
  if (!g) {
    f.add("groups", "groups.one_of", "groups must be [\"all\"] or any of new_employment, needy, rural");
    return Groups{};
  }
  return *g;
}

boost::json::array groups_json(const Groups& g) {
  boost::json::array out;
  for (const auto& n : group_names(g)) out.emplace_back(n);
  return out;
}

}  // namespace gh::member
