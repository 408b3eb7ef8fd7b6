// The one JSON codec pattern: read an object's fields, collecting every
// problem as a FieldError, then `done()` throws one 422 naming them all.
//
//   Fields f(ctx.json());
//   auto name = f.str("name", {.max = 100});
//   auto org  = f.id("org_id");
//   f.done();
//
// Each FieldError has `field` = prefix + name and `code` = "<name>.<problem>"
// (the bare name, so codes stay stable under a prefix), problem one of:
// required, type, too_short, too_long, control (control characters),
// range, one_of, too_many; messages are plain English naming the field.
// Strings are trimmed (ASCII white space, U+00A0, U+3000) and their lengths
// counted in code points; an empty optional string reads as absent.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gh::http {

struct StrRule {
  size_t min = 1;     // minimum length in code points when present
  size_t max = 200;   // maximum length in code points
  bool required = true;
};

class Fields {
 public:
  // When v is not an object this records an error (field "body" or the
  // prefix, code "body.not_object") and every read returns its fallback;
  // done() then throws. It never throws itself (import rows rely on that).
  explicit Fields(const boost::json::value& v, std::string prefix = "");

  // Present and a string (trimmed) within the rule; "" with an error otherwise.
  std::string str(std::string_view name, StrRule rule = {});
  std::optional<std::string> opt_str(std::string_view name, StrRule rule = {.required = false});
  // A positive integer id.
  int64_t id(std::string_view name);
  std::optional<int64_t> opt_id(std::string_view name);
  // An integer in [min, max].
  int64_t i64(std::string_view name, int64_t min, int64_t max);
  std::optional<int64_t> opt_i64(std::string_view name, int64_t min, int64_t max);
  bool boolean(std::string_view name, std::optional<bool> fallback = std::nullopt);
  // One of `allowed`.
  std::string one_of(std::string_view name, std::initializer_list<std::string_view> allowed,
                     std::optional<std::string_view> fallback = std::nullopt);
  // An array of strings.
  std::vector<std::string> str_list(std::string_view name, size_t max_items = 50);
  const boost::json::value* raw(std::string_view name) const;

  void add(std::string field, std::string code, std::string message);
  void add(const FieldError& e);
  std::string field(std::string_view name) const { return prefix_ + std::string(name); }
  bool ok() const { return errors_.empty(); }
  const std::vector<FieldError>& errors() const { return errors_; }
  std::vector<FieldError> take_errors() { return std::move(errors_); }
  // Throws Error::invalid(errors) when any were collected.
  void done();

 private:
  const boost::json::object* obj_ = nullptr;
  std::string prefix_;
  std::vector<FieldError> errors_;
};

// Paging from ?page=&page_size= (1-based page; page_size capped).
struct Page {
  int64_t page = 1;
  int64_t size = 20;
  int64_t offset() const { return (page - 1) * size; }
};
Page page_from(const struct Request& req, int64_t max_size = 200);

}  // namespace gh::http
