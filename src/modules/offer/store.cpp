#include "modules/offer/store.h"

#include "core/date.h"
#include "core/error.h"
#include "modules/common.h"

namespace gh::offer {
namespace {

namespace json = boost::json;

constexpr std::string_view kMerchantColumnsText =
    "id, org_id, org_path, name, credit_code, region_code, address, category, status, created_at, updated_at";
constexpr std::string_view kInsertMerchant =
    "INSERT INTO merchants (org_id, org_path, name, credit_code, region_code, address, category, status, created_by, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id";
constexpr std::string_view kTerminalMerchant = "SELECT merchant_id FROM merchant_terminals WHERE terminal_id = $1";

constexpr std::string_view kOfferColumnsText =
    "o.id, o.merchant_id, o.org_id, o.org_path, o.name, o.description, o.kind, o.price_fen, o.pay_percent, "
    "o.value_fen, o.eligible_groups, o.limit_per_day, o.limit_per_month, o.limit_total, o.starts_at, o.ends_at, "
    "o.budget_fen, o.budget_used_fen, o.status, o.created_at, o.updated_at, m.name, m.category";
constexpr std::string_view kInsertOffer =
    "INSERT INTO offers (merchant_id, org_id, org_path, name, description, kind, price_fen, pay_percent, value_fen, "
    "eligible_groups, limit_per_day, limit_per_month, limit_total, starts_at, ends_at, budget_fen, status, created_by, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
    "$19, $19) RETURNING id";
// The budget check and the take in one statement; the CHECK (budget_used_fen
// <= budget_fen) refuses an overspend in any case.
constexpr std::string_view kTakeBudget =
    "UPDATE offers SET budget_used_fen = budget_used_fen + $2 "
    "WHERE id = $1 AND (budget_fen IS NULL OR budget_used_fen + $2 <= budget_fen)";
constexpr std::string_view kUsed =
    "SELECT COUNT(*), "
    "COALESCE(SUM(CASE WHEN local_month = $3 THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN local_day = $4 THEN 1 ELSE 0 END), 0) "
    "FROM offer_redemptions WHERE offer_id = $1 AND member_id = $2 AND status = 'accepted'";

constexpr std::string_view kRedemptionColumnsText =
    "id, terminal_id, redemption_id, offer_id, merchant_id, member_id, member_path, original_fen, member_pays_fen, "
    "subsidy_fen, redeemed_at, uploaded_at, local_day, local_month, status, code, detail";
constexpr std::string_view kInsertRedemption =
    "INSERT INTO offer_redemptions (terminal_id, redemption_id, offer_id, merchant_id, member_id, member_path, "
    "original_fen, member_pays_fen, subsidy_fen, redeemed_at, uploaded_at, local_day, local_month, status, code, "
    "detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id";

json::value opt_fen(const std::optional<int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

}  // namespace

const std::string_view kMerchantColumns = kMerchantColumnsText;
const std::string_view kOfferColumns = kOfferColumnsText;
const std::string_view kRedemptionColumns = kRedemptionColumnsText;

Merchant merchant_from_row(const db::Row& r) {
  Merchant m;
  m.id = r[0].i64();
  m.org_id = r[1].i64();
  m.org_path = r[2].str();
  m.name = r[3].str();
  m.credit_code = r[4].opt_str();
  m.region_code = r[5].str();
  m.address = r[6].opt_str();
  m.category = r[7].str();
  m.status = r[8].str();
  m.created_at = r[9].i64();
  m.updated_at = r[10].i64();
  return m;
}

std::optional<Merchant> find_merchant(db::Tx& tx, int64_t id) {
  static const std::string sql = "SELECT " + std::string(kMerchantColumnsText) + " FROM merchants WHERE id = $1";
  auto r = tx.one(sql, {id});
  if (!r) return std::nullopt;
  return merchant_from_row(*r);
}

int64_t insert_merchant(db::Tx& tx, const Merchant& m, int64_t created_by) {
  return tx
      .one(kInsertMerchant, {m.org_id, m.org_path, m.name, m.credit_code, m.region_code, m.address, m.category,
                             m.status, created_by, db::now_ms()})
      ->at(0)
      .i64();
}

json::object merchant_json(const Merchant& m) {
  return {{"id", m.id},
          {"org_id", m.org_id},
          {"name", m.name},
          {"credit_code", modules::opt_json(m.credit_code)},
          {"region_code", m.region_code},
          {"address", modules::opt_json(m.address)},
          {"category", m.category},
          {"status", m.status},
          {"created_at", iso_utc(m.created_at)},
          {"updated_at", iso_utc(m.updated_at)}};
}

std::optional<int64_t> terminal_merchant(db::Tx& tx, int64_t terminal_id) {
  auto r = tx.one(kTerminalMerchant, {terminal_id});
  if (!r) return std::nullopt;
  return (*r)[0].i64();
}

Offer offer_from_row(const db::Row& r) {
  Offer o;
  o.id = r[0].i64();
  o.merchant_id = r[1].i64();
  o.org_id = r[2].i64();
  o.org_path = r[3].str();
  o.name = r[4].str();
  o.description = r[5].opt_str();
  o.terms.kind = parse_kind(r[6].str()).value_or(Kind::fixed);
  o.terms.price_fen = r[7].i64();
  o.terms.percent = static_cast<int>(r[8].i64());
  o.terms.value_fen = r[9].i64();
  o.groups = groups_from_text(r[10].str());
  o.limits = {r[11].opt_i64(), r[12].opt_i64(), r[13].opt_i64()};
  o.starts_at = r[14].i64();
  o.ends_at = r[15].i64();
  o.budget_fen = r[16].opt_i64();
  o.budget_used_fen = r[17].i64();
  o.status = r[18].str();
  o.created_at = r[19].i64();
  o.updated_at = r[20].i64();
  o.merchant_name = r[21].str();
  o.merchant_category = r[22].str();
  return o;
}

std::optional<Offer> find_offer(db::Tx& tx, int64_t id) {
  static const std::string sql = "SELECT " + std::string(kOfferColumnsText) +
                                 " FROM offers o JOIN merchants m ON m.id = o.merchant_id WHERE o.id = $1";
  auto r = tx.one(sql, {id});
  if (!r) return std::nullopt;
  return offer_from_row(*r);
}

int64_t insert_offer(db::Tx& tx, const Offer& o, int64_t created_by) {
  const auto& t = o.terms;
  return tx
      .one(kInsertOffer, {o.merchant_id, o.org_id, o.org_path, o.name, o.description, kind_name(t.kind),
                          t.kind == Kind::fixed ? db::Value(t.price_fen) : db::Value(),
                          t.kind == Kind::percent ? db::Value(t.percent) : db::Value(),
                          t.kind == Kind::free ? db::Value(t.value_fen) : db::Value(), groups_text(o.groups),
                          o.limits.per_day, o.limits.per_month, o.limits.total, o.starts_at, o.ends_at, o.budget_fen,
                          o.status, created_by, db::now_ms()})
      ->at(0)
      .i64();
}

json::object offer_json(const Offer& o) {
  json::object out;
  out["id"] = o.id;
  out["merchant_id"] = o.merchant_id;
  out["merchant"] = o.merchant_name;
  out["merchant_category"] = o.merchant_category;
  out["org_id"] = o.org_id;
  out["name"] = o.name;
  out["description"] = modules::opt_json(o.description);
  out["kind"] = kind_name(o.terms.kind);
  out["price_fen"] = o.terms.kind == Kind::fixed ? json::value(o.terms.price_fen) : json::value(nullptr);
  out["percent"] = o.terms.kind == Kind::percent ? json::value(o.terms.percent) : json::value(nullptr);
  out["value_fen"] = o.terms.kind == Kind::free ? json::value(o.terms.value_fen) : json::value(nullptr);
  json::array groups;
  for (const auto& g : group_names(o.groups)) groups.emplace_back(g);
  out["groups"] = std::move(groups);
  out["limit_per_day"] = opt_fen(o.limits.per_day);
  out["limit_per_month"] = opt_fen(o.limits.per_month);
  out["limit_total"] = opt_fen(o.limits.total);
  out["starts_at"] = iso_utc(o.starts_at);
  out["ends_at"] = iso_utc(o.ends_at);
  out["budget_fen"] = opt_fen(o.budget_fen);
  out["budget_used_fen"] = o.budget_used_fen;
  out["budget_left_fen"] = o.budget_fen ? json::value(*o.budget_fen - o.budget_used_fen) : json::value(nullptr);
  out["status"] = o.status;
  out["created_at"] = iso_utc(o.created_at);
  out["updated_at"] = iso_utc(o.updated_at);
  return out;
}

bool take_budget(db::Tx& tx, int64_t offer_id, int64_t fen) { return tx.exec(kTakeBudget, {offer_id, fen}) == 1; }

Used used(db::Tx& tx, int64_t offer_id, int64_t member_id, const LocalPeriod& at) {
  auto r = tx.query(kUsed, {offer_id, member_id, at.month, at.day});
  return {r[0][2].i64(), r[0][1].i64(), r[0][0].i64()};
}

Redemption redemption_from_row(const db::Row& r) {
  Redemption x;
  x.id = r[0].i64();
  x.terminal_id = r[1].i64();
  x.redemption_id = r[2].str();
  x.offer_id = r[3].i64();
  x.merchant_id = r[4].opt_i64();
  x.member_id = r[5].opt_i64();
  x.member_path = r[6].opt_str();
  x.original_fen = r[7].i64();
  x.member_pays_fen = r[8].i64();
  x.subsidy_fen = r[9].i64();
  x.redeemed_at = r[10].i64();
  x.uploaded_at = r[11].i64();
  x.local_day = r[12].str();
  x.local_month = r[13].str();
  x.status = r[14].str();
  x.code = r[15].opt_str();
  x.detail = r[16].opt_str();
  return x;
}

std::optional<Redemption> find_redemption(db::Tx& tx, int64_t terminal_id, std::string_view redemption_id) {
  static const std::string sql = "SELECT " + std::string(kRedemptionColumnsText) +
                                 " FROM offer_redemptions WHERE terminal_id = $1 AND redemption_id = $2";
  auto r = tx.one(sql, {terminal_id, redemption_id});
  if (!r) return std::nullopt;
  return redemption_from_row(*r);
}

int64_t insert_redemption(db::Tx& tx, const Redemption& r) {
  return tx
      .one(kInsertRedemption, {r.terminal_id, r.redemption_id, r.offer_id, r.merchant_id, r.member_id, r.member_path,
                               r.original_fen, r.member_pays_fen, r.subsidy_fen, r.redeemed_at, r.uploaded_at,
                               r.local_day, r.local_month, r.status, r.code, r.detail})
      ->at(0)
      .i64();
}

json::object redemption_json(const Redemption& r) {
  json::object out;
  out["redemption_id"] = r.redemption_id;
  out["status"] = r.status;
  out["id"] = r.id;
  out["offer_id"] = r.offer_id;
  out["original_fen"] = r.original_fen;
  out["member_pays_fen"] = r.member_pays_fen;
  out["subsidy_fen"] = r.subsidy_fen;
  out["redeemed_at"] = iso_utc(r.redeemed_at);
  out["uploaded_at"] = iso_utc(r.uploaded_at);
  if (r.status != "accepted") {
    out["code"] = modules::opt_json(r.code);
    out["detail"] = modules::opt_json(r.detail);
  }
  return out;
}

}  // namespace gh::offer
