// The Fields codec. Error codes are "<name>.<problem>" with <name> the bare
// field name (stable whatever the prefix) and `field` the full path
// (prefix + name). Problems: required, type, too_short, too_long, control,
// range, one_of, too_many, not_object.
#include "http/fields.h"

#include <charconv>
#include <string>

#include "http/http.h"

namespace gh::http {
namespace {

namespace json = boost::json;

// Counts code points; the input is valid UTF-8 (Boost.JSON guarantees it).
size_t code_points(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// Trims ASCII whitespace, NBSP (U+00A0) and the ideographic space (U+3000)
// that Chinese input methods leave behind.
std::string_view trim(std::string_view s) {
  for (;;) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' ||
                       s.front() == '\r' || s.front() == '\f' || s.front() == '\v')) {
      s.remove_prefix(1);
    } else if (s.starts_with("\xC2\xA0")) {
      s.remove_prefix(2);
    } else if (s.starts_with("\xE3\x80\x80")) {
      s.remove_prefix(3);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                       s.back() == '\r' || s.back() == '\f' || s.back() == '\v')) {
      s.remove_suffix(1);
    } else if (s.ends_with("\xC2\xA0")) {
      s.remove_suffix(2);
    } else if (s.ends_with("\xE3\x80\x80")) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return true;
  return false;
}

std::optional<int64_t> as_int(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX))
    return static_cast<int64_t>(v.get_uint64());
  return std::nullopt;
}

std::string code(std::string_view name, std::string_view what) {
  std::string c(name);
  c += '.';
  c += what;
  return c;
}

}  // namespace

Fields::Fields(const json::value& v, std::string prefix) : prefix_(std::move(prefix)) {
  obj_ = v.if_object();
  if (!obj_) {
    std::string f = prefix_;
    while (!f.empty() && f.back() == '.') f.pop_back();
    add(f.empty() ? "body" : f, "body.not_object",
        (f.empty() ? std::string("the request body") : f) + " must be a JSON object");
  }
}

const json::value* Fields::raw(std::string_view name) const {
  if (!obj_) return nullptr;
  return obj_->if_contains(name);
}

void Fields::add(std::string f, std::string c, std::string message) {
  errors_.push_back({std::move(f), std::move(c), std::move(message)});
}

void Fields::add(const FieldError& e) { errors_.push_back(e); }

void Fields::done() {
  if (!errors_.empty()) throw Error::invalid(std::move(errors_));
}

std::optional<std::string> Fields::opt_str(std::string_view name, StrRule rule) {
  const json::value* v = raw(name);
  std::string f = field(name);
  if (!v || v->is_null()) {
    if (rule.required && obj_) add(f, code(name, "required"), f + " is required");
    return std::nullopt;
  }
  const json::string* s = v->if_string();
  if (!s) {
    add(f, code(name, "type"), f + " must be a string");
    return std::nullopt;
  }
  std::string_view t = trim(*s);
  if (t.empty()) {
    // An empty optional string means "not given" (forms send "").
    if (rule.required) add(f, code(name, "required"), f + " is required");
    return std::nullopt;
  }
  if (has_control(t)) {
    add(f, code(name, "control"), f + " must not contain control characters");
    return std::nullopt;
  }
  size_t n = code_points(t);
  if (n < rule.min) {
    add(f, code(name, "too_short"),
        f + " must be at least " + std::to_string(rule.min) + " characters long");
    return std::nullopt;
  }
  if (n > rule.max) {
    add(f, code(name, "too_long"),
        f + " must be at most " + std::to_string(rule.max) + " characters long");
    return std::nullopt;
  }
  return std::string(t);
}

std::string Fields::str(std::string_view name, StrRule rule) {
  rule.required = true;
  return opt_str(name, rule).value_or("");
}

std::optional<int64_t> Fields::opt_i64(std::string_view name, int64_t min, int64_t max) {
  const json::value* v = raw(name);
  if (!v || v->is_null()) return std::nullopt;
  std::string f = field(name);
  auto i = as_int(*v);
  if (!i) {
    add(f, code(name, "type"), f + " must be an integer");
    return std::nullopt;
  }
  if (*i < min || *i > max) {
    add(f, code(name, "range"),
        f + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return i;
}

int64_t Fields::i64(std::string_view name, int64_t min, int64_t max) {
  const json::value* v = raw(name);
  if (!v || v->is_null()) {
    if (obj_) add(field(name), code(name, "required"), field(name) + " is required");
    return 0;
  }
  return opt_i64(name, min, max).value_or(0);
}

std::optional<int64_t> Fields::opt_id(std::string_view name) {
  const json::value* v = raw(name);
  if (!v || v->is_null()) return std::nullopt;
  std::string f = field(name);
  auto i = as_int(*v);
  if (!i) {
    add(f, code(name, "type"), f + " must be an integer id");
    return std::nullopt;
  }
  if (*i <= 0) {
    add(f, code(name, "range"), f + " must be a positive id");
    return std::nullopt;
  }
  return i;
}

int64_t Fields::id(std::string_view name) {
  const json::value* v = raw(name);
  if (!v || v->is_null()) {
    if (obj_) add(field(name), code(name, "required"), field(name) + " is required");
    return 0;
  }
  return opt_id(name).value_or(0);
}

bool Fields::boolean(std::string_view name, std::optional<bool> fallback) {
  const json::value* v = raw(name);
  std::string f = field(name);
  if (!v || v->is_null()) {
    if (fallback) return *fallback;
    if (obj_) add(f, code(name, "required"), f + " is required");
    return false;
  }
  if (!v->is_bool()) {
    add(f, code(name, "type"), f + " must be true or false");
    return fallback.value_or(false);
  }
  return v->get_bool();
}

std::string Fields::one_of(std::string_view name, std::initializer_list<std::string_view> allowed,
                           std::optional<std::string_view> fallback) {
  const json::value* v = raw(name);
  std::string f = field(name);
  if (!v || v->is_null() || (v->is_string() && trim(v->get_string()).empty())) {
    if (fallback) return std::string(*fallback);
    if (obj_) add(f, code(name, "required"), f + " is required");
    return "";
  }
  std::string list;
  for (auto a : allowed) {
    if (!list.empty()) list += ", ";
    list += a;
  }
  const json::string* s = v->if_string();
  if (!s) {
    add(f, code(name, "type"), f + " must be a string, one of: " + list);
    return "";
  }
  std::string_view t = trim(*s);
  for (auto a : allowed)
    if (a == t) return std::string(t);
  add(f, code(name, "one_of"), f + " must be one of: " + list);
  return "";
}

std::vector<std::string> Fields::str_list(std::string_view name, size_t max_items) {
  std::vector<std::string> out;
  const json::value* v = raw(name);
  if (!v || v->is_null()) return out;
  std::string f = field(name);
  const json::array* a = v->if_array();
  if (!a) {
    add(f, code(name, "type"), f + " must be an array of strings");
    return out;
  }
  if (a->size() > max_items) {
    add(f, code(name, "too_many"),
        f + " must have at most " + std::to_string(max_items) + " items");
    return out;
  }
  out.reserve(a->size());
  for (size_t i = 0; i < a->size(); ++i) {
    std::string fi = f + "[" + std::to_string(i) + "]";
    const json::string* s = (*a)[i].if_string();
    std::string_view t = s ? trim(*s) : std::string_view();
    if (!s || t.empty()) {
      add(fi, code(name, "type"), fi + " must be a non-empty string");
      continue;
    }
    if (has_control(t)) {
      add(fi, code(name, "control"), fi + " must not contain control characters");
      continue;
    }
    if (code_points(t) > 200) {
      add(fi, code(name, "too_long"), fi + " must be at most 200 characters long");
      continue;
    }
    out.emplace_back(t);
  }
  return out;
}

Page page_from(const Request& req, int64_t max_size) {
  std::vector<FieldError> errors;
  Page p;
  auto parse = [&](std::string_view name, int64_t min, int64_t max, int64_t& out) {
    auto v = req.query_param(name);
    if (!v || v->empty()) return;
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || ptr != v->data() + v->size()) {
      errors.push_back(
          {std::string(name), code(name, "type"), std::string(name) + " must be an integer"});
      return;
    }
    if (n < min || n > max) {
      errors.push_back({std::string(name), code(name, "range"),
                        std::string(name) + " must be between " + std::to_string(min) + " and " +
                            std::to_string(max)});
      return;
    }
    out = n;
  };
  // The page cap keeps offset() far from overflow.
  parse("page", 1, 1'000'000'000, p.page);
  parse("page_size", 1, max_size, p.size);
  if (p.size > max_size) p.size = max_size;
  if (!errors.empty()) throw Error::invalid(std::move(errors));
  return p;
}

}  // namespace gh::http
