// RFC 9457 problem documents: the one place where error kinds become HTTP
// status codes.
#include <boost/json.hpp>

#include "core/error.h"
#include "http/pipeline.h"

namespace gh::http {

int status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::bad_request:
      return 400;
    case ErrorKind::unauthorized:
      return 401;
    case ErrorKind::forbidden:
      return 403;
    case ErrorKind::not_found:
      return 404;
    case ErrorKind::conflict:
      return 409;
    case ErrorKind::payload_too_large:
      return 413;
    case ErrorKind::unprocessable:
      return 422;
    case ErrorKind::locked:
      return 423;
    case ErrorKind::too_many:
      return 429;
    case ErrorKind::internal:
      return 500;
    case ErrorKind::unavailable:
      return 503;
  }
  return 500;
}

namespace {

std::string_view title_for(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 422:
      return "Unprocessable Content";
    case 423:
      return "Locked";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Internal Server Error";
  }
}

}  // namespace

Response problem(int status, std::string_view code, std::string_view detail,
                 std::string_view instance, const std::vector<FieldError>& errors) {
  boost::json::object o;
  // Codes name a documented problem type; the generic ones carry no extra
  // meaning beyond the status, so they are about:blank (RFC 9457 §4.2.1).
  bool generic = code.empty() || code == "internal" || code == "not_found" || code == "forbidden" ||
                 code == "unauthorized";
  o["type"] =
      generic ? std::string("about:blank") : "https://gonghui.dev/problems/" + std::string(code);
  o["title"] = title_for(status);
  o["status"] = status;
  o["detail"] = detail;
  o["code"] = code.empty() ? std::string_view("error") : code;
  if (!instance.empty()) o["instance"] = instance;
  if (!errors.empty()) {
    boost::json::array errs;
    errs.reserve(errors.size());
    for (const auto& fe : errors)
      errs.push_back(
          boost::json::object{{"field", fe.field}, {"code", fe.code}, {"message", fe.message}});
    o["errors"] = std::move(errs);
  }
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = boost::json::serialize(o);
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

Response problem(const Error& e, std::string_view instance) {
  // An internal error's own text may hold SQL or file paths: never sent.
  if (e.kind() == ErrorKind::internal)
    return problem(500, "internal", "internal server error", instance, {});
  // An out-of-scope object must look exactly like a missing one.
  if (e.code() == "scope.denied") return problem(404, "not_found", e.detail(), instance, {});
  return problem(status_for(e.kind()), e.code(), e.detail(), instance, e.errors());
}

}  // namespace gh::http
