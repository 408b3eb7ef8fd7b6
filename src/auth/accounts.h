// Accounts in the store: staff accounts bound to an org with roles, and
// members' own accounts bound to a roster entry. Members log in with their
// phone number, which is never stored in the clear: their username is
// "m:" + the phone's blind index.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/db.h"

namespace gh::auth {

struct Account {
  int64_t id = 0;
  std::string kind;  // staff | member
  std::string username;
  std::string password_hash;
  int64_t org_id = 0;
  int64_t member_id = 0;
  std::vector<std::string> roles;
  std::string status = "active";
  int failed_count = 0;
  int64_t locked_until = 0;
  int64_t created_at = 0;
  std::string org_path;  // staff: the bound org's path; members: their union's
  std::string org_name;  // staff: the bound org's name
};

// Columns and joins for reading accounts: "SELECT " + kAccountColumns +
// kAccountFrom + " WHERE …", rows read with account_from_row.
inline constexpr std::string_view kAccountColumns =
    "a.id, a.kind, a.username, a.password_hash, a.org_id, a.member_id, a.roles, a.status, "
    "a.failed_count, a.locked_until, a.created_at, COALESCE(o.path, m.org_path), o.name";
inline constexpr std::string_view kAccountFrom =
    " FROM accounts a LEFT JOIN orgs o ON o.id = a.org_id LEFT JOIN members m ON m.id = a.member_id ";
Account account_from_row(const db::Row& r);

std::string member_username(std::string_view phone_blind_index);

std::optional<Account> find_account(db::Tx& tx, int64_t id);
std::optional<Account> find_by_username(db::Tx& tx, const std::string& username);
int64_t insert_account(db::Tx& tx, const Account& a);
// The materialised path of an org, if it exists.
std::optional<std::string> org_path_of(db::Tx& tx, int64_t org_id);
std::string join_roles(const std::vector<std::string>& roles);
boost::json::object account_json(const Account& a);

}  // namespace gh::auth
