// First start: when the store holds no org, create the top org and the root
// staff account `admin` bound to it.
#pragma once

#include <string>

#include "app/config.h"
#include "audit/audit.h"
#include "core/crypto.h"
#include "db/db.h"

namespace gh::app {

struct BootstrapResult {
  bool created = false;
  int64_t top_org_id = 0;
  std::string generated_password;  // set when no password was given
};

BootstrapResult bootstrap(db::Store& store, const audit::Audit& audit, const TopOrg& top,
                          const std::string& admin_password);

// Loads administrator-added region codes into the dictionary.
void load_region_additions(db::Store& store);

// The HMAC key of the audit chain, derived from the server's keys.
std::string audit_chain_key(const crypto::Keys& keys);

}  // namespace gh::app
