// Coded fields of the member roster, from the national code tables Chinese
// government systems use: sex GB/T 2261.1, ethnic group GB/T 3304, education
// GB/T 4658, political status GB/T 4762, industry GB/T 4754-2017 sections —
// plus gonghui's own enumerations (household, employment form and status,
// needy-worker category, membership status). Served at /api/v1/dictionaries
// so forms and imports use the same lists.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gh::member {

struct DictEntry {
  std::string_view code;
  std::string_view name;  // Chinese label
};

struct Dictionary {
  std::string_view name;
  std::vector<DictEntry> entries;
  // Other spellings accepted on input (e.g. from older rosters) → code.
  std::vector<std::pair<std::string_view, std::string_view>> aliases;

  // The canonical code for `input` (a code, a label or an alias), if any.
  std::optional<std::string> canonical(std::string_view input) const;
  std::string allowed() const;  // "a, b, c" for error messages
};

const Dictionary& ethnic_groups();
const Dictionary& education();
const Dictionary& political_status();
const Dictionary& industries();
const Dictionary& households();
const Dictionary& employment_forms();
const Dictionary& employment_statuses();
const Dictionary& needy_statuses();
const Dictionary& member_statuses();

boost::json::object dictionaries_json();

}  // namespace gh::member
