#include "app/bootstrap.h"

#include <spdlog/spdlog.h>

#include "auth/accounts.h"
#include "core/regions.h"
#include "modules/org/rules.h"
#include "modules/org/store.h"

namespace gh::app {

std::string audit_chain_key(const crypto::Keys& keys) {
  return crypto::hmac_sha256(keys.blind_index, "gonghui audit chain v1");
}

BootstrapResult bootstrap(db::Store& store, const audit::Audit& audit, const TopOrg& top,
                          const std::string& admin_password) {
  BootstrapResult result;
  auto level = org::parse_level(top.level);
  if (!level) throw Error::invalid("top_org_level", "level.unknown", "unknown level for the top org: " + top.level);
  if (top.region != kNationalRegion) {
    auto ok = Regions::instance().check_current(top.region);
    if (!ok) throw Error::invalid("top_org_region", ok.error().code, ok.error().message);
  }
  std::string password = admin_password;
  if (password.empty()) {
    password = crypto::random_token(12);
    result.generated_password = password;
  }
  // Hash outside the write: Argon2id takes tens of milliseconds.
  std::string hash = crypto::hash_password(password);
  store.write([&](db::Tx& tx) {
    if (org::count(tx) > 0) {
      result.generated_password.clear();
      return;
    }
    auto o = org::insert(tx, top.name, *level, nullptr, top.region);
    auth::Account admin;
    admin.kind = "staff";
    admin.username = "admin";
    admin.password_hash = hash;
    admin.org_id = o.id;
    admin.roles = {"admin"};
    admin.id = auth::insert_account(tx, admin);
    audit.append(tx, audit::Actor::system(), {"system.bootstrap", "org", std::to_string(o.id), "ok", top.name, o.path});
    result.created = true;
    result.top_org_id = o.id;
  });
  return result;
}

void load_region_additions(db::Store& store) {
  auto rows = store.read([](db::Tx& tx) { return tx.query("SELECT code, name FROM region_additions"); });
  for (const auto& r : rows) Regions::instance().add(r[0].str(), r[1].str());
}

}  // namespace gh::app
