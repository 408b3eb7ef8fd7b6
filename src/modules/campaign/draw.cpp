#include "modules/campaign/draw.h"

#include <algorithm>

#include "core/crypto.h"

namespace gh::campaign {

std::string registrations_digest(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  std::string text;
  text.reserve(ids.size() * 8);
  for (int64_t id : ids) {
    text += std::to_string(id);
    text += '\n';
  }
  return crypto::sha256_hex(text);
}

std::string commitment(const std::string& seed_hex) { return crypto::sha256_hex(seed_hex); }

DrawResult draw(const std::string& seed_hex, const std::vector<int64_t>& ids, int64_t stock) {
  DrawResult out;
  out.digest = registrations_digest(ids);
  const std::string key = crypto::sha256(seed_hex + out.digest);
  std::vector<std::pair<std::string, int64_t>> scored;
  scored.reserve(ids.size());
  for (int64_t id : ids) scored.emplace_back(crypto::hmac_sha256_hex(key, std::to_string(id)), id);
  std::sort(scored.begin(), scored.end());
  out.ranking.reserve(scored.size());
  for (const auto& s : scored) out.ranking.push_back(s.second);
  out.winners = static_cast<size_t>(std::clamp<int64_t>(stock, 0, static_cast<int64_t>(ids.size())));
  return out;
}

}  // namespace gh::campaign
