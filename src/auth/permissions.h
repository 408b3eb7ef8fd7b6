// Roles and permissions. Roles are fixed sets of permissions defined here in
// code (one place); accounts hold roles. `admin` has every permission.
#pragma once

#include <bitset>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gh::auth {

enum class Perm : unsigned {
  org_read,
  org_write,
  unit_read,
  unit_write,
  member_read,
  member_write,
  member_import,
  member_reveal,    // see unmasked citizen IDs and phones (each reveal audited)
  member_transfer,  // request and decide transfers
  staff_read,
  staff_write,
  audit_read,
  region_write,     // add codes to the region dictionary
  terminal_write,   // register terminals
  fund_read,        // mutual-aid periods, enrolments, claims, relief, reports, ledger
  fund_manage,      // mutual-aid periods and rule sets, relief tiers
  fund_enrol,       // enrol members in a mutual-aid period
  claim_file,       // file and correct mutual-aid claims and relief applications
  claim_review,     // approve, reject or return them (never one's own: four eyes)
  fund_pay,         // pay approved claims and relief batches
  campaign_read,    // limited campaigns and their stats
  campaign_write,   // create limited campaigns
  offer_read,       // merchants, offers, their redemptions and reports
  offer_write,      // register merchants and bind their terminals, create and change offers
  kCount
};

class PermSet {
 public:
  bool has(Perm p) const { return bits_.test(static_cast<unsigned>(p)); }
  void add(Perm p) { bits_.set(static_cast<unsigned>(p)); }
  void merge(const PermSet& o) { bits_ |= o.bits_; }

 private:
  std::bitset<static_cast<unsigned>(Perm::kCount)> bits_;
};

std::string_view perm_name(Perm p);
std::vector<std::string_view> all_role_names();
bool is_role(std::string_view role);
// Permissions of one role; empty for an unknown role.
PermSet role_perms(std::string_view role);
PermSet perms_for(std::span<const std::string> roles);

}  // namespace gh::auth
