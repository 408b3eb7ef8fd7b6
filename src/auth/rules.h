// Account rules (pure functions): password policy, staff usernames,
// lockout, and which roles a staff account may grant.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/checked.h"

namespace gh::auth {

struct LockoutPolicy {
  int max_failures = 5;              // consecutive failures before a lock
  int64_t lock_ms = 15 * 60 * 1000;  // how long the lock lasts
};

// 8–128 characters with at least one letter and one digit. Code: password.weak.
std::optional<Invalid> check_password(std::string_view password);
// 3–32 of [a-z0-9_.-], starting with a letter (so it never looks like a
// phone number, which is how members log in). Code: username.format.
std::optional<Invalid> check_username(std::string_view username);

struct LoginFailure {
  int failed_count = 0;     // to store
  int64_t locked_until = 0; // to store (0 = not locked)
  bool locked_now = false;
};
// What one more failed attempt does to an account.
LoginFailure after_failure(int failed_count, int64_t now_ms, const LockoutPolicy& policy);

// A staff account may grant (or manage accounts holding) only roles whose
// permissions it holds itself; admin may grant all.
bool may_grant(std::span<const std::string> granter_roles, std::span<const std::string> roles);

}  // namespace gh::auth
