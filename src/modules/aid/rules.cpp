#include "modules/aid/rules.h"

#include <algorithm>

namespace gh::aid {
namespace {

namespace json = boost::json;

constexpr int64_t kMaxFen = 100'000'000'000;  // one billion yuan: far above any real amount

std::optional<int64_t> fen_at(const json::object& o, std::string_view key, const std::string& field,
                              http::Fields& f, bool required, bool nullable = false) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || (v->is_null() && nullable)) {
    if (required && !nullable) f.add(field, std::string(key) + ".required", field + " is required");
    return std::nullopt;
  }
  if (!v->is_int64() && !v->is_uint64()) {
    f.add(field, std::string(key) + ".type", field + " must be an integer number of fen");
    return std::nullopt;
  }
  int64_t n = v->is_int64() ? v->as_int64() : static_cast<int64_t>(std::min<uint64_t>(v->as_uint64(), kMaxFen + 1));
  if (n < 0 || n > kMaxFen) {
    f.add(field, std::string(key) + ".range", field + " must be between 0 and " + std::to_string(kMaxFen));
    return std::nullopt;
  }
  return n;
}

std::optional<int> int_at(const json::object& o, std::string_view key, const std::string& field, http::Fields& f,
                          int min, int max) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    f.add(field, std::string(key) + ".required", field + " is required");
    return std::nullopt;
  }
  if (!v->is_int64() || v->as_int64() < min || v->as_int64() > max) {
    f.add(field, std::string(key) + ".range",
          field + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return static_cast<int>(v->as_int64());
}

std::string str_at(const json::object& o, std::string_view key, const std::string& field, http::Fields& f,
                   size_t max) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string() || v->as_string().empty()) {
    f.add(field, std::string(key) + ".required", field + " must be a non-empty string");
    return {};
  }
  std::string s(v->as_string());
  if (s.size() > max) f.add(field, std::string(key) + ".too_long", field + " is too long");
  return s;
}

}  // namespace

std::string yuan(int64_t fen) {
  std::string sign = fen < 0 ? "-" : "";
  uint64_t a = fen < 0 ? static_cast<uint64_t>(-(fen + 1)) + 1 : static_cast<uint64_t>(fen);
  std::string cents = std::to_string(a % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return sign + std::to_string(a / 100) + "." + cents;
}

std::optional<Benefits> read_benefits(const json::value& v, http::Fields& f) {
  const size_t before = f.errors().size();
  if (!v.is_object()) {
    f.add("rules", "rules.type", "rules must be an object");
    return std::nullopt;
  }
  const auto& o = v.as_object();
  for (const auto& kv : o)
    if (kv.key() != "deductible_fen" && kv.key() != "bands" && kv.key() != "daily_allowance" &&
        kv.key() != "diseases" && kv.key() != "required_documents")
      f.add("rules." + std::string(kv.key()), "rules.unknown_item",
            "unknown rule item " + std::string(kv.key()));
  Benefits b;
  b.deductible_fen = fen_at(o, "deductible_fen", "rules.deductible_fen", f, false).value_or(0);

  if (const auto* bands = o.if_contains("bands")) {
    if (!bands->is_array()) {
      f.add("rules.bands", "bands.type", "rules.bands must be an array");
    } else if (bands->as_array().size() > 20) {
      f.add("rules.bands", "bands.too_many", "at most 20 bands");
    } else {
      const auto& arr = bands->as_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        const std::string at = "rules.bands[" + std::to_string(i) + "]";
        if (!arr[i].is_object()) {
          f.add(at, "bands.type", at + " must be an object");
          continue;
        }
        const auto& bo = arr[i].as_object();
        Band band;
        band.up_to_fen = fen_at(bo, "up_to_fen", at + ".up_to_fen", f, true, true);
        band.percent = int_at(bo, "percent", at + ".percent", f, 0, 100).value_or(0);
        const bool last = i + 1 == arr.size();
        if (!bo.contains("up_to_fen"))
          f.add(at + ".up_to_fen", "up_to_fen.required", at + ".up_to_fen is required (null for the last band)");
        else if (last && band.up_to_fen)
          f.add(at + ".up_to_fen", "up_to_fen.last", "the last band must have up_to_fen null (no upper limit)");
        else if (!last && !band.up_to_fen)
          f.add(at + ".up_to_fen", "up_to_fen.required", "only the last band may be without an upper limit");
        if (band.up_to_fen && !b.bands.empty() && b.bands.back().up_to_fen &&
            *band.up_to_fen <= *b.bands.back().up_to_fen)
          f.add(at + ".up_to_fen", "up_to_fen.order", "band limits must increase");
        if (band.up_to_fen && *band.up_to_fen == 0)
          f.add(at + ".up_to_fen", "up_to_fen.range", "a band limit must be above 0");
        b.bands.push_back(band);
      }
    }
  }

  if (const auto* da = o.if_contains("daily_allowance"); da && !da->is_null()) {
    if (!da->is_object()) {
      f.add("rules.daily_allowance", "daily_allowance.type", "rules.daily_allowance must be an object or null");
    } else {
      const auto& ao = da->as_object();
      Allowance a;
      a.from_day = int_at(ao, "from_day", "rules.daily_allowance.from_day", f, 1, 366).value_or(1);
      a.fen_per_day = fen_at(ao, "fen_per_day", "rules.daily_allowance.fen_per_day", f, true).value_or(0);
      a.max_days = int_at(ao, "max_days", "rules.daily_allowance.max_days", f, 1, 366).value_or(1);
      b.allowance = a;
    }
  }

  if (const auto* ds = o.if_contains("diseases")) {
    if (!ds->is_array() || ds->as_array().size() > 500) {
      f.add("rules.diseases", "diseases.type", "rules.diseases must be an array of at most 500 diseases");
    } else {
      const auto& arr = ds->as_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        const std::string at = "rules.diseases[" + std::to_string(i) + "]";
        if (!arr[i].is_object()) {
          f.add(at, "diseases.type", at + " must be an object");
          continue;
        }
        const auto& dobj = arr[i].as_object();
        Disease d;
        d.code = str_at(dobj, "code", at + ".code", f, 20);
        d.name = str_at(dobj, "name", at + ".name", f, 200);
        d.fen = fen_at(dobj, "fen", at + ".fen", f, true).value_or(0);
        for (const auto& other : b.diseases)
          if (!d.code.empty() && other.code == d.code)
            f.add(at + ".code", "code.duplicate", "disease code " + d.code + " is listed twice");
        b.diseases.push_back(std::move(d));
      }
    }
  }

  if (const auto* rd = o.if_contains("required_documents")) {
    if (!rd->is_array() || rd->as_array().size() > 20) {
      f.add("rules.required_documents", "required_documents.type",
            "rules.required_documents must be an array of at most 20 document kinds");
    } else {
      for (const auto& k : rd->as_array()) {
        if (!k.is_string() || k.as_string().empty() || k.as_string().size() > 40) {
          f.add("rules.required_documents", "required_documents.type", "document kinds are non-empty strings");
          break;
        }
        b.required_documents.emplace_back(k.as_string());
      }
    }
  }

  if (b.bands.empty() && !b.allowance && b.diseases.empty())
    f.add("rules", "rules.empty", "a rule set needs at least one benefit item (bands, daily_allowance or diseases)");
  if (f.errors().size() != before) return std::nullopt;
  return b;
}

json::object benefits_json(const Benefits& b) {
  json::object o;
  o["deductible_fen"] = b.deductible_fen;
  json::array bands;
  for (const auto& band : b.bands) {
    json::object bo;
    bo["up_to_fen"] = band.up_to_fen ? json::value(*band.up_to_fen) : json::value(nullptr);
    bo["percent"] = band.percent;
    bands.push_back(std::move(bo));
  }
  o["bands"] = std::move(bands);
  if (b.allowance)
    o["daily_allowance"] = {{"from_day", b.allowance->from_day},
                            {"fen_per_day", b.allowance->fen_per_day},
                            {"max_days", b.allowance->max_days}};
  else
    o["daily_allowance"] = nullptr;
  json::array ds;
  for (const auto& d : b.diseases) ds.push_back({{"code", d.code}, {"name", d.name}, {"fen", d.fen}});
  o["diseases"] = std::move(ds);
  json::array docs;
  for (const auto& k : b.required_documents) docs.emplace_back(k);
  o["required_documents"] = std::move(docs);
  return o;
}

std::vector<std::string> benefits_text(const Benefits& b) {
  std::vector<std::string> out;
  if (!b.bands.empty()) {
    std::string s = "医疗补助：政策内个人自付超过起付线 " + yuan(b.deductible_fen) + " 元的部分，";
    int64_t from = 0;
    for (size_t i = 0; i < b.bands.size(); ++i) {
      const auto& band = b.bands[i];
      if (i) s += "；";
      if (band.up_to_fen)
        s += yuan(from) + "–" + yuan(*band.up_to_fen) + " 元按 " + std::to_string(band.percent) + "% 补助";
      else
        s += (from ? yuan(from) + " 元以上" : std::string("全部")) + "按 " + std::to_string(band.percent) + "% 补助";
      if (band.up_to_fen) from = *band.up_to_fen;
    }
    out.push_back(s + "。");
  }
  if (b.allowance)
    out.push_back("住院生活补助：住院第 " + std::to_string(b.allowance->from_day) + " 天起每天 " +
                  yuan(b.allowance->fen_per_day) + " 元，最多 " + std::to_string(b.allowance->max_days) + " 天。");
  for (const auto& d : b.diseases)
    out.push_back("特定疾病（" + d.code + " " + d.name + "）：定额补助 " + yuan(d.fen) + " 元。");
  if (!b.required_documents.empty()) {
    std::string s = "申请材料：";
    for (size_t i = 0; i < b.required_documents.size(); ++i) s += (i ? "、" : "") + b.required_documents[i];
    out.push_back(s + "。");
  }
  return out;
}

int stay_days(Date admission, Date discharge) {
  return static_cast<int>(std::max<int64_t>(1, discharge.days() - admission.days()));
}

Assessment assess(const Claim& claim, const Rules& rules, const History& history) {
  Assessment a;
  a.stay_days = stay_days(claim.admission, claim.discharge);
  auto reject = [&](std::string_view code) {
    a.outcome = Outcome::reject;
    a.reasons.push_back(code);
  };
  if (!history.enrolled) {
    reject("claim.not_enrolled");
    return a;
  }
  // The admission date decides: a stay that begins inside the coverage
  // window is covered to its end, one that begins outside is not.
  if (claim.admission < rules.cover_start || claim.admission > rules.cover_end) reject("claim.outside_coverage");
  if (history.first_time && rules.waiting_days > 0 &&
      claim.admission.days() < history.enrolled_on.days() + rules.waiting_days)
    reject("claim.waiting_period");
  for (const auto& s : history.stays)
    if (claim.admission <= s.discharge && s.admission <= claim.discharge) {
      reject("claim.duplicate_stay");
      break;
    }

  const Benefits& b = rules.benefits;
  int64_t total = 0;
  // Medical: the in-policy out-of-pocket amount above the deductible, by bands.
  if (!b.bands.empty() && claim.self_paid_fen > b.deductible_fen) {
    const int64_t above = claim.self_paid_fen - b.deductible_fen;
    int64_t from = 0;
    for (size_t i = 0; i < b.bands.size() && from < above; ++i) {
      const auto& band = b.bands[i];
      const int64_t to = band.up_to_fen ? std::min(*band.up_to_fen, above) : above;
      const int64_t part = to - from;
      if (part > 0) {
        const int64_t amount = part * band.percent / 100;
        a.lines.push_back({Item::medical, part, band.percent, 0, static_cast<int>(i + 1), amount});
        total += amount;
      }
      from = to;
    }
  }
  if (b.allowance && a.stay_days >= b.allowance->from_day) {
    const int days = std::min(a.stay_days - b.allowance->from_day + 1, b.allowance->max_days);
    const int64_t amount = b.allowance->fen_per_day * days;
    a.lines.push_back({Item::allowance, b.allowance->fen_per_day, 0, days, 0, amount});
    total += amount;
  }
  if (claim.disease_code)
    for (size_t i = 0; i < b.diseases.size(); ++i)
      if (b.diseases[i].code == *claim.disease_code) {
        a.lines.push_back({Item::disease, 0, 0, 0, static_cast<int>(i), b.diseases[i].fen});
        total += b.diseases[i].fen;
        break;
      }
  const int64_t left = std::max<int64_t>(0, rules.cap_fen - history.used_fen);
  if (left == 0) reject("claim.over_cap");
  else if (total > left) {
    a.lines.push_back({Item::cap, left, 0, 0, 0, left - total});
    total = left;
  }
  if (total == 0 && a.outcome == Outcome::pay) reject("claim.nothing_payable");

  if (a.outcome == Outcome::reject) {
    a.amount_fen = 0;
    return a;
  }
  for (const auto& kind : b.required_documents)
    if (std::find(claim.document_kinds.begin(), claim.document_kinds.end(), kind) == claim.document_kinds.end()) {
      a.outcome = Outcome::ret;
      a.reasons.push_back("claim.missing_documents");
      break;
    }
  a.amount_fen = total;
  return a;
}

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::pay: return "pay";
    case Outcome::reject: return "reject";
    case Outcome::ret: return "return";
  }
  return "pay";
}

json::object assessment_json(const Assessment& a, const Benefits& b) {
  json::object o;
  o["outcome"] = outcome_name(a.outcome);
  o["amount_fen"] = a.amount_fen;
  o["stay_days"] = a.stay_days;
  json::array lines;
  for (const auto& l : a.lines) {
    json::object j;
    std::string text;
    switch (l.item) {
      case Item::medical:
        j["item"] = "medical";
        j["band"] = l.band;
        j["base_fen"] = l.base_fen;
        j["percent"] = l.percent;
        text = "医疗补助第 " + std::to_string(l.band) + " 段：" + yuan(l.base_fen) + " 元 × " +
               std::to_string(l.percent) + "% = " + yuan(l.amount_fen) + " 元";
        break;
      case Item::allowance:
        j["item"] = "allowance";
        j["days"] = l.days;
        j["base_fen"] = l.base_fen;
        text = "住院生活补助：" + std::to_string(l.days) + " 天 × " + yuan(l.base_fen) + " 元 = " +
               yuan(l.amount_fen) + " 元";
        break;
      case Item::disease: {
        j["item"] = "disease";
        const auto& d = b.diseases.at(static_cast<size_t>(l.band));
        j["code"] = d.code;
        text = "特定疾病定额（" + d.code + " " + d.name + "）：" + yuan(l.amount_fen) + " 元";
        break;
      }
      case Item::cap:
        j["item"] = "cap";
        j["left_fen"] = l.base_fen;
        text = "本期封顶：剩余额度 " + yuan(l.base_fen) + " 元，核减 " + yuan(-l.amount_fen) + " 元";
        break;
    }
    j["amount_fen"] = l.amount_fen;
    j["text"] = std::move(text);
    lines.push_back(std::move(j));
  }
  o["lines"] = std::move(lines);
  json::array reasons;
  for (auto r : a.reasons) reasons.emplace_back(r);
  o["reasons"] = std::move(reasons);
  return o;
}

}  // namespace gh::aid
