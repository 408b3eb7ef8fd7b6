#include "modules/member/store.h"

#include <algorithm>
#include <array>

#include "core/date.h"

namespace gh::member {
namespace {

constexpr std::string_view kMaxId = "SELECT COALESCE(MAX(id), 0) FROM members";
constexpr std::string_view kNextIds =
    "SELECT nextval(pg_get_serial_sequence('members', 'id')) FROM generate_series(1, $1)";
constexpr std::string_view kInsertInto =
    "INSERT INTO members (id, name, citizen_enc, citizen_bidx, citizen_masked, sex, birth_date, "
    "phone_enc, phone_bidx, phone_masked, unit_id, org_id, org_path, household, employment_form, "
    "employment_status, ethnic_group, education, political_status, needy_status, needy_detail, "
    "status, card_no, physical_card_no, joined_at, created_at, updated_at) VALUES ";
constexpr size_t kInsertParams = 25;
// Rows per multi-row INSERT: 250 × 25 = 6,250 parameters, well inside both
// SQLite's (32,766) and PostgreSQL's (65,535) limits.
constexpr size_t kInsertChunk = 250;
constexpr size_t kLookupChunk = 500;

// "INSERT … VALUES ($1, …, $25, $25, $25), ($26, …)" for `rows` rows.
std::string insert_sql(size_t rows) {
  std::string sql(kInsertInto);
  for (size_t r = 0; r < rows; ++r) {
    const size_t base = r * kInsertParams;
    sql += r ? ", (" : "(";
    for (size_t k = 1; k <= kInsertParams; ++k) sql += "$" + std::to_string(base + k) + ", ";
    const std::string last = "$" + std::to_string(base + kInsertParams);
    sql += last + ", " + last + ")";  // created_at, updated_at = joined_at
  }
  return sql;
}

void append_params(std::vector<db::Value>& p, const Member& m) {
  for (db::Value v : {db::Value(m.id), db::Value(m.name), db::Value(m.citizen_enc), db::Value(m.citizen_bidx),
                      db::Value(m.citizen_masked), db::Value(m.sex), db::Value(m.birth_date), db::Value(m.phone_enc),
                      db::Value(m.phone_bidx), db::Value(m.phone_masked), db::Value(m.unit_id), db::Value(m.org_id),
                      db::Value(m.org_path), db::Value(m.household), db::Value(m.employment_form),
                      db::Value(m.employment_status), db::Value(m.ethnic_group), db::Value(m.education),
                      db::Value(m.political_status), db::Value(m.needy_status), db::Value(m.needy_detail),
                      db::Value(m.status), db::Value(m.card_no), db::Value(m.physical_card_no),
                      db::Value(m.joined_at)})
    p.push_back(std::move(v));
}
constexpr std::string_view kActive =
    "SELECT id FROM members WHERE citizen_bidx = $1 AND status = 'active' AND id <> $2";
constexpr std::string_view kHistory =
    "INSERT INTO member_history (member_id, status, event, org_id, unit_id, reason, actor_id, at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

}  // namespace

Member from_row(const db::Row& r) {
  Member m;
  m.id = r[0].i64();
  m.name = r[1].str();
  m.citizen_masked = r[2].str();
  m.sex = r[3].str();
  m.birth_date = r[4].str();
  m.phone_masked = r[5].str();
  m.unit_id = r[6].i64();
  m.org_id = r[7].i64();
  m.org_path = r[8].str();
  m.household = r[9].str();
  m.employment_form = r[10].str();
  m.employment_status = r[11].str();
  m.ethnic_group = r[12].opt_str();
  m.education = r[13].opt_str();
  m.political_status = r[14].opt_str();
  m.needy_status = r[15].opt_str();
  m.needy_detail = r[16].opt_str();
  m.status = r[17].str();
  m.card_no = r[18].str();
  m.physical_card_no = r[19].opt_str();
  m.joined_at = r[20].i64();
  m.created_at = r[21].i64();
  m.updated_at = r[22].i64();
  m.citizen_enc = r[23].str();
  m.phone_enc = r[24].str();
  m.citizen_bidx = r[25].str();
  m.phone_bidx = r[26].str();
  return m;
}

std::optional<Member> find(db::Tx& tx, int64_t id) {
  static const std::string sql = "SELECT " + std::string(kMemberColumns) + " FROM members WHERE id = $1";
  auto r = tx.one(sql, {id});
  if (!r) return std::nullopt;
  return from_row(*r);
}

std::vector<int64_t> allocate_ids(db::Tx& tx, size_t n) {
  std::vector<int64_t> ids;
  ids.reserve(n);
  if (n == 0) return ids;
  if (tx.dialect() == db::Dialect::postgres) {
    for (const auto& row : tx.query(kNextIds, {static_cast<int64_t>(n)})) ids.push_back(row[0].i64());
  } else {
    // SQLite has one writer and we are inside its transaction: MAX(id)+k is ours.
    int64_t next = tx.query(kMaxId)[0][0].i64() + 1;
    for (size_t i = 0; i < n; ++i) ids.push_back(next + static_cast<int64_t>(i));
  }
  return ids;
}

void insert(db::Tx& tx, const Member& m) { insert_many(tx, {m}); }

void insert_many(db::Tx& tx, const std::vector<Member>& members) {
  // A few fixed chunk sizes keep the set of statement texts (and so the
  // prepared-statement caches) small: 1,234 rows = 4×250 + 4×50 + 3×10 + 4×1.
  static const std::array<std::pair<size_t, std::string>, 4> sizes = {
      {{kInsertChunk, insert_sql(kInsertChunk)}, {50, insert_sql(50)}, {10, insert_sql(10)}, {1, insert_sql(1)}}};
  std::vector<db::Value> params;
  size_t at = 0;
  // SQLite runs in-process, so there is no round trip to save: one row per
  // statement is its fastest form.
  const bool one_by_one = tx.dialect() == db::Dialect::sqlite;
  for (const auto& [n, sql] : sizes) {
    if (one_by_one && n != 1) continue;
    for (; members.size() - at >= n; at += n) {
      params.clear();
      for (size_t i = at; i < at + n; ++i) append_params(params, members[i]);
      tx.query(sql, params);
    }
  }
}

std::unordered_set<std::string> active_citizens(db::Tx& tx, const std::vector<std::string_view>& bidx) {
  std::unordered_set<std::string> found;
  std::vector<db::Value> params;
  // IN lists of a few fixed lengths (short ones padded by repeating the last
  // value), so the set of statement texts stays small.
  auto sql_for = [](size_t n) {
    std::string sql = "SELECT citizen_bidx FROM members WHERE status = 'active' AND citizen_bidx IN (";
    for (size_t i = 0; i < n; ++i) sql += (i ? ", $" : "$") + std::to_string(i + 1);
    return sql + ")";
  };
  static const std::array<std::pair<size_t, std::string>, 4> sizes = {
      {{1, sql_for(1)}, {16, sql_for(16)}, {100, sql_for(100)}, {kLookupChunk, sql_for(kLookupChunk)}}};
  for (size_t at = 0; at < bidx.size(); at += kLookupChunk) {
    const size_t n = std::min(kLookupChunk, bidx.size() - at);
    const auto& [len, sql] = *std::find_if(sizes.begin(), sizes.end(), [&](const auto& s) { return s.first >= n; });
    params.clear();
    for (size_t i = 0; i < len; ++i) params.emplace_back(std::string(bidx[at + std::min(i, n - 1)]));
    for (const auto& row : tx.query(sql, params)) found.insert(row[0].str());
  }
  return found;
}

bool active_citizen_exists(db::Tx& tx, const std::string& bidx, int64_t except_id) {
  return tx.one(kActive, {bidx, except_id}).has_value();
}

void add_history(db::Tx& tx, int64_t member_id, const std::string& status, const std::string& event,
                 int64_t org_id, int64_t unit_id, const std::string& reason, int64_t actor_id) {
  tx.exec(kHistory, {member_id, status, event, org_id, unit_id, reason, actor_id, db::now_ms()});
}

boost::json::object to_json(const Member& m) {
  boost::json::object j;
  auto opt = [](const std::optional<std::string>& s) -> boost::json::value {
    if (!s) return nullptr;
    return boost::json::string(*s);
  };
  j["id"] = m.id;
  j["name"] = m.name;
  j["citizen_id_masked"] = m.citizen_masked;
  j["sex"] = m.sex;
  j["birth_date"] = m.birth_date;
  j["phone_masked"] = m.phone_masked;
  j["unit_id"] = m.unit_id;
  j["org_id"] = m.org_id;
  j["household"] = m.household;
  j["employment_form"] = m.employment_form;
  j["employment_status"] = m.employment_status;
  j["ethnic_group"] = opt(m.ethnic_group);
  j["education"] = opt(m.education);
  j["political_status"] = opt(m.political_status);
  j["needy_status"] = opt(m.needy_status);
  j["needy_detail"] = opt(m.needy_detail);
  j["status"] = m.status;
  j["card_no"] = m.card_no;
  j["physical_card_no"] = opt(m.physical_card_no);
  j["joined_at"] = iso_utc(m.joined_at);
  j["created_at"] = iso_utc(m.created_at);
  j["updated_at"] = iso_utc(m.updated_at);
  return j;
}

}  // namespace gh::member
