#include "modules/member/roster.h"

#include <algorithm>
#include <unordered_set>

#include "core/card_no.h"
#include "core/phone.h"
#include "core/regions.h"
#include "modules/common.h"
#include "modules/unit/store.h"

namespace gh::member {
namespace {
constexpr std::string_view kAadCitizen = "member.citizen_id";
constexpr std::string_view kAadPhone = "member.phone";
constexpr std::string_view kPhysicalCard = "SELECT id FROM members WHERE physical_card_no = $1";

FieldError duplicate_error() {
  return {"citizen_id", "citizen_id.duplicate",
          "this citizen ID already belongs to an active member (one active membership per person)"};
}
}  // namespace

std::string Roster::citizen_index(std::string_view id18) const {
  return crypto::blind_index(keys_, "citizen_id", id18);
}
std::string Roster::phone_index(std::string_view phone) const {
  return crypto::blind_index(keys_, "phone", phone);
}
std::string Roster::reveal_citizen(const Member& m) const { return crypto::open(keys_, m.citizen_enc, kAadCitizen); }
std::string Roster::reveal_phone(const Member& m) const { return crypto::open(keys_, m.phone_enc, kAadPhone); }

void Roster::set_phone(Member& m, const std::string& phone) const {
  m.phone_enc = crypto::seal(keys_, phone, kAadPhone);
  m.phone_bidx = phone_index(phone);
  m.phone_masked = mask_phone(phone);
}

Member Roster::seal(const Input& in) const {
  Member m;
  m.name = in.name;
  m.citizen_enc = crypto::seal(keys_, in.citizen.number, kAadCitizen);
  m.citizen_bidx = citizen_index(in.citizen.number);
  m.citizen_masked = mask_citizen_id(in.citizen.number);
  m.sex = std::string(1, in.citizen.sex);
  m.birth_date = in.citizen.birth_date.iso();
  set_phone(m, in.phone);
  m.unit_id = in.unit_id;
  m.household = in.household;
  m.employment_form = in.employment_form;
  m.employment_status = in.employment_status;
  m.ethnic_group = in.ethnic_group;
  m.education = in.education;
  m.political_status = in.political_status;
  m.needy_status = in.needy_status;
  m.needy_detail = in.needy_detail;
  m.physical_card_no = in.physical_card_no;
  m.status = "active";
  return m;
}

void Roster::place(Member& m, int64_t id, const std::string& region, int64_t org_id, const std::string& org_path) {
  m.id = id;
  m.org_id = org_id;
  m.org_path = org_path;
  m.card_no = make_card_no(region, id);
  m.joined_at = m.created_at = m.updated_at = db::now_ms();
}

Member Roster::create(db::Tx& tx, const auth::Principal& who, const Input& in) {
  auto unit = unit::find(tx, in.unit_id);
  if (!unit) throw Error::invalid("unit_id", "unit_id.unknown", "no unit with this id");
  modules::require_scope(who, unit->org_path, "unit");
  auto bidx = citizen_index(in.citizen.number);
  if (active_citizen_exists(tx, bidx))
    throw Error{ErrorKind::conflict, "citizen_id.duplicate", duplicate_error().message, {duplicate_error()}};
  if (in.physical_card_no && tx.one(kPhysicalCard, {*in.physical_card_no}))
    throw Error{ErrorKind::conflict, "physical_card_no.duplicate", "this physical card number is already in use",
                {{"physical_card_no", "physical_card_no.duplicate", "this physical card number is already in use"}}};
  auto id = allocate_ids(tx, 1).front();
  Member m = seal(in);
  place(m, id, unit->region_code, unit->org_id, unit->org_path);
  insert(tx, m);
  audit_.append(tx, audit::Actor::of(&who), {"member.create", "member", std::to_string(id), "ok", "", m.org_path});
  return m;
}

PreparedImport Roster::prepare_import(const boost::json::array& rows) const {
  PreparedImport out;
  const auto& regions = Regions::instance();
  Date today = Date::today_shanghai();
  out.rows.reserve(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    http::Fields f(rows[i]);
    std::optional<Input> in;
    if (f.ok()) in = read_input(f, regions, today);
    if (!f.ok() || !in) {
      out.report.failed.push_back({i, f.take_errors()});
      continue;
    }
    Member sealed = seal(*in);
    out.rows.push_back({i, std::move(*in), std::move(sealed)});
  }
  return out;
}

ImportReport Roster::import(db::Tx& tx, const auth::Principal& who, PreparedImport& batch, bool dry_run) {
  ImportReport report = std::move(batch.report);
  struct UnitInfo {
    bool usable = false;
    std::string region, org_path;
    int64_t org_id = 0;
  };
  std::unordered_map<int64_t, UnitInfo> units;
  std::unordered_set<std::string_view> seen_citizens, seen_cards;
  std::vector<PreparedImport::Row*> valid;
  valid.reserve(batch.rows.size());

  // Pass 1: units and scope, duplicates inside the file; collect the IDs to
  // look up. Pass 2 (after one lookup for all of them): the verdicts.
  std::vector<char> unit_ok(batch.rows.size()), file_dup(batch.rows.size());
  std::vector<std::string_view> lookup;
  lookup.reserve(batch.rows.size());
  for (size_t k = 0; k < batch.rows.size(); ++k) {
    const auto& row = batch.rows[k];
    auto [it, fresh] = units.try_emplace(row.in.unit_id);
    if (fresh) {
      auto u = unit::find(tx, row.in.unit_id);
      if (u && who.in_scope(u->org_path)) it->second = {true, u->region_code, u->org_path, u->org_id};
    }
    unit_ok[k] = it->second.usable;
    if (!unit_ok[k]) continue;
    file_dup[k] = !seen_citizens.insert(row.sealed.citizen_bidx).second;
    if (!file_dup[k]) lookup.push_back(row.sealed.citizen_bidx);
  }
  const auto active = active_citizens(tx, lookup);
  for (size_t k = 0; k < batch.rows.size(); ++k) {
    auto& row = batch.rows[k];
    const auto& in = row.in;
    std::vector<FieldError> errors;
    if (!unit_ok[k]) {
      // Units outside the caller's subtree look exactly like missing ones.
      errors.push_back({"unit_id", "unit_id.unknown", "no unit with this id in your organisation"});
    } else {
      if (file_dup[k])
        errors.push_back({"citizen_id", "citizen_id.duplicate_in_file", "this citizen ID appears earlier in the same import"});
      else if (active.contains(row.sealed.citizen_bidx))
        errors.push_back(duplicate_error());
      if (in.physical_card_no &&
          (!seen_cards.insert(*in.physical_card_no).second || tx.one(kPhysicalCard, {*in.physical_card_no})))
        errors.push_back({"physical_card_no", "physical_card_no.duplicate", "this physical card number is already in use"});
    }
    if (!errors.empty()) {
      report.failed.push_back({row.row, std::move(errors)});
      continue;
    }
    valid.push_back(&row);
  }
  std::sort(report.failed.begin(), report.failed.end(), [](const auto& a, const auto& b) { return a.row < b.row; });

  report.created = static_cast<int64_t>(valid.size());
  if (dry_run || valid.empty()) return report;

  auto ids = allocate_ids(tx, valid.size());
  std::vector<Member> members;
  members.reserve(valid.size());
  for (size_t k = 0; k < valid.size(); ++k) {
    Member& m = members.emplace_back(std::move(valid[k]->sealed));
    const auto& u = units[m.unit_id];
    place(m, ids[k], u.region, u.org_id, u.org_path);
  }
  insert_many(tx, members);
  audit_.append(tx, audit::Actor::of(&who),
                {"member.import", "member", "", "ok",
                 "{\"created\":" + std::to_string(report.created) + ",\"failed\":" +
                     std::to_string(report.failed.size()) + "}",
                 who.org_path});
  return report;
}

}  // namespace gh::member
