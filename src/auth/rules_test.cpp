#include "auth/rules.h"

#include <gtest/gtest.h>

#include "auth/permissions.h"
#include "auth/terminal_sig.h"
#include "core/crypto.h"

namespace gh::auth {
namespace {

TEST(Password, NeedsLengthLetterAndDigit) {
  EXPECT_FALSE(check_password("Demo@2026").has_value());
  EXPECT_FALSE(check_password("abcdefg1").has_value());
  EXPECT_TRUE(check_password("abcdef1").has_value());      // 7 characters
  EXPECT_TRUE(check_password("abcdefgh").has_value());     // no digit
  EXPECT_TRUE(check_password("12345678").has_value());     // no letter
  EXPECT_TRUE(check_password(std::string(129, 'a') + "1").has_value());
  EXPECT_EQ(check_password("short1")->code, "password.weak");
}

TEST(Username, StaffNamesCannotLookLikePhones) {
  EXPECT_FALSE(check_username("yn_admin").has_value());
  EXPECT_FALSE(check_username("a.b-c_9").has_value());
  EXPECT_TRUE(check_username("13800138000").has_value());
  EXPECT_TRUE(check_username("Admin").has_value());
  EXPECT_TRUE(check_username("ab").has_value());
  EXPECT_TRUE(check_username("a b").has_value());
  EXPECT_TRUE(check_username(std::string(33, 'a')).has_value());
}

TEST(Lockout, LocksAfterMaxFailuresThenResetsCount) {
  LockoutPolicy p{.max_failures = 3, .lock_ms = 1000};
  auto f1 = after_failure(0, 5000, p);
  EXPECT_EQ(f1.failed_count, 1);
  EXPECT_FALSE(f1.locked_now);
  auto f2 = after_failure(f1.failed_count, 5000, p);
  EXPECT_FALSE(f2.locked_now);
  auto f3 = after_failure(f2.failed_count, 5000, p);
  EXPECT_TRUE(f3.locked_now);
  EXPECT_EQ(f3.locked_until, 6000);
  EXPECT_EQ(f3.failed_count, 0);
}

TEST(Roles, GrantOnlyWhatYouHold) {
  std::vector<std::string> admin{"admin"}, manager{"org_manager"}, both{"org_manager", "auditor"};
  std::vector<std::string> want_manager{"org_manager"}, want_admin{"admin"}, want_both{"org_manager", "auditor"};
  EXPECT_TRUE(may_grant(admin, want_both));
  EXPECT_TRUE(may_grant(manager, want_manager));
  EXPECT_FALSE(may_grant(manager, want_admin));
  EXPECT_FALSE(may_grant(manager, want_both));
  EXPECT_TRUE(may_grant(both, want_both));
  std::vector<std::string> officer{"case_officer"}, reviewer{"reviewer"};
  EXPECT_TRUE(may_grant(manager, officer));   // a subset of org_manager's permissions
  EXPECT_TRUE(may_grant(manager, reviewer));
  EXPECT_FALSE(may_grant(officer, manager));
  EXPECT_FALSE(may_grant(reviewer, officer));
}

TEST(Roles, PermissionTable) {
  EXPECT_TRUE(role_perms("admin").has(Perm::member_reveal));
  EXPECT_TRUE(role_perms("admin").has(Perm::audit_read));
  EXPECT_FALSE(role_perms("case_officer").has(Perm::member_reveal));
  EXPECT_FALSE(role_perms("auditor").has(Perm::member_write));
  EXPECT_TRUE(role_perms("auditor").has(Perm::audit_read));
  EXPECT_FALSE(role_perms("reviewer").has(Perm::staff_write));
  EXPECT_FALSE(role_perms("no_such_role").has(Perm::org_read));
  EXPECT_TRUE(is_role("org_manager"));
  EXPECT_FALSE(is_role("root"));
  EXPECT_EQ(perm_name(Perm::member_reveal), "member.reveal");
}

TEST(TerminalSignature, CanonicalStringAndHmac) {
  auto canonical = signature_canonical("POST", "/api/v1/terminal/ping?x=1", "1700000000", "nonce-0123456789", "{}");
  EXPECT_EQ(canonical, "POST\n/api/v1/terminal/ping?x=1\n1700000000\nnonce-0123456789\n" + crypto::sha256_hex("{}"));
  auto sig = sign_request("secret", "POST", "/p", "1", "n", "body");
  EXPECT_EQ(sig, crypto::hmac_sha256_hex("secret", signature_canonical("POST", "/p", "1", "n", "body")));
  EXPECT_NE(sig, sign_request("secret", "POST", "/p", "1", "n", "body2"));
  EXPECT_NE(sig, sign_request("secret", "GET", "/p", "1", "n", "body"));
}

TEST(TerminalSignature, HeaderShapesAndClockWindow) {
  std::string sig(64, 'a');
  std::string nonce = "0123456789abcdef";
  EXPECT_EQ(*check_signature_headers("7", "1000", nonce, sig, 1000, 300), 7);
  EXPECT_TRUE(check_signature_headers("7", "700", nonce, sig, 1000, 300).ok());
  EXPECT_TRUE(check_signature_headers("7", "1300", nonce, sig, 1000, 300).ok());
  EXPECT_EQ(check_signature_headers("7", "699", nonce, sig, 1000, 300).error().code, "terminal.clock");
  EXPECT_EQ(check_signature_headers("7", "1301", nonce, sig, 1000, 300).error().code, "terminal.clock");
  EXPECT_EQ(check_signature_headers("x", "1000", nonce, sig, 1000, 300).error().code, "terminal.headers");
  EXPECT_EQ(check_signature_headers("0", "1000", nonce, sig, 1000, 300).error().code, "terminal.headers");
  EXPECT_EQ(check_signature_headers("7", "10x0", nonce, sig, 1000, 300).error().code, "terminal.headers");
  EXPECT_EQ(check_signature_headers("7", "1000", "short", sig, 1000, 300).error().code, "terminal.headers");
  EXPECT_EQ(check_signature_headers("7", "1000", "0123456789abcde!", sig, 1000, 300).error().code, "terminal.headers");
  EXPECT_EQ(check_signature_headers("7", "1000", nonce, std::string(63, 'a'), 1000, 300).error().code, "terminal.headers");
  EXPECT_EQ(check_signature_headers("7", "1000", nonce, std::string(64, 'g'), 1000, 300).error().code, "terminal.headers");
}

}  // namespace
}  // namespace gh::auth
