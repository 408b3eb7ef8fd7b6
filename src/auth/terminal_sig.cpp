#include "auth/terminal_sig.h"

#include <charconv>

#include "core/crypto.h"

namespace gh::auth {

std::string signature_canonical(std::string_view method, std::string_view target,
                                std::string_view timestamp, std::string_view nonce,
                                std::string_view body) {
  std::string s;
  s.reserve(method.size() + target.size() + timestamp.size() + nonce.size() + 70);
  s.append(method).append("\n").append(target).append("\n").append(timestamp).append("\n");
  s.append(nonce).append("\n").append(crypto::sha256_hex(body));
  return s;
}

std::string sign_request(std::string_view secret, std::string_view method, std::string_view target,
                         std::string_view timestamp, std::string_view nonce, std::string_view body) {
  return crypto::hmac_sha256_hex(secret, signature_canonical(method, target, timestamp, nonce, body));
}

namespace {
bool parse_i64(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

Checked<int64_t> check_signature_headers(std::string_view terminal_id, std::string_view timestamp,
                                         std::string_view nonce, std::string_view signature,
                                         int64_t now_s, int64_t window_s) {
  int64_t id = 0, ts = 0;
  if (!parse_i64(terminal_id, id) || id <= 0)
    return Invalid{"terminal.headers", "X-Terminal-Id must be a terminal id"};
  if (!parse_i64(timestamp, ts)) return Invalid{"terminal.headers", "X-Timestamp must be Unix seconds"};
  if (nonce.size() < 16 || nonce.size() > 64)
    return Invalid{"terminal.headers", "X-Nonce must be 16 to 64 characters"};
  for (char c : nonce)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
      return Invalid{"terminal.headers", "X-Nonce may hold only letters, digits, - and _"};
  if (signature.size() != 64) return Invalid{"terminal.headers", "X-Signature must be 64 hex digits"};
  for (char c : signature)
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      return Invalid{"terminal.headers", "X-Signature must be 64 hex digits"};
  if (ts < now_s - window_s || ts > now_s + window_s)
    return Invalid{"terminal.clock", "X-Timestamp is outside the allowed window; check the terminal's clock"};
  return id;
}

}  // namespace gh::auth
