#include "auth/routes.h"

#include "auth/accounts.h"
#include "core/date.h"
#include "core/phone.h"
#include "http/fields.h"
#include "modules/common.h"

namespace gh::auth {
namespace {

using http::Method;
namespace json = boost::json;

constexpr std::string_view kFailed =
    "UPDATE accounts SET failed_count = $2, locked_until = $3, updated_at = $4 WHERE id = $1";
constexpr std::string_view kSucceeded =
    "UPDATE accounts SET failed_count = 0, locked_until = 0, updated_at = $2 WHERE id = $1";
constexpr std::string_view kSetPassword =
    "UPDATE accounts SET password_hash = $2, failed_count = 0, locked_until = 0, updated_at = $3 WHERE id = $1";
constexpr std::string_view kSetRoles = "UPDATE accounts SET roles = $2, status = $3, updated_at = $4 WHERE id = $1";
constexpr std::string_view kUnlock = "UPDATE accounts SET failed_count = 0, locked_until = 0, updated_at = $2 WHERE id = $1";
constexpr std::string_view kInsertTerminal =
    "INSERT INTO terminals (name, kind, org_id, secret_enc, status, created_at) "
    "VALUES ($1, $2, $3, $4, 'active', $5) RETURNING id";
constexpr std::string_view kTerminalColumns =
    "t.id, t.name, t.kind, t.org_id, t.status, t.created_at, o.path, t.last_seen_at";
constexpr std::string_view kSetTerminalStatus = "UPDATE terminals SET status = $2 WHERE id = $1";
constexpr std::string_view kSetTerminalSecret = "UPDATE terminals SET secret_enc = $2 WHERE id = $1";

// A member account works only while its membership is active.
bool member_active(db::Store& store, int64_t member_id) {
  return store.read([&](db::Tx& tx) {
    auto r = tx.one("SELECT status FROM members WHERE id = $1", {member_id});
    return r && (*r)[0].str() == "active";
  });
}

Error invalid_credentials() {
  return Error{ErrorKind::unauthorized, "auth.invalid_credentials", "wrong username or password"};
}

Error locked(int64_t until) {
  return Error{ErrorKind::locked, "auth.locked",
               "too many failed logins: the account is locked until " + iso_utc(until) +
                   "; try again later or ask an administrator to unlock it"};
}

json::object terminal_json(const db::Row& r) {
  json::object j;
  j["id"] = r[0].i64();
  j["name"] = r[1].str();
  j["kind"] = r[2].str();
  j["org_id"] = r[3].i64();
  j["status"] = r[4].str();
  j["created_at"] = iso_utc(r[5].i64());
  j["last_seen_at"] = r[7].is_null() ? json::value(nullptr) : json::value(iso_utc(r[7].i64()));
  return j;
}

}  // namespace

void Routes::mount(http::Router& r) {
  dummy_hash_ = crypto::hash_password("not a real password 0");
  auto staff = [](Perm p) { return http::RouteOptions{.auth = http::AuthMode::staff, .perm = p}; };
  r.add(Method::post, "/api/v1/auth/login", {.auth = http::AuthMode::none}, [this](http::Ctx& c) { return login(c); });
  r.add(Method::post, "/api/v1/auth/logout", {.auth = http::AuthMode::session}, [this](http::Ctx& c) { return logout(c); });
  r.add(Method::get, "/api/v1/auth/me", {.auth = http::AuthMode::session}, [this](http::Ctx& c) { return me(c); });
  r.add(Method::post, "/api/v1/auth/password", {.auth = http::AuthMode::session},
        [this](http::Ctx& c) { return change_password(c); });
  r.add(Method::post, "/api/v1/staff", staff(Perm::staff_write), [this](http::Ctx& c) { return create_staff(c); });
  r.add(Method::get, "/api/v1/staff", staff(Perm::staff_read), [this](http::Ctx& c) { return list_staff(c); });
  r.add(Method::get, "/api/v1/staff/{id}", staff(Perm::staff_read), [this](http::Ctx& c) { return get_staff(c); });
  r.add_tx(Method::patch, "/api/v1/staff/{id}", staff(Perm::staff_write),
           [this](http::Ctx& c, db::Tx& tx) { return update_staff(c, tx); });
  r.add(Method::post, "/api/v1/staff/{id}/password", staff(Perm::staff_write),
        [this](http::Ctx& c) { return reset_password(c); });
  r.add(Method::get, "/api/v1/roles", {.auth = http::AuthMode::staff}, [](http::Ctx&) {
    json::array roles;
    for (auto name : all_role_names()) {
      json::array perms;
      auto set = role_perms(name);
      for (unsigned i = 0; i < static_cast<unsigned>(Perm::kCount); ++i)
        if (set.has(static_cast<Perm>(i))) perms.push_back(json::string(perm_name(static_cast<Perm>(i))));
      roles.push_back({{"name", name}, {"permissions", std::move(perms)}});
    }
    return http::Response::json(200, json::object{{"roles", std::move(roles)}});
  });
  r.add_tx(Method::post, "/api/v1/terminals", staff(Perm::terminal_write),
           [this](http::Ctx& c, db::Tx& tx) { return create_terminal(c, tx); });
  r.add(Method::get, "/api/v1/terminals", staff(Perm::terminal_write), [this](http::Ctx& c) { return list_terminals(c); });
  r.add_tx(Method::post, "/api/v1/terminals/{id}/disable", staff(Perm::terminal_write),
           [this](http::Ctx& c, db::Tx& tx) { return set_terminal_status(c, tx, "disabled"); });
  r.add_tx(Method::post, "/api/v1/terminals/{id}/enable", staff(Perm::terminal_write),
           [this](http::Ctx& c, db::Tx& tx) { return set_terminal_status(c, tx, "active"); });
  r.add_tx(Method::post, "/api/v1/terminals/{id}/secret", staff(Perm::terminal_write),
           [this](http::Ctx& c, db::Tx& tx) { return rekey_terminal(c, tx); });
  r.add(Method::post, "/api/v1/terminal/ping", {.auth = http::AuthMode::terminal}, [this](http::Ctx& c) { return ping(c); });
}

http::Response Routes::login(http::Ctx& ctx) {
  if (!login_limiter_.allow(ctx.req.remote_addr, db::now_ms()))
    throw Error{ErrorKind::too_many, "auth.rate_limited", "too many login attempts from this address; wait a minute"};
  http::Fields f(ctx.json());
  auto username = f.str("username", {.max = 64});
  auto password = f.str("password", {.max = 128});
  f.done();
  // Members log in with their phone number; staff with a username.
  std::string key = username;
  auto phone = parse_phone(username);
  if (phone) key = member_username(crypto::blind_index(keys_, "phone", *phone));
  auto account = store_.read([&](db::Tx& tx) { return find_by_username(tx, key); });
  int64_t now = db::now_ms();
  auto record = [&](const Account* a, const std::string& result, const std::string& detail) {
    return audit::Entry{"auth.login", "account", a ? std::to_string(a->id) : "", result, detail,
                        a ? a->org_path : ""};
  };
  if (account && account->kind == "member" && !member_active(store_, account->member_id)) account.reset();
  if (!account || account->status != "active") {
    crypto::verify_password(dummy_hash_, password);
    store_.write([&](db::Tx& tx) {
      // The attempted name is kept only when it cannot be a phone number.
      audit_.append(tx, audit::Actor::anonymous(parse_phone(username) ? "" : username.substr(0, 32)),
                    record(nullptr, "failed", account ? "disabled" : "unknown user"));
    });
    throw invalid_credentials();
  }
  audit::Actor actor{account->kind, account->id, account->kind == "staff" ? account->username : ""};
  if (account->locked_until > now) {
    store_.write([&](db::Tx& tx) { audit_.append(tx, actor, record(&*account, "failed", "locked")); });
    throw locked(account->locked_until);
  }
  if (!crypto::verify_password(account->password_hash, password)) {
    auto failure = store_.write([&](db::Tx& tx) {
      // Re-read inside the write so concurrent failures all count.
      auto fresh = find_account(tx, account->id);
      auto fl = after_failure(fresh->failed_count, now, lockout_);
      tx.exec(kFailed, {account->id, int64_t{fl.failed_count}, fl.locked_until, now});
      audit_.append(tx, actor, record(&*account, "failed", fl.locked_now ? "wrong password; locked" : "wrong password"));
      return fl;
    });
    if (failure.locked_now) throw locked(failure.locked_until);
    throw invalid_credentials();
  }
  auto kind = account->kind == "member" ? PrincipalKind::member : PrincipalKind::staff;
  auto session = store_.write([&](db::Tx& tx) {
    tx.exec(kSucceeded, {account->id, now});
    audit_.append(tx, actor, record(&*account, "ok", ""));
    return sessions_.create(tx, account->id, kind);
  });
  json::object out;
  out["token"] = session.token;
  out["expires_at"] = iso_utc(session.expires_at);
  auto acc = account_json(*account);
  if (kind == PrincipalKind::member) acc["username"] = mask_phone(*phone);
  out["account"] = std::move(acc);
  auto res = http::Response::json(200, out);
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

http::Response Routes::logout(http::Ctx& ctx) {
  const auto& who = ctx.who();
  sessions_.end(who.session_hash);
  store_.write([&](db::Tx& tx) {
    audit_.append(tx, audit::Actor::of(&who), {"auth.logout", "account", std::to_string(who.account_id), "ok", "", who.org_path});
  });
  return http::Response::no_content();
}

http::Response Routes::me(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto account = store_.read([&](db::Tx& tx) { return find_account(tx, who.account_id); });
  if (!account) throw Error::unauthorized();
  auto j = account_json(*account);
  json::array perms;
  for (unsigned i = 0; i < static_cast<unsigned>(Perm::kCount); ++i)
    if (who.can(static_cast<Perm>(i))) perms.push_back(json::string(perm_name(static_cast<Perm>(i))));
  j["permissions"] = std::move(perms);
  return http::Response::json(200, json::object{{"account", std::move(j)}});
}

http::Response Routes::change_password(http::Ctx& ctx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  auto old_pw = f.str("old_password", {.max = 128});
  auto new_pw = f.str("new_password", {.max = 128});
  if (auto weak = check_password(new_pw)) f.add("new_password", weak->code, weak->message);
  f.done();
  auto account = store_.read([&](db::Tx& tx) { return find_account(tx, who.account_id); });
  if (!account || !crypto::verify_password(account->password_hash, old_pw))
    throw Error::invalid("old_password", "old_password.wrong", "the current password is wrong");
  auto hash = crypto::hash_password(new_pw);
  store_.write([&](db::Tx& tx) {
    tx.exec(kSetPassword, {who.account_id, hash, db::now_ms()});
    Sessions::end_all(tx, who.account_id);
    audit_.append(tx, audit::Actor::of(&who), {"auth.password", "account", std::to_string(who.account_id), "ok", "", who.org_path});
  });
  sessions_.evict_account(who.account_id);
  return http::Response::no_content();
}

http::Response Routes::create_staff(http::Ctx& ctx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  Account a;
  a.kind = "staff";
  a.username = f.str("username", {.max = 32});
  auto password = f.str("password", {.max = 128});
  a.org_id = f.id("org_id");
  a.roles = f.str_list("roles", 5);
  if (!a.username.empty())
    if (auto bad = check_username(a.username)) f.add("username", bad->code, bad->message);
  if (!password.empty())
    if (auto weak = check_password(password)) f.add("password", weak->code, weak->message);
  if (a.roles.empty()) f.add("roles", "roles.required", "give the account at least one role");
  for (const auto& role : a.roles)
    if (!is_role(role)) f.add("roles", "roles.unknown", "unknown role " + role);
  if (f.ok() && !may_grant(who.roles, a.roles))
    f.add("roles", "roles.not_held", "you can only grant roles you hold yourself");
  f.done();
  a.password_hash = crypto::hash_password(password);
  auto created = store_.write([&](db::Tx& tx) {
    auto org = org_path_of(tx, a.org_id);
    if (!org) throw Error::invalid("org_id", "org_id.unknown", "no org with this id");
    modules::require_scope(who, *org, "org");
    if (find_by_username(tx, a.username))
      throw Error{ErrorKind::conflict, "username.taken", "this username is taken",
                  {{"username", "username.taken", "this username is taken"}}};
    a.id = insert_account(tx, a);
    audit_.append(tx, audit::Actor::of(&who), {"staff.create", "account", std::to_string(a.id), "ok",
                                               join_roles(a.roles), *org});
    return *find_account(tx, a.id);
  });
  return http::Response::json(201, account_json(created));
}

http::Response Routes::list_staff(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  std::string where = std::string(kAccountFrom) + "WHERE a.kind = 'staff' AND o.path >= $1 AND o.path < $2";
  std::vector<db::Value> params{who.org_path, modules::subtree_upper(who.org_path)};
  if (auto q = ctx.req.query_param("q"); q && !q->empty()) {
    params.emplace_back(modules::like_prefix(*q));
    where += " AND a.username LIKE $3 ESCAPE '\\'";
  }
  auto [rows, total] = modules::paged(store_, kAccountColumns, where, params, "a.id", page);
  json::array items;
  for (const auto& row : rows) items.push_back(account_json(account_from_row(row)));
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

http::Response Routes::get_staff(http::Ctx& ctx) {
  int64_t id = ctx.id_param();
  auto a = store_.read([&](db::Tx& tx) { return find_account(tx, id); });
  if (!a || a->kind != "staff") throw Error::not_found("staff account");
  modules::require_scope(ctx.who(), a->org_path, "staff account");
  return http::Response::json(200, account_json(*a));
}

http::Response Routes::update_staff(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  int64_t id = ctx.id_param();
  auto a = find_account(tx, id);
  if (!a || a->kind != "staff") throw Error::not_found("staff account");
  modules::require_scope(who, a->org_path, "staff account");
  if (!may_grant(who.roles, a->roles))
    throw Error::forbidden("this account holds roles you do not hold; ask an administrator");
  http::Fields f(ctx.json());
  auto roles = f.raw("roles") ? f.str_list("roles", 5) : a->roles;
  auto status = f.raw("status") ? f.one_of("status", {"active", "disabled"}) : a->status;
  bool unlock = f.boolean("unlock", false);
  for (const auto& role : roles)
    if (!is_role(role)) f.add("roles", "roles.unknown", "unknown role " + role);
  if (roles.empty()) f.add("roles", "roles.required", "give the account at least one role");
  if (f.ok() && !may_grant(who.roles, roles)) f.add("roles", "roles.not_held", "you can only grant roles you hold yourself");
  if (id == who.account_id && status != "active") f.add("status", "status.self", "you cannot disable your own account");
  f.done();
  tx.exec(kSetRoles, {id, join_roles(roles), status, db::now_ms()});
  if (unlock) tx.exec(kUnlock, {id, db::now_ms()});
  if (status != "active") Sessions::end_all(tx, id);
  tx.on_commit([this, id] { sessions_.evict_account(id); });
  audit_.append(tx, audit::Actor::of(&who), {"staff.update", "account", std::to_string(id), "ok",
                                             join_roles(roles) + ";" + status + (unlock ? ";unlock" : ""), a->org_path});
  return http::Response::json(200, account_json(*find_account(tx, id)));
}

http::Response Routes::reset_password(http::Ctx& ctx) {
  const auto& who = ctx.who();
  int64_t id = ctx.id_param();
  http::Fields f(ctx.json());
  auto password = f.str("password", {.max = 128});
  if (auto weak = check_password(password)) f.add("password", weak->code, weak->message);
  f.done();
  auto hash = crypto::hash_password(password);
  store_.write([&](db::Tx& tx) {
    auto a = find_account(tx, id);
    if (!a || a->kind != "staff") throw Error::not_found("staff account");
    modules::require_scope(who, a->org_path, "staff account");
    if (!may_grant(who.roles, a->roles))
      throw Error::forbidden("this account holds roles you do not hold; ask an administrator");
    tx.exec(kSetPassword, {id, hash, db::now_ms()});
    Sessions::end_all(tx, id);
    audit_.append(tx, audit::Actor::of(&who), {"staff.password_reset", "account", std::to_string(id), "ok", "", a->org_path});
  });
  sessions_.evict_account(id);
  return http::Response::no_content();
}

http::Response Routes::create_terminal(http::Ctx& ctx, db::Tx& tx) {
  const auto& who = ctx.who();
  http::Fields f(ctx.json());
  auto name = f.str("name", {.max = 100});
  auto kind = f.one_of("kind", {"vending_machine", "gate", "till", "kiosk", "checkup_centre"});
  auto org_id = f.id("org_id");
  f.done();
  auto org = org_path_of(tx, org_id);
  if (!org) throw Error::invalid("org_id", "org_id.unknown", "no org with this id");
  modules::require_scope(who, *org, "org");
  auto secret = crypto::random_bytes(32);
  int64_t id = tx.query(kInsertTerminal, {name, kind, org_id, crypto::seal(keys_, secret, "terminal.secret"),
                                          db::now_ms()})[0][0].i64();
  audit_.append(tx, audit::Actor::of(&who), {"terminal.create", "terminal", std::to_string(id), "ok", kind, *org});
  json::object out;
  out["id"] = id;
  out["name"] = name;
  out["kind"] = kind;
  out["org_id"] = org_id;
  out["status"] = "active";
  // Shown once: the terminal signs its requests with it (docs/terminals.md).
  out["secret"] = crypto::to_hex(secret);
  auto res = http::Response::json(201, out);
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

http::Response Routes::list_terminals(http::Ctx& ctx) {
  const auto& who = ctx.who();
  auto page = http::page_from(ctx.req);
  std::string where = " FROM terminals t JOIN orgs o ON o.id = t.org_id WHERE o.path >= $1 AND o.path < $2";
  std::vector<db::Value> params{who.org_path, modules::subtree_upper(who.org_path)};
  auto [rows, total] = modules::paged(store_, kTerminalColumns, where, params, "t.id", page);
  json::array items;
  for (const auto& r : rows) items.push_back(terminal_json(r));
  return http::Response::json(200, modules::page_json(std::move(items), total, page));
}

// A terminal in the caller's subtree, as the console lists it.
db::Row Routes::staff_terminal(http::Ctx& ctx, db::Tx& tx) {
  auto row = tx.one("SELECT " + std::string(kTerminalColumns) +
                        " FROM terminals t JOIN orgs o ON o.id = t.org_id WHERE t.id = $1",
                    {ctx.id_param()});
  if (!row) throw Error::not_found("terminal");
  modules::require_scope(ctx.who(), (*row)[6].str(), "terminal");
  return std::move(*row);
}

// Disables or enables a terminal. Setting the status it already has changes
// nothing and is not audited again.
http::Response Routes::set_terminal_status(http::Ctx& ctx, db::Tx& tx, std::string_view status) {
  auto row = staff_terminal(ctx, tx);
  const int64_t id = row[0].i64();
  if (row[4].str() != status) {
    tx.exec(kSetTerminalStatus, {id, std::string(status)});
    tx.on_commit([this, id] { authenticator_.evict_terminal(id); });
    audit_.append(tx, audit::Actor::of(&ctx.who()),
                  {status == "active" ? "terminal.enable" : "terminal.disable", "terminal", std::to_string(id), "ok",
                   "", row[6].str()});
  }
  auto j = terminal_json(row);
  j["status"] = std::string(status);
  return http::Response::json(200, j);
}

// A new signing secret, shown once; the old one stops working at once here
// and on the next request in other processes. Not replayed by
// Idempotency-Key (the secret is stored nowhere in clear): a lost answer
// means asking for another secret.
http::Response Routes::rekey_terminal(http::Ctx& ctx, db::Tx& tx) {
  auto row = staff_terminal(ctx, tx);
  const int64_t id = row[0].i64();
  auto secret = crypto::random_bytes(32);
  tx.exec(kSetTerminalSecret, {id, crypto::seal(keys_, secret, "terminal.secret")});
  tx.on_commit([this, id] { authenticator_.evict_terminal(id); });
  audit_.append(tx, audit::Actor::of(&ctx.who()), {"terminal.rekey", "terminal", std::to_string(id), "ok", "", row[6].str()});
  auto j = terminal_json(row);
  j["secret"] = crypto::to_hex(secret);
  auto res = http::Response::json(200, j);
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

http::Response Routes::ping(http::Ctx& ctx) {
  const auto& who = ctx.who();
  json::object out;
  out["terminal_id"] = who.terminal_id;
  out["name"] = who.username;
  out["org_id"] = who.org_id;
  out["server_time"] = iso_utc(db::now_ms());
  return http::Response::json(200, out);
}

}  // namespace gh::auth
