// HTTP routes of the digital union card (电子会员卡): the member's card with
// a rotating signed token, the public keys that verify tokens offline, and
// online verification for terminals. Token format: core/card_token.h and
// docs/card-tokens.md.
#pragma once

#include "core/card_token.h"
#include "core/crypto.h"
#include "db/db.h"
#include "http/router.h"
#include "modules/card/issued.h"

namespace gh::card {

class Routes {
 public:
  Routes(db::Store& store, const crypto::Keys& keys);
  void mount(http::Router& router);

 private:
  http::Response my_card(http::Ctx& ctx);
  http::Response public_keys(http::Ctx& ctx);
  http::Response verify_online(http::Ctx& ctx);

  db::Store& store_;
  SigningKey current_;
  std::vector<PublicKey> public_;
  std::vector<SecretKey> secret_;  // the same keys expanded, for verify_issued
  Issued issued_;
  std::string public_json_;
};

}  // namespace gh::card
