#include "modules/card/routes.h"

#include "core/phone.h"
#include "http/fields.h"
#include "modules/member/store.h"

namespace gh::card {
namespace {

using http::Method;
namespace json = boost::json;

constexpr std::string_view kByCard =
    "SELECT m.id, m.name, m.status, o.name FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.card_no = $1";

int64_t now_s() { return db::now_ms() / 1000; }

}  // namespace

Routes::Routes(db::Store& store, const crypto::Keys& keys) : store_(store) {
  for (const auto& [kid, seed] : keys.card) {
    public_.push_back(public_key({kid, seed}));
    secret_.push_back(expand({kid, seed}));
  }
  current_ = {keys.current_card, keys.card.at(keys.current_card)};
  public_json_ = keys_json(public_, keys.current_card);
}

void Routes::mount(http::Router& r) {
  r.add(Method::get, "/api/v1/me/card", {.auth = http::AuthMode::member}, [this](http::Ctx& c) { return my_card(c); });
  r.add(Method::get, "/api/v1/card/public-key", {.auth = http::AuthMode::none, .inline_read = true},
        [this](http::Ctx& c) { return public_keys(c); });
  r.add(Method::post, "/api/v1/terminal/card/verify", {.auth = http::AuthMode::terminal_read, .inline_read = true},
        [this](http::Ctx& c) { return verify_online(c); });
}

http::Response Routes::my_card(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto m = store_.read([&](db::Tx& tx) { return member::find(tx, who.member_id); });
  if (!m) throw Error::not_found("member");
  json::object out;
  out["card_no"] = m->card_no;
  out["physical_card_no"] = m->physical_card_no ? json::value(*m->physical_card_no) : json::value(nullptr);
  out["name_masked"] = mask_name(m->name);
  out["status"] = m->status;
  // Only an active membership gets a token: frozen or ended cards stop
  // verifying online at once and offline when their last token expires.
  if (m->status == "active") {
    const int64_t now = now_s();
    std::string token = issue(current_, m->card_no, now);
    issued_.remember(token, {true, {}, current_.kid, m->card_no, now, now + kTokenSeconds}, now);
    out["token"] = std::move(token);
    out["issued_at"] = now;
    out["expires_at"] = now + kTokenSeconds;
    out["refresh_after_s"] = kTokenSeconds - 10;
  } else {
    out["token"] = nullptr;
  }
  auto res = http::Response::json(200, out);
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

http::Response Routes::public_keys(http::Ctx&) {
  auto res = http::Response::text(200, public_json_, "application/json");
  res.headers.emplace_back("Cache-Control", "public, max-age=300");
  return res;
}

http::Response Routes::verify_online(http::Ctx& ctx) {
  http::Fields f(ctx.json());
  auto token = f.str("token", {.max = 300});
  f.done();
  // A token this process issued is known; any other is checked by signing
  // again (the server holds the signing keys).
  const int64_t now = now_s();
  auto known = issued_.find(token, now);
  auto v = known ? std::move(*known) : verify_issued(token, secret_, now);
  json::object out;
  out["valid"] = false;
  if (!v.ok) {
    out["code"] = v.code;
    return http::Response::json(200, out);
  }
  auto row = store_.read_one(kByCard, {v.card_no});
  if (!row || (*row)[2].str() != "active") {
    out["code"] = "card.inactive";
    out["card_no"] = v.card_no;
    return http::Response::json(200, out);
  }
  out["valid"] = true;
  out["card_no"] = v.card_no;
  out["name_masked"] = mask_name((*row)[1].str());
  out["union"] = (*row)[3].str();
  out["expires_at"] = v.expires_at;
  return http::Response::json(200, out);
}

}  // namespace gh::card
