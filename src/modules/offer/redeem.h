// Redeeming an offer at a terminal (核销), inside the caller's write
// transaction: every check, the per-member limits and the budget are decided
// in that one transaction, so with the store's single serialised writer two
// uploads can never both take the last use or the last fen. Inputs are
// already validated. See docs/offers.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/card_token.h"
#include "db/db.h"
#include "modules/offer/store.h"

namespace gh::offer {

struct RedeemInput {
  std::string redemption_id;  // the terminal's own id for the sale
  int64_t offer_id = 0;
  std::string card_token;  // the member's QR token, as scanned
  int64_t original_fen = 0;
  std::optional<int64_t> at_ms;  // when the till accepted it; default: now
};

struct RedeemResult {
  Redemption stored;       // accepted or refused
  bool duplicate = false;  // this terminal had already sent this redemption id: the first answer
  bool mismatch = false;   // … with another offer or amount than this time
};

// Looks the redemption id up for this terminal (a replay gets the first
// answer and changes nothing); otherwise checks, in order: `at` within the
// upload window, the offer exists, this terminal serves the offer's merchant,
// the merchant is active, the card token was valid at `at`, the card belongs
// to an active member, the offer was active at `at`, the member is in the
// offer's subtree and groups, the per-member limits, then takes the subsidy
// from the budget. The outcome, accepted or refused with a code, is stored.
RedeemResult redeem(db::Tx& tx, const std::vector<card::PublicKey>& card_keys, int64_t terminal_id,
                    const RedeemInput& in, int64_t now_ms);

}  // namespace gh::offer
