// Member groups (受益人群) for offers and campaigns: everyone, or any of the
// new-employment-form workers, needy workers and rural (migrant) workers,
// judged from roster fields. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/fields.h"

namespace gh::member {

// The member groups an offer or a campaign is for: everyone, or any of the named groups.
struct Groups {
  bool all = true;
  bool new_employment = false;  // 新就业形态: courier, delivery rider, ride-hailing or truck driver
  bool needy = false;           // 困难职工: deep, relative or accident-caused hardship
  bool rural = false;           // rural household (农民工 when in service)
};
// "all" or a list of new_employment, needy, rural (duplicates ignored).
// Nothing when a name is unknown, the list is empty, or "all" is mixed with
// a group.
std::optional<Groups> parse_groups(const std::vector<std::string>& names);
std::vector<std::string> group_names(const Groups& g);
// The stored form: "all" or "needy,rural" (names in a fixed order).
std::string groups_text(const Groups& g);
Groups groups_from_text(std::string_view text);

// What eligibility needs to know about a member (fields of the roster).
struct MemberFacts {
  std::string status;                       // membership: active, transferred, suspended, ended
  std::string household;                    // urban, rural
  std::string employment_form;              // standard, courier, delivery_rider, …
  std::optional<std::string> needy_status;  // none, deep, relative, accident
};
bool is_new_employment(std::string_view employment_form);
bool is_needy(const std::optional<std::string>& needy_status);
// An active member of one of the groups.
bool eligible(const Groups& groups, const MemberFacts& member);

// The optional request field "groups" (["all"] or names as above): everyone
// when absent; on a bad value the error (groups.one_of) is recorded in f.
Groups read_groups(http::Fields& f);
// As JSON: ["all"] or the names.
boost::json::array groups_json(const Groups& g);

}  // namespace gh::member
