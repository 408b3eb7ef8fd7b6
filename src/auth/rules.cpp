#include "auth/rules.h"

#include <algorithm>
#include <cctype>

#include "auth/permissions.h"

namespace gh::auth {

std::optional<Invalid> check_password(std::string_view pw) {
  bool letter = false, digit = false;
  for (unsigned char c : pw) {
    letter |= std::isalpha(c) != 0;
    digit |= std::isdigit(c) != 0;
  }
  if (pw.size() < 8 || pw.size() > 128 || !letter || !digit)
    return Invalid{"password.weak", "password must be 8 to 128 characters with at least one letter and one digit"};
  return std::nullopt;
}

std::optional<Invalid> check_username(std::string_view u) {
  bool ok = u.size() >= 3 && u.size() <= 32 && std::islower(static_cast<unsigned char>(u[0]));
  for (unsigned char c : u)
    ok = ok && (std::islower(c) || std::isdigit(c) || c == '_' || c == '.' || c == '-');
  if (!ok)
    return Invalid{"username.format",
                   "username must be 3 to 32 characters of a-z, 0-9, _ . - and start with a letter"};
  return std::nullopt;
}

LoginFailure after_failure(int failed_count, int64_t now_ms, const LockoutPolicy& policy) {
  LoginFailure f;
  f.failed_count = failed_count + 1;
  if (f.failed_count >= policy.max_failures) {
    f.failed_count = 0;
    f.locked_until = now_ms + policy.lock_ms;
    f.locked_now = true;
  }
  return f;
}

bool may_grant(std::span<const std::string> granter, std::span<const std::string> roles) {
  // Compared by permissions, not names: an org_manager may hand out
  // case_officer (a subset of its own permissions) but never admin.
  PermSet mine = perms_for(granter);
  for (const auto& role : roles) {
    PermSet theirs = role_perms(role);
    for (unsigned i = 0; i < static_cast<unsigned>(Perm::kCount); ++i)
      if (theirs.has(static_cast<Perm>(i)) && !mine.has(static_cast<Perm>(i))) return false;
  }
  return true;
}

}  // namespace gh::auth
