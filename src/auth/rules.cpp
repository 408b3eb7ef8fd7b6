#include "auth/rules.h"

#include <algorithm>
#include <cctype>

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
  if (std::find(granter.begin(), granter.end(), "admin") != granter.end()) return true;
  return std::all_of(roles.begin(), roles.end(), [&](const std::string& r) {
    return std::find(granter.begin(), granter.end(), r) != granter.end();
  });
}

}  // namespace gh::auth
