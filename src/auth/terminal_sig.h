// Terminal request signatures (vending machines, gates, tills, kiosks).
//
// A terminal holds a 256-bit secret issued once when it is registered. Each
// request carries:
//   X-Terminal-Id: 42
//   X-Timestamp:   1764417600            (Unix seconds)
//   X-Nonce:       16–64 chars [A-Za-z0-9_-], never reused
//   X-Signature:   hex HMAC-SHA256(secret, canonical)
// where canonical = METHOD "\n" target "\n" timestamp "\n" nonce "\n"
// hex(SHA-256(body)), and target is the request path with its query string
// exactly as sent. The server accepts a timestamp within ±window of its clock
// and each (terminal, nonce) once, so a captured request cannot be replayed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/checked.h"

namespace gh::auth {

std::string signature_canonical(std::string_view method, std::string_view target,
                                std::string_view timestamp, std::string_view nonce,
                                std::string_view body);
// Hex HMAC-SHA256 over the canonical string.
std::string sign_request(std::string_view secret, std::string_view method, std::string_view target,
                         std::string_view timestamp, std::string_view nonce, std::string_view body);

// Checks the header values' shapes and the clock window (pure; the nonce's
// uniqueness is checked against the store). Error codes: terminal.headers,
// terminal.clock.
Checked<int64_t> check_signature_headers(std::string_view terminal_id, std::string_view timestamp,
                                         std::string_view nonce, std::string_view signature,
                                         int64_t now_s, int64_t window_s);

}  // namespace gh::auth
