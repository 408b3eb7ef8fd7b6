// Storage of offers (惠工服务): merchants, the terminals serving them, offers
// and their redemptions. Every function runs inside the caller's
// transaction. See docs/offers.md.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "db/db.h"
#include "modules/offer/rules.h"

namespace gh::offer {

inline constexpr std::string_view kCategories[] = {"transport",  "supermarket",   "online_shop", "department_store",
                                                   "restaurant", "meal_delivery", "hotel",       "convenience_store",
                                                   "cinema",     "other"};

struct Merchant {
  int64_t id = 0, org_id = 0;
  std::string org_path, name;
  std::optional<std::string> credit_code;
  std::string region_code;
  std::optional<std::string> address;
  std::string category, status = "active";
  int64_t created_at = 0, updated_at = 0;
};

extern const std::string_view kMerchantColumns;  // SELECT <these> FROM merchants
Merchant merchant_from_row(const db::Row& r);
std::optional<Merchant> find_merchant(db::Tx& tx, int64_t id);
int64_t insert_merchant(db::Tx& tx, const Merchant& m, int64_t created_by);
boost::json::object merchant_json(const Merchant& m);
// The merchant a terminal is bound to (none when unbound).
std::optional<int64_t> terminal_merchant(db::Tx& tx, int64_t terminal_id);

struct Offer {
  int64_t id = 0, merchant_id = 0, org_id = 0;
  std::string org_path, name;
  std::optional<std::string> description;
  Terms terms;
  Groups groups;
  Limits limits;
  int64_t starts_at = 0, ends_at = 0;
  std::optional<int64_t> budget_fen;
  int64_t budget_used_fen = 0;
  std::string status = "active";
  int64_t created_at = 0, updated_at = 0;
  std::string merchant_name, merchant_category;  // joined for display
};

extern const std::string_view kOfferColumns;  // SELECT <these> FROM offers o JOIN merchants m …
Offer offer_from_row(const db::Row& r);
std::optional<Offer> find_offer(db::Tx& tx, int64_t id);
int64_t insert_offer(db::Tx& tx, const Offer& o, int64_t created_by);
boost::json::object offer_json(const Offer& o);
// Takes `fen` from the offer's budget in one statement (never past the cap,
// whatever runs concurrently); false when the budget cannot cover it.
bool take_budget(db::Tx& tx, int64_t offer_id, int64_t fen);

// The member's accepted redemptions of an offer: on `day`, in `month`, in all.
Used used(db::Tx& tx, int64_t offer_id, int64_t member_id, const LocalPeriod& at);

// A stored redemption, accepted or refused.
struct Redemption {
  int64_t id = 0, terminal_id = 0;
  std::string redemption_id;
  int64_t offer_id = 0;
  std::optional<int64_t> merchant_id, member_id;
  std::optional<std::string> member_path;
  int64_t original_fen = 0, member_pays_fen = 0, subsidy_fen = 0;
  int64_t redeemed_at = 0, uploaded_at = 0;
  std::string local_day, local_month;
  std::string status;  // accepted, refused
  std::optional<std::string> code, detail;
};
extern const std::string_view kRedemptionColumns;
Redemption redemption_from_row(const db::Row& r);
std::optional<Redemption> find_redemption(db::Tx& tx, int64_t terminal_id, std::string_view redemption_id);
int64_t insert_redemption(db::Tx& tx, const Redemption& r);
// The answer a terminal gets for a redemption (also when replayed).
boost::json::object redemption_json(const Redemption& r);

}  // namespace gh::offer
