// HTTP routes of limited campaigns (限量发放, e.g. 送清凉 gift packs):
// staff create campaigns with a stock; members claim (first come, first
// served) and get a pickup code (core/pickup_code.h); vending machines redeem
// a code exactly once, optionally each machine only as many as it was loaded
// with. Lottery mode: members register in the window, then one seeded,
// auditable draw (draw.h) picks the winners. See docs/campaigns.md.
#pragma once

#include "audit/audit.h"
#include "core/crypto.h"
#include "db/db.h"
#include "http/router.h"
#include "modules/campaign/crowd.h"

namespace gh::campaign {

class Routes {
 public:
  Routes(db::Store& store, const crypto::Keys& keys, const audit::Audit& audit)
      : store_(store), keys_(keys), audit_(audit) {}
  void mount(http::Router& router);

 private:
  http::Response create(http::Ctx& ctx, db::Tx& tx);
  http::Response list(http::Ctx& ctx);
  http::Response get(http::Ctx& ctx);
  http::Response stats(http::Ctx& ctx);
  http::Response claim(http::Ctx& ctx, db::Tx& tx);
  http::Response my_claims(http::Ctx& ctx);
  http::Response pickup(http::Ctx& ctx, db::Tx& tx);
  http::Response register_for(http::Ctx& ctx, db::Tx& tx);
  http::Response my_registrations(http::Ctx& ctx);
  http::Response draw_lots(http::Ctx& ctx, db::Tx& tx);
  http::Response draw_record(http::Ctx& ctx);
  http::Response load_machine(http::Ctx& ctx, db::Tx& tx);
  http::Response machines(http::Ctx& ctx);
  http::Response claims(http::Ctx& ctx);

  db::Store& store_;
  const crypto::Keys& keys_;
  const audit::Audit& audit_;
  Crowd crowd_;
};

}  // namespace gh::campaign
