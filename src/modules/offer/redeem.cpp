#include "modules/offer/redeem.h"

#include "core/date.h"

namespace gh::offer {
namespace {

constexpr std::string_view kMemberByCard =
    "SELECT id, status, household, employment_form, needy_status, org_path FROM members WHERE card_no = $1";

std::string fen_text(int64_t fen) { return std::to_string(fen) + " fen"; }

}  // namespace

RedeemResult redeem(db::Tx& tx, const std::vector<card::PublicKey>& card_keys, int64_t terminal_id,
                    const RedeemInput& in, int64_t now_ms) {
  if (auto first = find_redemption(tx, terminal_id, in.redemption_id))
    return {*first, true, first->offer_id != in.offer_id || first->original_fen != in.original_fen};

  Redemption r;
  r.terminal_id = terminal_id;
  r.redemption_id = in.redemption_id;
  r.offer_id = in.offer_id;
  r.original_fen = in.original_fen;
  r.member_pays_fen = in.original_fen;  // a refusal subsidises nothing
  r.redeemed_at = in.at_ms.value_or(now_ms);
  r.uploaded_at = now_ms;
  const LocalPeriod local = local_period(r.redeemed_at);
  r.local_day = local.day;
  r.local_month = local.month;

  auto finish = [&](std::string_view code = {}, std::string detail = {}) {
    if (code.empty()) {
      r.status = "accepted";
    } else {
      r.status = "refused";
      r.code = std::string(code);
      r.detail = std::move(detail);
      r.member_pays_fen = r.original_fen;
      r.subsidy_fen = 0;
    }
    r.id = insert_redemption(tx, r);
    return RedeemResult{r, false, false};
  };

  if (auto code = check_at(r.redeemed_at, now_ms); !code.empty())
    return finish(code, code == "at.in_future" ? "at lies more than 5 minutes after the server's clock"
                                               : "at lies more than 7 days before the upload");
  auto offer = find_offer(tx, in.offer_id);
  if (!offer) return finish("offer.unknown", "no offer with this id");
  r.merchant_id = offer->merchant_id;
  if (terminal_merchant(tx, terminal_id) != offer->merchant_id)
    return finish("offer.other_merchant", "this terminal does not serve the offer's merchant");
  if (auto merchant = find_merchant(tx, offer->merchant_id); !merchant || merchant->status != "active")
    return finish("merchant.suspended", "the offer's merchant is suspended");

  const auto token = card::verify(in.card_token, card_keys, r.redeemed_at / 1000);
  if (!token.ok) return finish(token.code, "the card token was not valid at the time of the sale");
  auto m = tx.one(kMemberByCard, {token.card_no});
  if (!m) return finish("card.unknown", "no member holds this card");
  r.member_id = (*m)[0].i64();
  r.member_path = (*m)[5].str();
  const MemberFacts facts{(*m)[1].str(), (*m)[2].str(), (*m)[3].str(), (*m)[4].opt_str()};
  if (facts.status != "active") return finish("card.inactive", "the membership is not active");

  if (auto code = check_window(offer->status, offer->starts_at, offer->ends_at, r.redeemed_at); !code.empty())
    return finish(code, code == "offer.paused"        ? "the offer is paused"
                        : code == "offer.not_started" ? "the offer starts at " + iso_utc(offer->starts_at)
                                                      : "the offer ended at " + iso_utc(offer->ends_at));
  if (!r.member_path->starts_with(offer->org_path) || !eligible(offer->groups, facts))
    return finish("offer.not_eligible", "the member is not in the groups this offer is for");

  const Used u = used(tx, offer->id, *r.member_id, local);
  if (const LimitHit hit = check_limits(offer->limits, u); hit != LimitHit::none) {
    const int64_t limit = hit == LimitHit::per_day     ? *offer->limits.per_day
                          : hit == LimitHit::per_month ? *offer->limits.per_month
                                                       : *offer->limits.total;
    const char* when = hit == LimitHit::per_day ? " on " : hit == LimitHit::per_month ? " in " : "";
    const std::string period = hit == LimitHit::per_day ? local.day : hit == LimitHit::per_month ? local.month : "";
    return finish("offer.limit_reached", std::string(limit_name(hit)) + ": the member has used this offer " +
                                             std::to_string(limit) + " times" + when + period + " (the limit)");
  }

  const Amounts a = amounts(offer->terms, in.original_fen);
  if (!take_budget(tx, offer->id, a.subsidy_fen))
    return finish("offer.budget_exhausted", "the offer's budget cannot cover a subsidy of " + fen_text(a.subsidy_fen) +
                                                " (" + fen_text(*offer->budget_fen - offer->budget_used_fen) +
                                                " left)");
  r.member_pays_fen = a.member_pays_fen;
  r.subsidy_fen = a.subsidy_fen;
  return finish();
}

}  // namespace gh::offer
