#include "modules/member/dictionaries.h"

#include <boost/json.hpp>

namespace gh::member {

std::optional<std::string> Dictionary::canonical(std::string_view input) const {
  for (const auto& e : entries)
    if (e.code == input || e.name == input) return std::string(e.code);
  for (const auto& [alias, code] : aliases)
    if (alias == input) return std::string(code);
  return std::nullopt;
}

std::string Dictionary::allowed() const {
  std::string out;
  for (const auto& e : entries) {
    if (!out.empty()) out += ", ";
    out += e.code;
  }
  return out;
}

const Dictionary& ethnic_groups() {
  static const Dictionary d{
      "ethnic_group",
      {{"01", "汉族"},     {"02", "蒙古族"},   {"03", "回族"},     {"04", "藏族"},     {"05", "维吾尔族"},
       {"06", "苗族"},     {"07", "彝族"},     {"08", "壮族"},     {"09", "布依族"},   {"10", "朝鲜族"},
       {"11", "满族"},     {"12", "侗族"},     {"13", "瑶族"},     {"14", "白族"},     {"15", "土家族"},
       {"16", "哈尼族"},   {"17", "哈萨克族"}, {"18", "傣族"},     {"19", "黎族"},     {"20", "傈僳族"},
       {"21", "佤族"},     {"22", "畲族"},     {"23", "高山族"},   {"24", "拉祜族"},   {"25", "水族"},
       {"26", "东乡族"},   {"27", "纳西族"},   {"28", "景颇族"},   {"29", "柯尔克孜族"}, {"30", "土族"},
       {"31", "达斡尔族"}, {"32", "仫佬族"},   {"33", "羌族"},     {"34", "布朗族"},   {"35", "撒拉族"},
       {"36", "毛南族"},   {"37", "仡佬族"},   {"38", "锡伯族"},   {"39", "阿昌族"},   {"40", "普米族"},
       {"41", "塔吉克族"}, {"42", "怒族"},     {"43", "乌孜别克族"}, {"44", "俄罗斯族"}, {"45", "鄂温克族"},
       {"46", "德昂族"},   {"47", "保安族"},   {"48", "裕固族"},   {"49", "京族"},     {"50", "塔塔尔族"},
       {"51", "独龙族"},   {"52", "鄂伦春族"}, {"53", "赫哲族"},   {"54", "门巴族"},   {"55", "珞巴族"},
       {"56", "基诺族"}},
      {}};
  return d;
}

const Dictionary& education() {
  static const Dictionary d{"education",
                            {{"10", "研究生"},
                             {"11", "博士研究生"},
                             {"14", "硕士研究生"},
                             {"20", "大学本科"},
                             {"30", "大学专科"},
                             {"40", "中等专科"},
                             {"50", "职业高中"},
                             {"60", "普通高中"},
                             {"70", "初中"},
                             {"80", "小学"},
                             {"90", "其他"}},
                            {{"本科", "20"}, {"大专", "30"}, {"中专", "40"}, {"高中", "60"}}};
  return d;
}

const Dictionary& political_status() {
  static const Dictionary d{"political_status",
                            {{"01", "中共党员"},
                             {"02", "中共预备党员"},
                             {"03", "共青团员"},
                             {"04", "民革党员"},
                             {"05", "民盟盟员"},
                             {"06", "民建会员"},
                             {"07", "民进会员"},
                             {"08", "农工党党员"},
                             {"09", "致公党党员"},
                             {"10", "九三学社社员"},
                             {"11", "台盟盟员"},
                             {"12", "无党派人士"},
                             {"13", "群众"}},
                            {{"党员", "01"}}};
  return d;
}

const Dictionary& industries() {
  static const Dictionary d{"industry",
                            {{"A", "农、林、牧、渔业"},
                             {"B", "采矿业"},
                             {"C", "制造业"},
                             {"D", "电力、热力、燃气及水生产和供应业"},
                             {"E", "建筑业"},
                             {"F", "批发和零售业"},
                             {"G", "交通运输、仓储和邮政业"},
                             {"H", "住宿和餐饮业"},
                             {"I", "信息传输、软件和信息技术服务业"},
                             {"J", "金融业"},
                             {"K", "房地产业"},
                             {"L", "租赁和商务服务业"},
                             {"M", "科学研究和技术服务业"},
                             {"N", "水利、环境和公共设施管理业"},
                             {"O", "居民服务、修理和其他服务业"},
                             {"P", "教育"},
                             {"Q", "卫生和社会工作"},
                             {"R", "文化、体育和娱乐业"},
                             {"S", "公共管理、社会保障和社会组织"},
                             {"T", "国际组织"}},
                            {}};
  return d;
}

const Dictionary& households() {
  static const Dictionary d{"household",
                            {{"urban", "城镇"}, {"rural", "农村"}},
                            {{"城镇户口", "urban"}, {"农业户口", "rural"}, {"非农业户口", "urban"}}};
  return d;
}

const Dictionary& employment_forms() {
  static const Dictionary d{"employment_form",
                            {{"standard", "标准劳动关系"},
                             {"courier", "快递员"},
                             {"delivery_rider", "外卖送餐员"},
                             {"ride_hailing_driver", "网约车司机"},
                             {"truck_driver", "货车司机"},
                             {"flexible", "其他灵活就业"}},
                            {{"regular", "standard"},
                             {"rider", "delivery_rider"},
                             {"ride_hailing", "ride_hailing_driver"},
                             {"other", "flexible"}}};
  return d;
}

const Dictionary& employment_statuses() {
  static const Dictionary d{"employment_status",
                            {{"in_service", "在职"}, {"retired", "退休"}, {"unemployed", "失业"}},
                            {{"employed", "in_service"}, {"active", "in_service"}}};
  return d;
}

const Dictionary& needy_statuses() {
  static const Dictionary d{"needy_status",
                            {{"none", "非困难职工"},
                             {"deep", "深度困难"},
                             {"relative", "相对困难"},
                             {"accident", "意外致困"}},
                            {}};
  return d;
}

const Dictionary& member_statuses() {
  static const Dictionary d{"status",
                            {{"active", "正常"}, {"transferred", "已转出"}, {"suspended", "暂停"}, {"ended", "已终止"}},
                            {}};
  return d;
}

boost::json::object dictionaries_json() {
  boost::json::object out;
  for (const Dictionary* d :
       {&ethnic_groups(), &education(), &political_status(), &industries(), &households(),
        &employment_forms(), &employment_statuses(), &needy_statuses(), &member_statuses()}) {
    boost::json::array a;
    for (const auto& e : d->entries) a.push_back({{"code", e.code}, {"name", e.name}});
    out[d->name] = std::move(a);
  }
  boost::json::array sex;
  sex.push_back({{"code", "M"}, {"name", "男"}});
  sex.push_back({{"code", "F"}, {"name", "女"}});
  out["sex"] = std::move(sex);
  return out;
}

}  // namespace gh::member
