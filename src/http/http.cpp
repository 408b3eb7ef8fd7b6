// The plain request/response helpers and the handler context.
#include "http/http.h"

#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/stream_parser.hpp>
#include <charconv>

#include "core/error.h"

namespace gh::http {

std::string_view method_name(Method m) {
  switch (m) {
    case Method::get:
      return "GET";
    case Method::head:
      return "HEAD";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::patch:
      return "PATCH";
    case Method::del:
      return "DELETE";
    case Method::options:
      return "OPTIONS";
    case Method::other:
      break;
  }
  return "OTHER";
}

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return std::string_view(v);
  return std::nullopt;
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

Response Response::json(int status, const boost::json::value& v) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(v);
  return r;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

std::optional<std::string_view> PathParams::get(std::string_view name) const {
  for (const auto& [k, v] : items)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

int64_t Ctx::id_param(std::string_view name) const {
  auto v = params.get(name);
  int64_t id = 0;
  // An id that is not a positive decimal integer names nothing: 404, so
  // /orgs/abc and /orgs/0 behave like an id that does not exist.
  if (!v || v->empty() || v->size() > 18 || (*v)[0] == '0' ||
      std::from_chars(v->data(), v->data() + v->size(), id).ptr != v->data() + v->size() || id <= 0)
    throw Error::not_found("resource");
  return id;
}

namespace {

// Strict UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) <= n) return false;
    if (p[1] < lo || p[1] > hi) return false;
    for (size_t i = 2; i <= n; ++i)
      if ((p[i] & 0xC0) != 0x80) return false;
    p += n + 1;
  }
  return true;
}

bool is_json_media_type(std::string_view ct) {
  auto semi = ct.find(';');
  if (semi != std::string_view::npos) ct = ct.substr(0, semi);
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) ct.remove_suffix(1);
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) ct.remove_prefix(1);
  auto lower_eq = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      char c = a[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != b[i]) return false;
    }
    return true;
  };
  if (lower_eq(ct, "application/json")) return true;
  // application/problem+json, application/merge-patch+json …
  return ct.size() > 5 && lower_eq(ct.substr(ct.size() - 5), "+json") &&
         lower_eq(ct.substr(0, 12), "application/");
}

}  // namespace

const boost::json::value& Ctx::json() const {
  if (parsed_) return *parsed_;
  // A body declared as something other than JSON is refused. RFC 9110 says
  // 415, but ErrorKind has no 415 and one error mapping matters more: it is a
  // 400 with the stable code "content_type". A missing Content-Type is
  // accepted (curl and some terminals omit it).
  if (auto ct = req.header("content-type"); ct && !is_json_media_type(*ct))
    throw Error::bad_request("content_type", "the request body must be application/json");
  if (req.body.empty()) throw Error::bad_request("json.empty", "the request body is empty");
  // Checked up front because Boost.JSON reports bad UTF-8 as a generic syntax error.
  if (!valid_utf8(req.body))
    throw Error::bad_request("json.utf8", "the request body is not valid UTF-8");

  boost::json::parse_options opt;
  opt.max_depth = max_json_depth;
  boost::json::stream_parser p({}, opt);
  boost::system::error_code ec;
  p.write(req.body.data(), req.body.size(), ec);
  if (!ec) p.finish(ec);
  if (ec) {
    if (ec == boost::json::error::too_deep)
      throw Error::bad_request(
          "json.too_deep",
          "the JSON body is nested more than " + std::to_string(max_json_depth) + " levels deep");
    throw Error::bad_request("json.malformed", "the request body is not well-formed JSON");
  }
  parsed_.emplace(p.release());
  return *parsed_;
}

const auth::Principal& Ctx::who() const {
  if (!principal) throw Error::unauthorized();
  return *principal;
}

}  // namespace gh::http
