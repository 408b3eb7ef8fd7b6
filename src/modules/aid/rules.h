// The mutual-aid plan's rules (pure: no I/O). A period's benefit items are
// data (JSON stored with the period, validated by read_benefits, versioned);
// assess() turns one claim, the period's rules and the member's history in
// the period into an amount with explained lines, or coded reasons. See
// docs/funds.md.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "http/fields.h"

namespace gh::aid {

struct Band {
  std::optional<int64_t> up_to_fen;  // amount above the deductible this band ends at; none: no limit
  int percent = 0;                   // 0–100
};
struct Allowance {
  int from_day = 1;  // paid from this hospital day on
  int64_t fen_per_day = 0;
  int max_days = 0;
};
struct Disease {
  std::string code;
  std::string name;
  int64_t fen = 0;
};
// The benefit items of a period (the JSON rule set).
struct Benefits {
  int64_t deductible_fen = 0;
  std::vector<Band> bands;
  std::optional<Allowance> allowance;
  std::vector<Disease> diseases;
  std::vector<std::string> required_documents;
};

// Everything assess() needs to know about the period.
struct Rules {
  Benefits benefits;
  Date cover_start, cover_end;
  int waiting_days = 0;
  int64_t cap_fen = 0;
};

// Reads and validates a rule set; errors go to `f` under field names like
// "rules.bands[1].percent". Nothing when invalid.
std::optional<Benefits> read_benefits(const boost::json::value& v, http::Fields& f);
boost::json::object benefits_json(const Benefits& b);
// The rule set as readable Chinese sentences, one per item.
std::vector<std::string> benefits_text(const Benefits& b);

struct Claim {
  Date admission, discharge;
  std::optional<std::string> disease_code;
  int64_t self_paid_fen = 0;  // in-policy out-of-pocket
  std::vector<std::string> document_kinds;
};

struct Stay {
  Date admission, discharge;
};
// The member in the period, as the store sees it now.
struct History {
  bool enrolled = false;
  bool first_time = false;
  Date enrolled_on;
  int64_t used_fen = 0;       // approved and paid claims of the period (this claim excluded)
  std::vector<Stay> stays;    // the member's other claims in the period that are not rejected
};

enum class Outcome { pay, reject, ret };  // ret: returned for more documents
enum class Item { medical, allowance, disease, cap };

struct Line {
  Item item = Item::medical;
  int64_t base_fen = 0;  // medical: the part of the amount in this band; allowance: per day
  int percent = 0;       // medical
  int days = 0;          // allowance
  int band = 0;          // medical: 1-based band; disease: index into the list
  int64_t amount_fen = 0;  // cap: the (negative) reduction
};

struct Assessment {
  Outcome outcome = Outcome::pay;
  int64_t amount_fen = 0;  // 0 unless outcome is pay or ret
  int stay_days = 0;
  std::vector<Line> lines;
  std::vector<std::string_view> reasons;  // codes, e.g. "claim.waiting_period"
};

// Hospital days: discharge − admission, at least 1.
int stay_days(Date admission, Date discharge);

Assessment assess(const Claim& claim, const Rules& rules, const History& history);

std::string_view outcome_name(Outcome o);
// The assessment as JSON, each line with a readable Chinese explanation.
boost::json::object assessment_json(const Assessment& a, const Benefits& b);

// "1234.56" from 123456 fen.
std::string yuan(int64_t fen);

}  // namespace gh::aid
