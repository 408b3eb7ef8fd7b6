// One error type for the whole server. Anything below the HTTP layer throws
// gh::Error; the HTTP layer maps Error::kind to a status code in exactly one
// place (http/problem.cpp) and renders an RFC 9457 problem document.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace gh {

// A problem with one input field. `code` is a stable machine code such as
// "citizen_id.checksum"; `message` is for humans.
struct FieldError {
  std::string field;
  std::string code;
  std::string message;
};

enum class ErrorKind {
  bad_request,     // 400: malformed syntax (bad JSON, bad UTF-8, bad query string)
  unauthorized,    // 401: no or invalid credentials
  forbidden,       // 403: authenticated but not allowed
  not_found,       // 404
  conflict,        // 409: state conflict (duplicate, sold out, in flight)
  payload_too_large,  // 413
  unprocessable,   // 422: well-formed but invalid content
  locked,          // 423: account locked
  too_many,        // 429: rate limited
  internal,        // 500: never carries internal details to the client
  unavailable,     // 503
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string code, std::string detail,
        std::vector<FieldError> errors = {})
      : std::runtime_error(detail),
        kind_(kind),
        code_(std::move(code)),
        errors_(std::move(errors)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  std::string detail() const { return what(); }
  const std::vector<FieldError>& errors() const { return errors_; }

  // Shorthands for the common cases.
  static Error bad_request(std::string code, std::string detail) {
    return {ErrorKind::bad_request, std::move(code), std::move(detail)};
  }
  static Error invalid(std::vector<FieldError> errors) {
    std::string detail = errors.empty() ? "invalid input" : errors.front().message;
    return {ErrorKind::unprocessable, "validation", std::move(detail), std::move(errors)};
  }
  static Error invalid(std::string field, std::string code, std::string message) {
    return invalid(std::vector<FieldError>{{std::move(field), std::move(code), std::move(message)}});
  }
  static Error not_found(std::string what) {
    return {ErrorKind::not_found, "not_found", std::move(what) + " not found"};
  }
  static Error forbidden(std::string detail = "not allowed") {
    return {ErrorKind::forbidden, "forbidden", std::move(detail)};
  }
  static Error unauthorized(std::string detail = "authentication required") {
    return {ErrorKind::unauthorized, "unauthorized", std::move(detail)};
  }
  // An object exists but lies outside the caller's data scope. Rendered as
  // 404 (existence is not revealed) and audited as a denied access.
  static Error out_of_scope(std::string what) {
    return {ErrorKind::not_found, "scope.denied", std::move(what) + " not found"};
  }
  static Error conflict(std::string code, std::string detail) {
    return {ErrorKind::conflict, std::move(code), std::move(detail)};
  }
  static Error internal(std::string detail) {
    return {ErrorKind::internal, "internal", std::move(detail)};
  }

 private:
  ErrorKind kind_;
  std::string code_;
  std::vector<FieldError> errors_;
};

}  // namespace gh
