#include "modules/relief/rules.h"

#include <boost/json.hpp>
#include <string>

#include "http/fields.h"

namespace gh::relief {

namespace json = boost::json;

Tiers default_tiers() {
  return {6'000'000,
          {{7'000'000, 1'000'000},
           {8'000'000, 2'000'000},
           {9'000'000, 3'000'000},
           {10'000'000, 4'000'000},
           {std::nullopt, 5'000'000}}};
}

Tiers parse_tiers(const json::value& v, std::vector<FieldError>& errors) {
  Tiers out;
  http::Fields f(v);
  out.threshold_fen = f.i64("threshold_fen", 0, kMaxFen);
  bool threshold_ok = f.ok();
  const json::value* raw = f.raw("tiers");
  if (v.is_object()) {
    if (!raw || raw->is_null()) {
      f.add("tiers", "tiers.required", "tiers is required");
    } else if (!raw->is_array()) {
      f.add("tiers", "tiers.type", "tiers must be an array of {up_to_fen, aid_fen}");
    } else if (raw->as_array().empty()) {
      f.add("tiers", "tiers.too_short", "tiers needs at least one tier");
    } else if (raw->as_array().size() > static_cast<size_t>(kMaxTiers)) {
      f.add("tiers", "tiers.too_many", "at most " + std::to_string(kMaxTiers) + " tiers");
    } else {
      const auto& arr = raw->as_array();
      // The previous tier's bound (or the threshold) and aid, when known to be
      // valid (plain values: GCC misreads std::optional here as uninitialised).
      bool have_prev_up = threshold_ok, have_prev_aid = false;
      int64_t prev_up = out.threshold_fen, prev_aid = 0;
      for (size_t i = 0; i < arr.size(); ++i) {
        std::string prefix = "tiers[" + std::to_string(i) + "]";
        bool last = i + 1 == arr.size();
        if (!arr[i].is_object()) {
          f.add(prefix, "tiers.type", prefix + " must be an object {up_to_fen, aid_fen}");
          have_prev_up = have_prev_aid = false;
          continue;
        }
        http::Fields t(arr[i], prefix + ".");
        Tier tier;
        tier.aid_fen = t.i64("aid_fen", 0, kMaxFen);
        bool aid_ok = t.ok();
        const json::value* up = t.raw("up_to_fen");
        bool up_ok = true;
        if (!up) {
          t.add(t.field("up_to_fen"), "up_to_fen.required",
                t.field("up_to_fen") + " is required (null on the last tier)");
          up_ok = false;
        } else if (up->is_null()) {
          if (!last) {
            t.add(t.field("up_to_fen"), "up_to_fen.null_not_last",
                  t.field("up_to_fen") + " may be null only on the last tier");
            up_ok = false;
          }
        } else {
          size_t before = t.errors().size();
          tier.up_to_fen = t.opt_i64("up_to_fen", 1, kMaxFen);
          if (t.errors().size() != before) {
            up_ok = false;
          } else if (last) {
            t.add(t.field("up_to_fen"), "up_to_fen.last_not_null",
                  t.field("up_to_fen") + " must be null on the last tier (no upper limit)");
            up_ok = false;
          } else if (have_prev_up && *tier.up_to_fen <= prev_up) {
            t.add(t.field("up_to_fen"), "up_to_fen.order",
                  t.field("up_to_fen") + (i == 0 ? " must be above threshold_fen"
                                                 : " must be above the previous tier's"));
            up_ok = false;
          }
        }
        if (aid_ok && have_prev_aid && tier.aid_fen < prev_aid) {
          t.add(t.field("aid_fen"), "aid_fen.decreasing",
                t.field("aid_fen") + " must not be less than the previous tier's");
          aid_ok = false;
        }
        for (const auto& e : t.errors()) f.add(e);
        have_prev_up = up_ok && tier.up_to_fen.has_value();
        if (have_prev_up) prev_up = *tier.up_to_fen;
        have_prev_aid = aid_ok;
        prev_aid = tier.aid_fen;
        out.tiers.push_back(tier);
      }
    }
  }
  for (auto& e : f.take_errors()) errors.push_back(std::move(e));
  return out;
}

json::object tiers_json(const Tiers& t) {
  json::array tiers;
  for (const auto& tier : t.tiers) {
    json::object o;
    if (tier.up_to_fen)
      o["up_to_fen"] = *tier.up_to_fen;
    else
      o["up_to_fen"] = nullptr;
    o["aid_fen"] = tier.aid_fen;
    tiers.push_back(std::move(o));
  }
  json::object out;
  out["threshold_fen"] = t.threshold_fen;
  out["tiers"] = std::move(tiers);
  return out;
}

Decision decide(int64_t total_cost_fen, int64_t basic_fen, int64_t commercial_fen,
                int64_t secondary_fen, const Tiers& t) {
  Decision d;
  d.out_of_pocket_fen = total_cost_fen - basic_fen - commercial_fen - secondary_fen;
  if (d.out_of_pocket_fen <= t.threshold_fen) return d;
  for (size_t i = 0; i < t.tiers.size(); ++i) {
    const auto& tier = t.tiers[i];
    if (!tier.up_to_fen || d.out_of_pocket_fen <= *tier.up_to_fen) {
      d.eligible = true;
      d.tier = static_cast<int>(i) + 1;
      d.aid_fen = tier.aid_fen;
      return d;
    }
  }
  return d;  // a malformed table without an open last tier: nothing fits
}

}  // namespace gh::relief
