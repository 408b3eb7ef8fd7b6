#include "auth/permissions.h"

#include <array>
#include <utility>

namespace gh::auth {
namespace {

constexpr std::array<std::string_view, static_cast<unsigned>(Perm::kCount)> kPermNames = {
    "org.read",     "org.write",       "unit.read",       "unit.write",  "member.read",
    "member.write", "member.import",   "member.reveal",   "member.transfer", "staff.read",
    "staff.write",  "audit.read",      "region.write",    "terminal.write",  "fund.read",
    "fund.manage",  "fund.enrol",      "claim.file",      "claim.review",    "fund.pay",
    "campaign.read", "campaign.write", "offer.read",   "offer.write"};

using P = Perm;
struct RoleDef {
  std::string_view name;
  std::initializer_list<Perm> perms;
};

// The role table. `admin` gets every permission (see role_perms).
const RoleDef kRoles[] = {
    {"admin", {}},
    {"org_manager",
     {P::org_read, P::org_write, P::unit_read, P::unit_write, P::member_read, P::member_write,
      P::member_import, P::member_reveal, P::member_transfer, P::staff_read, P::staff_write,
      P::terminal_write, P::fund_read, P::fund_manage, P::fund_enrol, P::claim_file, P::claim_review, P::fund_pay,
      P::campaign_read, P::campaign_write, P::offer_read, P::offer_write}},
    {"case_officer",
     {P::org_read, P::unit_read, P::unit_write, P::member_read, P::member_write, P::member_import,
      P::member_transfer, P::fund_read, P::fund_enrol, P::claim_file, P::campaign_read, P::offer_read}},
    {"reviewer", {P::org_read, P::unit_read, P::member_read, P::fund_read, P::claim_review}},
    {"auditor", {P::org_read, P::unit_read, P::member_read, P::staff_read, P::audit_read, P::fund_read, P::campaign_read,
                 P::offer_read}},
};

}  // namespace

std::string_view perm_name(Perm p) { return kPermNames[static_cast<unsigned>(p)]; }

std::vector<std::string_view> all_role_names() {
  std::vector<std::string_view> out;
  for (const auto& r : kRoles) out.push_back(r.name);
  return out;
}

bool is_role(std::string_view role) {
  for (const auto& r : kRoles)
    if (r.name == role) return true;
  return false;
}

PermSet role_perms(std::string_view role) {
  PermSet set;
  if (role == "admin") {
    for (unsigned i = 0; i < static_cast<unsigned>(Perm::kCount); ++i) set.add(static_cast<Perm>(i));
    return set;
  }
  for (const auto& r : kRoles)
    if (r.name == role)
      for (Perm p : r.perms) set.add(p);
  return set;
}

PermSet perms_for(std::span<const std::string> roles) {
  PermSet set;
  for (const auto& r : roles) set.merge(role_perms(r));
  return set;
}

}  // namespace gh::auth
