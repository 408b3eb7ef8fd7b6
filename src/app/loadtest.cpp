#include "app/loadtest.h"

#include <boost/json.hpp>
#include <unordered_set>

#include "auth/accounts.h"
#include "core/citizen_id.h"
#include "core/date.h"
#include "core/error.h"
#include "modules/unit/store.h"

namespace gh::app {
namespace json = boost::json;

namespace {

constexpr std::string_view kMaxMemberId = "SELECT COALESCE(MAX(id), 0) FROM members";
constexpr std::string_view kNewMembers = "SELECT id, phone_bidx FROM members WHERE unit_id = $1 AND id > $2 ORDER BY id";

}  // namespace

std::vector<LoadtestMember> make_loadtest_members(db::Store& store, member::Roster& roster, auth::Sessions& sessions,
                                                  const audit::Audit& audit, const LoadtestOptions& options) {
  if (options.count < 1 || options.count > 1'000'000)
    throw Error::invalid("count", "count.range", "count must be between 1 and 1,000,000");
  if (options.seed < 0 || options.seed > 99)
    throw Error::invalid("seed", "seed.range", "seed must be between 0 and 99");
  auto unit = store.read([&](db::Tx& tx) { return unit::find(tx, options.unit_id); });
  if (!unit) throw Error::invalid("unit", "unit.unknown", "no unit with this id");
  auth::Principal loader;
  loader.kind = auth::PrincipalKind::staff;
  loader.username = "loadtest";
  loader.org_path = unit->org_path;

  // Person i: born on day (seed × 10,000 + i / 1,000) after 1960-01-01 with
  // sequence number i % 1,000; phone 170 followed by seed and i.
  const int64_t first_day = Date{1960, 1, 1}.days() + options.seed * 10'000;
  std::vector<LoadtestMember> out;
  out.reserve(static_cast<size_t>(options.count));
  const int64_t chunk = static_cast<int64_t>(member::Roster::kMaxImportRows);
  for (int64_t start = 0; start < options.count; start += chunk) {
    const int64_t end = std::min(options.count, start + chunk);
    json::array rows;
    std::unordered_set<std::string> phones;
    for (int64_t i = start; i < end; ++i) {
      char phone[32];
      std::snprintf(phone, sizeof phone, "170%02lld%06lld", static_cast<long long>(options.seed),
                    static_cast<long long>(i));
      json::object row;
      row["name"] = "压测职工";
      row["citizen_id"] = make_citizen_id(unit->region_code, Date::from_days(first_day + i / 1000),
                                          static_cast<int>(i % 1000));
      row["phone"] = phone;
      row["unit_id"] = unit->id;
      row["household"] = i % 3 == 0 ? "rural" : "urban";
      row["employment_form"] = i % 4 == 0 ? "delivery_rider" : "standard";
      row["employment_status"] = "in_service";
      rows.push_back(std::move(row));
      phones.insert(roster.phone_index(phone));
    }
    auto prepared = roster.prepare_import(rows);
    const int64_t before = store.read([](db::Tx& tx) { return tx.query(kMaxMemberId)[0][0].i64(); });
    auto report = store.write([&](db::Tx& tx) { return roster.import(tx, loader, prepared, false); });
    if (!report.failed.empty())
      throw Error::conflict("loadtest.row", "synthetic row " + std::to_string(start + report.failed[0].row) + ": " +
                                                report.failed[0].errors[0].message +
                                                " (already loaded? use another --seed)");
    store.write([&](db::Tx& tx) {
      for (const auto& r : tx.query(kNewMembers, {unit->id, before})) {
        if (!phones.contains(r[1].str())) continue;
        auth::Account a;
        a.kind = "member";
        a.username = auth::member_username(r[1].str());
        a.member_id = r[0].i64();  // no password: this account cannot log in
        const int64_t account_id = auth::insert_account(tx, a);
        out.push_back({a.member_id, sessions.create(tx, account_id, auth::PrincipalKind::member).token});
      }
    });
  }
  store.write([&](db::Tx& tx) {
    audit.append(tx, audit::Actor::system(),
                 {"loadtest.members", "unit", std::to_string(unit->id), "ok",
                  std::to_string(out.size()) + " synthetic members with sessions", unit->org_path});
  });
  return out;
}

}  // namespace gh::app
