#include "app/demo.h"

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <random>
#include <unordered_set>

#include "auth/accounts.h"
#include "auth/permissions.h"
#include "core/citizen_id.h"
#include "core/credit_code.h"
#include "core/regions.h"
#include "modules/aid/operations.h"
#include "modules/common.h"
#include "modules/offer/store.h"
#include "modules/org/store.h"
#include "modules/system/routes.h"
#include "modules/unit/store.h"

namespace gh::app {
namespace {

namespace json = boost::json;

constexpr std::string_view kProvince = "530000";
constexpr std::string_view kSmallCities[] = {"530100", "530300", "530400"};

const char* const kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
                                 "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋",
                                 "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁",
                                 "潘", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "沈",
                                 "段", "普", "李", "杨", "张", "王"};
const char* const kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
                              "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华",
                              "玉", "兰", "萍", "红", "建", "文", "云", "海", "春", "梅", "林", "宇",
                              "浩", "婷", "欣", "鑫", "晨", "琳", "波", "辉", "斌", "俊", "凤", "燕"};
const char* const kBrands[] = {"宏达", "兴业", "华泰", "金诚", "恒通", "顺丰", "云岭", "滇中", "春城",
                               "彩云", "高原", "翠湖", "盛世", "鑫源", "和信", "博远", "天成", "瑞丰",
                               "民生", "康泰", "新程", "同力", "远航", "安达"};
struct Kind {
  const char* suffix;
  const char* industry;
  const char* form;  // typical employment form
};
const Kind kKinds[] = {{"建材有限公司", "C", "standard"},   {"物流有限公司", "G", "truck_driver"},
                       {"餐饮管理有限公司", "H", "standard"}, {"快递服务有限公司", "G", "courier"},
                       {"电子科技有限公司", "I", "standard"}, {"配送服务有限公司", "G", "delivery_rider"},
                       {"出行服务有限公司", "G", "ride_hailing_driver"}, {"人民医院", "Q", "standard"},
                       {"建筑工程有限公司", "E", "standard"}, {"商贸有限公司", "F", "standard"}};

struct Rng {
  std::mt19937_64 gen;
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(gen) < p; }
  template <class T, size_t N>
  const T& pick(const T (&a)[N]) { return a[between(0, N - 1)]; }
};

struct DemoUnit {
  int64_t id;
  std::string region;
  const Kind* kind;
};

std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng.between(0, 9));
  return s;
}

}  // namespace

namespace {

// The mutual-aid plan in use: the province's period 6 (open for enrolment
// now, a year of coverage), every unit of the first city enrolled, and a few
// claims of the first county in each state, made by the demo staff through
// the module's own operations (so audited and posted to the ledger).
void load_fund_demo(db::Store& store, const audit::Audit& audit, const std::map<std::string, auth::Principal>& staff,
                    const org::Org& province, const org::Org& county, const org::Org& city) {
  const Date today = Date::today_shanghai();
  const auto& admin = staff.at("yn_admin");
  const auto& officer = staff.at("county_officer");
  const auto& reviewer = staff.at("yn_reviewer");
  const auto& manager = staff.at("km_manager");
  store.write([&](db::Tx& tx) {
    aid::PeriodInput in;
    in.number = 6;
    in.name = "第6期职工医疗和生活互助保障计划";
    in.waiting_days = 90;
    in.enrol_start = Date::from_days(today.days() - 310);
    in.enrol_end = Date::from_days(today.days() + 60);
    in.cover_start = Date::from_days(today.days() - 300);
    in.cover_end = Date::from_days(today.days() + 65);
    in.benefits.deductible_fen = 100000;
    in.benefits.bands = {{1000000, 50}, {5000000, 60}, {std::nullopt, 70}};
    in.benefits.allowance = aid::Allowance{4, 5000, 60};
    in.benefits.diseases = {{"C50", "乳腺恶性肿瘤", 1000000}, {"C34", "肺恶性肿瘤", 1500000}, {"I21", "急性心肌梗死", 800000}};
    in.benefits.required_documents = {"invoice", "discharge_summary", "settlement"};
    const int64_t period_id = aid::create_period(tx, audit, admin, province, in);
    auto period = *aid::find_period(tx, period_id);
    const std::string upper = modules::subtree_upper(city.path);
    for (const auto& r : tx.query("SELECT id FROM units WHERE org_path >= $1 AND org_path < $2 ORDER BY id",
                                  {city.path, upper}))
      aid::enrol(tx, audit, manager, period, *unit::find(tx, r[0].i64()), std::nullopt,
                 Date::from_days(today.days() - 290));
    // Claims of the first county's members.
    auto members = tx.query("SELECT id FROM members WHERE org_path >= $1 AND org_path < $2 ORDER BY id LIMIT 8",
                            {county.path, modules::subtree_upper(county.path)});
    const json::array all_docs = {{{"kind", "invoice"}, {"name", "住院发票.pdf"}},
                                  {{"kind", "discharge_summary"}, {"name", "出院小结.pdf"}},
                                  {{"kind", "settlement"}, {"name", "医保结算单.pdf"}}};
    struct Stay {
      int from, days;
      int64_t total, basic, self_paid;
      const char* hospital;
      const char* diagnosis;
      const char* disease;
      bool documents;
    };
    const Stay stays[] = {
        {-60, 12, 4200000, 2500000, 1300000, "昆明医科大学第一附属医院", "社区获得性肺炎", nullptr, true},
        {-45, 21, 18600000, 9800000, 6400000, "云南省肿瘤医院", "乳腺恶性肿瘤", "C50", true},
        {-40, 5, 980000, 650000, 260000, "昆明市第一人民医院", "急性阑尾炎", nullptr, true},
        {-33, 9, 3100000, 1900000, 900000, "云南省第一人民医院", "腰椎间盘突出症", nullptr, true},
        {-25, 16, 12800000, 7100000, 4300000, "昆明医科大学第二附属医院", "急性心肌梗死", "I21", true},
        {-18, 3, 450000, 300000, 120000, "五华区人民医院", "急性胃肠炎", nullptr, true},
        {-12, 7, 2600000, 1500000, 800000, "昆明市延安医院", "胆囊结石伴胆囊炎", nullptr, false},
        {-6, 4, 1700000, 1000000, 500000, "昆明市中医医院", "脑梗死", nullptr, true},
    };
    std::vector<int64_t> claims;
    for (size_t i = 0; i < members.rows.size() && i < std::size(stays); ++i) {
      const auto& st = stays[i];
      aid::ClaimInput c;
      c.facts.admission = Date::from_days(today.days() + st.from);
      c.facts.discharge = Date::from_days(today.days() + st.from + st.days);
      if (st.disease) c.facts.disease_code = st.disease;
      c.facts.self_paid_fen = st.self_paid;
      c.hospital = st.hospital;
      c.diagnosis = st.diagnosis;
      c.total = st.total;
      c.basic = st.basic;
      c.documents = st.documents ? all_docs : json::array{all_docs[0]};
      for (const auto& d : c.documents) c.facts.document_kinds.emplace_back(d.at("kind").as_string());
      auto m = member::find(tx, members.rows[i][0].i64());
      claims.push_back(aid::file_claim(tx, audit, officer, period, *m, c));
    }
    // Decisions: three approved (two of them paid), one rejected, one returned; the rest wait.
    auto claim = [&](size_t i) { return *aid::find_claim(tx, claims.at(i)); };
    for (size_t i : {size_t{0}, size_t{1}, size_t{2}}) aid::decide(tx, audit, reviewer, claim(i), "approve", "");
    aid::decide(tx, audit, reviewer, claim(5), "reject", "门诊可解决，不符合住院指征");
    aid::decide(tx, audit, reviewer, claim(6), "return", "请补充出院小结和医保结算单");
    for (size_t i : {size_t{0}, size_t{1}}) aid::pay_claim(tx, period, claim(i), manager.account_id);
  });
}

// Offers (惠工服务) of the first city, published by its manager: the 1-fen
// subway ride, the online supermarket at 40 % for needy, rural and
// new-employment members, and a free movie ticket a month or two.
void load_offer_demo(db::Store& store, const audit::Audit& audit, const auth::Principal& manager,
                     const org::Org& city) {
  store.write([&](db::Tx& tx) {
    const int64_t now = db::now_ms();
    auto merchant = [&](const char* name, const char* region, const char* category, const char* address) {
      offer::Merchant m;
      m.org_id = city.id;
      m.org_path = city.path;
      m.name = name;
      m.region_code = region;
      m.category = category;
      m.address = address;
      const int64_t id = offer::insert_merchant(tx, m, manager.account_id);
      audit.append(tx, audit::Actor::of(&manager), {"merchant.create", "merchant", std::to_string(id), "ok", name, city.path});
      return id;
    };
    auto publish = [&](int64_t merchant_id, const char* name, offer::Terms terms, offer::Groups groups,
                       offer::Limits limits, std::optional<int64_t> budget_fen) {
      offer::Offer o;
      o.merchant_id = merchant_id;
      o.org_id = city.id;
      o.org_path = city.path;
      o.name = name;
      o.terms = terms;
      o.groups = groups;
      o.limits = limits;
      o.starts_at = now - int64_t{30} * 86'400'000;
      o.ends_at = now + int64_t{335} * 86'400'000;
      o.budget_fen = budget_fen;
      const int64_t id = offer::insert_offer(tx, o, manager.account_id);
      audit.append(tx, audit::Actor::of(&manager),
                   {"offer.create", "offer", std::to_string(id), "ok", std::string(offer::kind_name(terms.kind)), city.path});
    };
    const int64_t subway = merchant("昆明地铁运营有限公司", "530100", "transport", "昆明市轨道交通线网");
    const int64_t market = merchant("云岭网上超市", "530102", "online_shop", "五华区线上商城");
    const int64_t cinema = merchant("春城影城", "530103", "cinema", "盘龙区北京路");
    publish(subway, "地铁一分钱乘车", {offer::Kind::fixed, 1, 0, 0}, {}, {4, std::nullopt, std::nullopt}, 5'000'000);
    publish(market, "生活必需品四折", {offer::Kind::percent, 0, 40, 0}, {false, true, true, true},
            {std::nullopt, 8, std::nullopt}, 2'000'000);
    publish(cinema, "免费观影", {offer::Kind::free, 0, 0, 4000}, {}, {std::nullopt, 2, std::nullopt}, 10'000'000);
  });
}

}  // namespace

DemoReport load_demo(db::Store& store, member::Roster& roster, const audit::Audit& audit,
                     const DemoOptions& options) {
  auto started = std::chrono::steady_clock::now();
  DemoReport report;
  auto say = [&](const std::string& s) {
    if (options.progress) options.progress(s);
  };
  bool seed_scale = options.scale == "seed";
  if (!seed_scale && options.scale != "small")
    throw Error::invalid("scale", "scale.unknown", "scale must be small or seed");
  if (store.read_one("SELECT value FROM settings WHERE key = 'demo'"))
    return report;
  const auto& regions = Regions::instance();
  Rng rng{std::mt19937_64(options.seed)};
  std::string demo_hash = crypto::hash_password(kDemoPassword);

  // The hierarchy: province → cities → counties → one grassroots union per unit.
  std::vector<std::string> city_codes;
  if (seed_scale)
    for (const auto& c : system::region_children(regions, kProvince)) city_codes.push_back(c.code);
  else
    city_codes.assign(std::begin(kSmallCities), std::end(kSmallCities));
  const int64_t total_units = seed_scale ? 5314 : 24;
  const int64_t total_members = seed_scale ? 352300 : 2400;

  struct County {
    org::Org org;
    std::vector<DemoUnit> units;
  };
  std::vector<County> counties;
  org::Org province, first_city, second_city;
  auth::Principal system_principal;
  system_principal.kind = auth::PrincipalKind::staff;
  system_principal.username = "demo";

  store.write([&](db::Tx& tx) {
    auto top_row = tx.one("SELECT id FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1");
    auto top = top_row ? org::find(tx, (*top_row)[0].i64()) : std::nullopt;
    if (!top || !Regions::contains(top->region_code, kProvince))
      throw Error::conflict("demo.top_org", "demo data needs a top org whose region contains 云南省 (530000)");
    system_principal.org_path = top->path;
    province = org::insert(tx, "云南省总工会", org::Level::province, &*top, std::string(kProvince));
    for (size_t ci = 0; ci < city_codes.size(); ++ci) {
      auto city_region = regions.find(city_codes[ci]);
      auto city = org::insert(tx, city_region->name + "总工会", org::Level::city, &province, city_codes[ci]);
      if (ci == 0) first_city = city;
      if (ci == 1) second_city = city;
      auto county_regions = system::region_children(regions, city_codes[ci]);
      size_t n = seed_scale ? county_regions.size() : std::min<size_t>(2, county_regions.size());
      for (size_t k = 0; k < n; ++k) {
        auto county = org::insert(tx, county_regions[k].name + "总工会", org::Level::county, &city,
                                  county_regions[k].code);
        counties.push_back({county, {}});
      }
    }
    report.orgs += 1 + static_cast<int64_t>(city_codes.size() + counties.size());
  });
  say("orgs: province, " + std::to_string(city_codes.size()) + " cities, " + std::to_string(counties.size()) + " counties");

  // Units, each with its own grassroots union, spread evenly over the counties.
  std::unordered_set<std::string> codes;
  for (int64_t start = 0; start < total_units; start += 500) {
    int64_t end = std::min(total_units, start + 500);
    store.write([&](db::Tx& tx) {
      for (int64_t u = start; u < end; ++u) {
        auto& county = counties[static_cast<size_t>(u) % counties.size()];
        const Kind& kind = rng.pick(kKinds);
        std::string county_name = regions.find(county.org.region_code)->name;
        std::string name = county_name + rng.pick(kBrands) + kind.suffix;
        if (county.units.size() > 0) name = county_name + rng.pick(kBrands) + std::to_string(county.units.size() + 1) + "号" + kind.suffix;
        auto grassroots = org::insert(tx, name + "工会委员会", org::Level::grassroots, &county.org, county.org.region_code);
        std::string code;
        do {
          code = make_credit_code('9', '1', county.org.region_code, "MA" + digits(rng, 6));
        } while (!codes.insert(code).second);
        unit::Unit unit;
        unit.name = name;
        unit.credit_code = code;
        unit.region_code = county.org.region_code;
        unit.org_id = grassroots.id;
        unit.org_path = grassroots.path;
        unit.industry = kind.industry;
        unit.headcount = 0;
        unit.id = unit::insert(tx, unit);
        county.units.push_back({unit.id, unit.region_code, &kind});
      }
    });
    report.orgs += end - start;
    report.units += end - start;
  }
  say("units: " + std::to_string(report.units));

  // Members, generated as import rows and written through the import path.
  std::vector<DemoUnit> all_units;
  for (const auto& c : counties) all_units.insert(all_units.end(), c.units.begin(), c.units.end());
  std::unordered_set<std::string> ids;
  auto fixed = [&](const char* name, const char* phone, Date birth, int seq) {
    json::object row;
    row["name"] = name;
    row["citizen_id"] = make_citizen_id(all_units[0].region, birth, seq);
    ids.insert(row["citizen_id"].as_string().c_str());
    row["phone"] = phone;
    row["unit_id"] = all_units[0].id;
    row["household"] = "urban";
    row["employment_form"] = "standard";
    row["employment_status"] = "in_service";
    row["ethnic_group"] = "01";
    row["education"] = "20";
    return row;
  };
  int64_t made = 0;
  const size_t batch = 2000;
  json::array rows;
  rows.push_back(fixed("李明", "13800138000", Date{1990, 5, 17}, 123));
  rows.push_back(fixed("王芳", "13900139000", Date{1992, 8, 8}, 246));
  made = 2;
  auto flush = [&] {
    auto prepared = roster.prepare_import(rows);
    auto r = store.write([&](db::Tx& tx) { return roster.import(tx, system_principal, prepared, false); });
    if (!r.failed.empty())
      throw Error::internal("demo row " + std::to_string(r.failed[0].row) + " invalid: " + r.failed[0].errors[0].message);
    report.members += r.created;
    rows.clear();
  };
  const int64_t per_unit = total_members / total_units;
  const int64_t extra = total_members % total_units;
  for (size_t ui = 0; ui < all_units.size(); ++ui) {
    const auto& unit = all_units[ui];
    int64_t n = per_unit + (static_cast<int64_t>(ui) < extra ? 1 : 0) - (ui == 0 ? 2 : 0);
    for (int64_t k = 0; k < n; ++k) {
      json::object row;
      bool male = rng.chance(0.56);
      std::string name = rng.pick(kSurnames);
      name += rng.pick(kGiven);
      if (rng.chance(0.6)) name += rng.pick(kGiven);
      std::string cid;
      do {
        Date birth{rng.between(1963, 2004), rng.between(1, 12), 1};
        birth.day = rng.between(1, days_in_month(birth.year, birth.month));
        int seq = rng.between(0, 499) * 2 + (male ? 1 : 0);
        cid = make_citizen_id(unit.region, birth, seq);
      } while (!ids.insert(cid).second);
      static const char* const kPrefixes[] = {"13", "15", "17", "18", "19"};
      row["name"] = name;
      row["citizen_id"] = cid;
      row["phone"] = std::string(rng.pick(kPrefixes)) + digits(rng, 9);
      row["unit_id"] = unit.id;
      row["household"] = rng.chance(0.68) ? "urban" : "rural";
      row["employment_form"] = rng.chance(0.8) ? unit.kind->form : "standard";
      double s = rng.between(0, 99);
      row["employment_status"] = s < 92 ? "in_service" : s < 98 ? "retired" : "unemployed";
      row["ethnic_group"] = rng.chance(0.67) ? "01" : (rng.chance(0.5) ? "07" : "14");
      static const char* const kEducation[] = {"14", "20", "20", "30", "30", "40", "60", "70"};
      row["education"] = rng.pick(kEducation);
      if (rng.chance(0.03)) row["needy_status"] = rng.chance(0.5) ? "relative" : "deep";
      rows.push_back(std::move(row));
      ++made;
      if (rows.size() >= batch) flush();
    }
    if (ui % 500 == 0 && ui) say("members: " + std::to_string(report.members));
  }
  if (!rows.empty()) flush();
  store.write([&](db::Tx& tx) {
    tx.exec("UPDATE units SET headcount = (SELECT COUNT(*) FROM members m WHERE m.unit_id = units.id)");
  });

  // Staff accounts per level, and the demo member's own account.
  std::map<std::string, auth::Principal> staff_principals;
  store.write([&](db::Tx& tx) {
    auto county0 = counties.front().org;
    auto other_county = std::find_if(counties.begin(), counties.end(), [&](const County& c) {
      return !Regions::contains(first_city.region_code, c.org.region_code);
    });
    auto grassroots0 = org::find(tx, all_units.empty() ? county0.id : unit::find(tx, all_units[0].id)->org_id);
    struct StaffDef {
      const char* username;
      int64_t org_id;
      std::vector<std::string> roles;
    };
    std::vector<StaffDef> staff = {
        {"yn_admin", province.id, {"admin"}},
        {"yn_auditor", province.id, {"auditor"}},
        {"yn_reviewer", province.id, {"reviewer"}},
        {"km_manager", first_city.id, {"org_manager"}},
        {"county_officer", county0.id, {"case_officer"}},
        {"other_county_officer", other_county->org.id, {"case_officer"}},
        {"grassroots_officer", grassroots0->id, {"case_officer"}},
    };
    for (const auto& s : staff) {
      auth::Account a;
      a.kind = "staff";
      a.username = s.username;
      a.password_hash = demo_hash;
      a.org_id = s.org_id;
      a.roles = s.roles;
      const int64_t id = auth::insert_account(tx, a);
      auto org = org::find(tx, s.org_id);
      auth::Principal p;
      p.account_id = id;
      p.username = s.username;
      p.org_id = s.org_id;
      p.org_path = org->path;
      p.roles = s.roles;
      p.perms = auth::perms_for(s.roles);
      staff_principals.emplace(s.username, p);
      ++report.staff;
    }
    auto member = tx.one("SELECT id, phone_bidx FROM members WHERE citizen_bidx = $1",
                         {roster.citizen_index(make_citizen_id(all_units[0].region, Date{1990, 5, 17}, 123))});
    auth::Account m;
    m.kind = "member";
    m.username = auth::member_username((*member)[1].str());
    m.password_hash = demo_hash;
    m.member_id = (*member)[0].i64();
    auth::insert_account(tx, m);
    tx.exec("INSERT INTO settings (key, value) VALUES ('demo', $1)", {options.scale});
    audit.append(tx, audit::Actor::system(), {"system.demo", "org", std::to_string(province.id), "ok",
                                              options.scale + ": " + std::to_string(report.members) + " members",
                                              province.path});
  });
  load_fund_demo(store, audit, staff_principals, province, counties.front().org, first_city);
  say("funds: mutual-aid period 6 with enrolments and claims");
  load_offer_demo(store, audit, staff_principals.at("km_manager"), first_city);
  say("offers: 3 merchants and 3 offers of " + first_city.name);
  report.loaded = true;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace gh::app
