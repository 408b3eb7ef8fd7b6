// The lottery draw of a limited campaign in lottery mode: a pure function of
// a seed and the registrations, so anyone holding the published record can
// run it again and get the same winners.
//
//   digest   = SHA-256 of the registration ids in ascending order, each as
//              decimal text followed by "\n"
//   key      = SHA-256(seed ‖ digest)        (seed: 32 random bytes, as hex)
//   score(r) = HMAC-SHA256(key, decimal id of r), as hex
//   winners  = the `stock` registrations with the smallest scores
//              (ties, which need a SHA-256 collision, by id)
//
// The seed is drawn when the campaign is created and only its SHA-256 (the
// commitment) is shown until the draw, so nobody can steer the result by
// choosing when to register; mixing in the digest of all registrations means
// the ranking is fixed only once registration has closed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gh::campaign {

std::string registrations_digest(std::vector<int64_t> registration_ids);
std::string commitment(const std::string& seed_hex);

struct DrawResult {
  std::string digest;            // registrations_digest(ids), hex
  std::vector<int64_t> ranking;  // every registration id, best score first
  size_t winners = 0;            // the first `winners` of ranking won
};

DrawResult draw(const std::string& seed_hex, const std::vector<int64_t>& registration_ids, int64_t stock);

}  // namespace gh::campaign
