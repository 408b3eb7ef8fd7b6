// The HTTP layer's plain types. Nothing here includes Beast: Beast lives only
// in http/server.cpp so the heavy templates compile in one translation unit.
//
// A handler is a plain function from a request context to a response. Errors
// are thrown as gh::Error and turned into problem responses in one place.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/permissions.h"
#include "auth/principal.h"
#include "db/db.h"

namespace gh::http {

enum class Method { get, head, post, put, patch, del, options, other };
std::string_view method_name(Method m);

struct Request {
  Method method = Method::get;
  std::string target;  // raw request target, path + query
  std::string path;    // percent-decoded path, no query
  std::vector<std::pair<std::string, std::string>> query;    // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_addr;
  std::string request_id;

  std::optional<std::string_view> header(std::string_view lower_name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response json(int status, const boost::json::value& v);
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static Response no_content();
};

// What a route needs before its handler runs.
enum class AuthMode {
  none,      // public
  session,   // a staff or member bearer token
  staff,     // a staff bearer token
  member,    // a member bearer token
  terminal,  // a terminal HMAC signature (X-Terminal-* headers); the nonce is stored durably
  // The same signature for calls that only read (e.g. card verification):
  // the nonce is remembered in memory, so the call needs no write. A replay
  // could at most repeat an answer, within the signature's time window.
  terminal_read,
};

struct Ctx;

// Where the server runs a request's handling.
enum class Placement {
  pool,         // on the worker pool: it may block (on the store, on a lock)
  inline_read,  // on the io thread that read it: a short read
  async_write,  // started on the io thread; its write is queued and the
                // request resumes after the commit, holding no thread meanwhile
};

// Called once by an asynchronous handling with the function that finishes
// it; the server runs that function on the request's own thread.
using Resume = std::function<void(std::function<void()> finish)>;

struct RouteOptions {
  AuthMode auth = AuthMode::session;
  std::optional<auth::Perm> perm;  // required permission (staff)
  // Runs the handler inside one durable write transaction together with the
  // Idempotency-Key bookkeeping: a retry with the same key returns the stored
  // first response, a different body gets 422, a concurrent duplicate 409.
  bool idempotent = false;
  // The handler is a short read (a primary-key lookup): the server may run
  // it on its io thread and skip the hop to the worker pool.
  bool inline_read = false;
  // For write routes: a check run first in a read snapshot (after looking
  // for an Idempotency-Key replay), so a request bound to fail (sold out,
  // already done) is refused without queueing for the single writer. It
  // only refuses early: the handler checks the same again in its write.
  std::function<void(Ctx&, db::Tx&)> guard;
  // Optional: whether the guard is worth its read for this request, from a
  // cheap in-memory hint (e.g. "this campaign may be sold out"). Unset: it
  // always is. Skipping the guard never changes an answer, only where a
  // refusal is found.
  std::function<bool(Ctx&)> guard_if;
};

struct PathParams {
  std::vector<std::pair<std::string, std::string>> items;
  std::optional<std::string_view> get(std::string_view name) const;
};

// Per-request context handed to handlers.
struct Ctx {
  const Request& req;
  PathParams params;
  std::string route;  // the route pattern, e.g. "/api/v1/orgs/{id}" (for logs and metrics)
  std::shared_ptr<const auth::Principal> principal;  // null for AuthMode::none

  // The path parameter `name` as a positive integer id; 404 otherwise.
  int64_t id_param(std::string_view name = "id") const;
  // The body parsed as JSON with the server's limits (depth, size, UTF-8);
  // 400 problem on malformed input with code json.empty, json.utf8,
  // json.too_deep or json.malformed; 400 "content_type" when a Content-Type
  // other than application/json or application/*+json is declared.
  const boost::json::value& json() const;
  // The authenticated principal; 401 when absent.
  const auth::Principal& who() const;

  mutable std::optional<boost::json::value> parsed_;
  size_t max_json_depth = 32;  // set by the pipeline from its Limits
};

using Handler = std::function<Response(Ctx&)>;
using TxHandler = std::function<Response(Ctx&, db::Tx&)>;

}  // namespace gh::http
