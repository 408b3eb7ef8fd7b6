#include "app/config.h"

#include <cstdlib>

namespace gh::app {
namespace {
const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}
}  // namespace

std::string Config::db_url() const {
  if (!db.empty()) return db;
  return "sqlite:" + (data_dir / "gonghui.db").string();
}

std::filesystem::path Config::keys_path() const {
  return keys_file.empty() ? data_dir / "keys.json" : std::filesystem::path(keys_file);
}

void Config::apply_env() {
  if (db.empty())
    if (auto v = env("GONGHUI_DB")) db = v;
  if (admin_password.empty())
    if (auto v = env("GONGHUI_ADMIN_PASSWORD")) admin_password = v;
  if (web_root.empty())
    if (auto v = env("GONGHUI_WEB_ROOT")) web_root = v;
  if (keys_file.empty())
    if (auto v = env("GONGHUI_KEYS_FILE")) keys_file = v;
}

}  // namespace gh::app
