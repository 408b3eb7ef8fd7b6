#include "auth/accounts.h"

#include <boost/json.hpp>
#include <sstream>

#include "core/date.h"

namespace gh::auth {
namespace {

const std::string kSelect = "SELECT " + std::string(kAccountColumns) + std::string(kAccountFrom);
constexpr std::string_view kInsert =
    "INSERT INTO accounts (kind, username, password_hash, org_id, member_id, roles, status, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7) RETURNING id";

}  // namespace

Account account_from_row(const db::Row& r) {
  Account a;
  a.id = r[0].i64();
  a.kind = r[1].str();
  a.username = r[2].str();
  a.password_hash = r[3].str();
  a.org_id = r[4].i64();
  a.member_id = r[5].i64();
  std::stringstream in(r[6].str());
  for (std::string role; std::getline(in, role, ',');)
    if (!role.empty()) a.roles.push_back(role);
  a.status = r[7].str();
  a.failed_count = static_cast<int>(r[8].i64());
  a.locked_until = r[9].i64();
  a.created_at = r[10].i64();
  a.org_path = r[11].str();  // staff: the bound org; members: their union's
  a.org_name = r[12].str();
  return a;
}


std::string member_username(std::string_view phone_blind_index) {
  return "m:" + std::string(phone_blind_index);
}

std::optional<Account> find_account(db::Tx& tx, int64_t id) {
  static const std::string sql = std::string(kSelect) + "WHERE a.id = $1";
  auto r = tx.one(sql, {id});
  if (!r) return std::nullopt;
  return account_from_row(*r);
}

std::optional<Account> find_by_username(db::Tx& tx, const std::string& username) {
  static const std::string sql = std::string(kSelect) + "WHERE a.username = $1";
  auto r = tx.one(sql, {username});
  if (!r) return std::nullopt;
  return account_from_row(*r);
}

std::optional<std::string> org_path_of(db::Tx& tx, int64_t org_id) {
  auto r = tx.one("SELECT path FROM orgs WHERE id = $1", {org_id});
  if (!r) return std::nullopt;
  return (*r)[0].str();
}

std::string join_roles(const std::vector<std::string>& roles) {
  std::string s;
  for (const auto& r : roles) s += (s.empty() ? "" : ",") + r;
  return s;
}

int64_t insert_account(db::Tx& tx, const Account& a) {
  return tx.query(kInsert, {a.kind, a.username, a.password_hash,
                            a.org_id ? db::Value(a.org_id) : db::Value(),
                            a.member_id ? db::Value(a.member_id) : db::Value(), join_roles(a.roles),
                            db::now_ms()})[0][0]
      .i64();
}

boost::json::object account_json(const Account& a) {
  boost::json::object j;
  j["id"] = a.id;
  j["username"] = a.kind == "member" ? "" : a.username;
  j["kind"] = a.kind;
  if (a.org_id) j["org_id"] = a.org_id; else j["org_id"] = nullptr;
  if (a.member_id) j["member_id"] = a.member_id;
  boost::json::array roles;
  for (const auto& r : a.roles) roles.push_back(boost::json::string(r));
  j["roles"] = std::move(roles);
  j["status"] = a.status;
  j["locked"] = a.locked_until > db::now_ms();
  j["created_at"] = iso_utc(a.created_at);
  if (a.kind == "staff") j["org_name"] = a.org_name;
  return j;
}

}  // namespace gh::auth
