// Validation of roster entries (pure: no I/O). Used by create, update and
// bulk import so a row is judged the same way everywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/citizen_id.h"
#include "http/fields.h"

namespace gh::member {

struct Input {
  std::string name;
  CitizenId citizen;
  std::string phone;
  int64_t unit_id = 0;
  std::string household;
  std::string employment_form;
  std::string employment_status;
  std::optional<std::string> ethnic_group;
  std::optional<std::string> education;
  std::optional<std::string> political_status;
  std::optional<std::string> needy_status;
  std::optional<std::string> needy_detail;
  std::optional<std::string> physical_card_no;
};

// Reads a member object (the body of POST /members, or one import row);
// errors are collected in `f`. Returns the input when every field is valid.
std::optional<Input> read_input(http::Fields& f, const Regions& regions, Date today);

// A coded field read through its dictionary: errors "<field>.unknown".
std::optional<std::string> read_coded(http::Fields& f, std::string_view field, bool required);

}  // namespace gh::member
