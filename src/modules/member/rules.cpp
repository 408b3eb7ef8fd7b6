#include "modules/member/rules.h"

#include "core/phone.h"
#include "core/regions.h"
#include "modules/member/dictionaries.h"

namespace gh::member {
namespace {

const Dictionary* dictionary_for(std::string_view field) {
  if (field == "household") return &households();
  if (field == "employment_form") return &employment_forms();
  if (field == "employment_status") return &employment_statuses();
  if (field == "ethnic_group") return &ethnic_groups();
  if (field == "education") return &education();
  if (field == "political_status") return &political_status();
  if (field == "needy_status") return &needy_statuses();
  return nullptr;
}

}  // namespace

std::optional<std::string> read_coded(http::Fields& f, std::string_view field, bool required) {
  auto raw = required ? std::optional(f.str(field, {.max = 40}))
                      : f.opt_str(field, {.max = 40, .required = false});
  if (!raw || raw->empty()) return std::nullopt;
  const Dictionary* d = dictionary_for(field);
  auto code = d->canonical(*raw);
  if (!code) {
    f.add(f.field(field), std::string(field) + ".unknown",
          std::string(field) + " must be one of: " + d->allowed());
    return std::nullopt;
  }
  return code;
}

std::optional<Input> read_input(http::Fields& f, const Regions& regions, Date today) {
  Input in;
  in.name = f.str("name", {.max = 50});
  auto cid = f.str("citizen_id", {.max = 20});
  auto phone = f.str("phone", {.max = 20});
  in.unit_id = f.id("unit_id");
  auto household = read_coded(f, "household", true);
  auto form = read_coded(f, "employment_form", true);
  auto status = read_coded(f, "employment_status", true);
  in.ethnic_group = read_coded(f, "ethnic_group", false);
  in.education = read_coded(f, "education", false);
  in.political_status = read_coded(f, "political_status", false);
  in.needy_status = read_coded(f, "needy_status", false);
  in.needy_detail = f.opt_str("needy_detail", {.max = 1000, .required = false});
  in.physical_card_no = f.opt_str("physical_card_no", {.min = 4, .max = 32, .required = false});

  bool ok = f.ok();
  if (!cid.empty()) {
    auto parsed = parse_citizen_id(cid, regions, today);
    if (!parsed) {
      f.add(f.field("citizen_id"), parsed.error().code, parsed.error().message);
      ok = false;
    } else {
      in.citizen = *parsed;
    }
  }
  if (!phone.empty()) {
    auto parsed = parse_phone(phone);
    if (!parsed) {
      f.add(f.field("phone"), parsed.error().code, parsed.error().message);
      ok = false;
    } else {
      in.phone = *parsed;
    }
  }
  if (!ok || !f.ok()) return std::nullopt;
  in.household = *household;
  in.employment_form = *form;
  in.employment_status = *status;
  return in;
}

}  // namespace gh::member
