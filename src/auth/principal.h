// Who is calling: resolved once per request by the auth middleware and
// handed to handlers through http::Ctx. Plain data, no behaviour beyond
// permission and scope checks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "auth/permissions.h"

namespace gh::auth {

enum class PrincipalKind { staff, member, terminal };

struct Principal {
  PrincipalKind kind = PrincipalKind::staff;
  int64_t account_id = 0;
  std::string username;
  int64_t org_id = 0;          // staff: the org the account is bound to
  std::string org_path;        // staff: materialised path of that org, e.g. "/1/7/42/"
  std::vector<std::string> roles;
  PermSet perms;               // union of the roles' permissions
  int64_t member_id = 0;       // member accounts: the roster entry
  int64_t terminal_id = 0;     // terminals
  std::string session_hash;    // hex SHA-256 of the bearer token (never the token)

  bool can(Perm p) const { return perms.has(p); }
  // True when `path` (an org's materialised path) lies in this staff
  // account's subtree.
  bool in_scope(std::string_view path) const {
    return kind == PrincipalKind::staff && !org_path.empty() && path.starts_with(org_path);
  }
  // Staff of the top org ("/1/"): the only ones who see whole-system checks
  // (audit chain, ledger) and set system-wide tables.
  bool at_top() const {
    return kind == PrincipalKind::staff && std::count(org_path.begin(), org_path.end(), '/') == 2;
  }
};

}  // namespace gh::auth
