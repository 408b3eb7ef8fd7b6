// HTTP routes of offers (惠工服务): staff register merchants, bind their
// tills and gates, and publish offers with a price rule, eligible groups,
// per-member limits, a window and a budget; members see the offers they may
// use and their redemptions; terminals redeem (one sale, or an offline batch
// deduplicated by the terminal's redemption id); staff read reports of
// person-times and subsidies. See docs/offers.md.
#pragma once

#include <vector>

#include "audit/audit.h"
#include "core/card_token.h"
#include "core/crypto.h"
#include "db/db.h"
#include "http/router.h"

namespace gh::offer {

class Routes {
 public:
  Routes(db::Store& store, const crypto::Keys& keys, const audit::Audit& audit);
  void mount(http::Router& router);

 private:
  http::Response create_merchant(http::Ctx& ctx, db::Tx& tx);
  http::Response list_merchants(http::Ctx& ctx);
  http::Response get_merchant(http::Ctx& ctx);
  http::Response update_merchant(http::Ctx& ctx, db::Tx& tx);
  http::Response bind_terminal(http::Ctx& ctx, db::Tx& tx);
  http::Response unbind_terminal(http::Ctx& ctx, db::Tx& tx);
  http::Response create_offer(http::Ctx& ctx, db::Tx& tx);
  http::Response list_offers(http::Ctx& ctx);
  http::Response get_offer(http::Ctx& ctx);
  http::Response update_offer(http::Ctx& ctx, db::Tx& tx);
  http::Response report(http::Ctx& ctx);
  http::Response redemptions(http::Ctx& ctx);
  http::Response my_offers(http::Ctx& ctx);
  http::Response my_redemptions(http::Ctx& ctx);
  http::Response redeem(http::Ctx& ctx, db::Tx& tx);

  db::Store& store_;
  const audit::Audit& audit_;
  std::vector<card::PublicKey> card_keys_;
};

}  // namespace gh::offer
