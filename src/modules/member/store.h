// Members in the store. Citizen IDs and phones are kept encrypted with a
// blind index for equality search and a masked copy for display; nothing in
// this table reveals a full ID or phone without the keys.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "db/db.h"

namespace gh::member {

struct Member {
  int64_t id = 0;
  std::string name;
  std::string citizen_masked;
  std::string sex;
  std::string birth_date;
  std::string phone_masked;
  int64_t unit_id = 0;
  int64_t org_id = 0;
  std::string org_path;
  std::string household;
  std::string employment_form;
  std::string employment_status;
  std::optional<std::string> ethnic_group;
  std::optional<std::string> education;
  std::optional<std::string> political_status;
  std::optional<std::string> needy_status;
  std::optional<std::string> needy_detail;
  std::string status = "active";
  std::string card_no;
  std::optional<std::string> physical_card_no;
  int64_t joined_at = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  // Sealed values, only read when revealing.
  std::string citizen_enc;
  std::string phone_enc;
  std::string citizen_bidx;
  std::string phone_bidx;
};

inline constexpr std::string_view kMemberColumns =
    "id, name, citizen_masked, sex, birth_date, phone_masked, unit_id, org_id, org_path, household, "
    "employment_form, employment_status, ethnic_group, education, political_status, needy_status, "
    "needy_detail, status, card_no, physical_card_no, joined_at, created_at, updated_at, citizen_enc, "
    "phone_enc, citizen_bidx, phone_bidx";

Member from_row(const db::Row& row);
std::optional<Member> find(db::Tx& tx, int64_t id);
// Reserves n consecutive-or-not member ids (the card number needs the id
// before the insert).
std::vector<int64_t> allocate_ids(db::Tx& tx, size_t n);
void insert(db::Tx& tx, const Member& m);
// Many rows in multi-row INSERTs (one round trip per chunk on PostgreSQL).
void insert_many(db::Tx& tx, const std::vector<Member>& members);
bool active_citizen_exists(db::Tx& tx, const std::string& bidx, int64_t except_id = 0);
// Which of these citizen blind indexes belong to an active member.
std::unordered_set<std::string> active_citizens(db::Tx& tx, const std::vector<std::string_view>& bidx);
void add_history(db::Tx& tx, int64_t member_id, const std::string& status, const std::string& event,
                 int64_t org_id, int64_t unit_id, const std::string& reason, int64_t actor_id);

// The API view: masked values only.
boost::json::object to_json(const Member& m);

}  // namespace gh::member
