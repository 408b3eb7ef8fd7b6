// The middleware stack every request passes through, as one plain function
// (Pipeline::handle) from Request to Response:
//   request id → route match (else static files, else 404/405) → authenticate
//   → permission → handler (or idempotent write transaction) → error mapping
//   → metrics + access log.
// Pipeline::handle_async is the same stack for write routes, split where the
// write waits for its commit, so no thread is held meanwhile.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "db/db.h"
#include "http/http.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/static_files.h"

namespace spdlog {
class logger;
}

namespace gh::http {

// Implemented by auth/: resolves credentials to a principal and records
// denied accesses in the audit trail.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Returns the caller for `mode` or throws gh::Error (401/423/429).
  virtual std::shared_ptr<const auth::Principal> authenticate(const Request& req, AuthMode mode) = 0;
  // The write that records a denied access (403, or an out-of-scope 404) in
  // the audit trail; the pipeline runs it with Store::write or write_async.
  virtual std::function<void(db::Tx&)> denial(const Request& req, const auth::Principal* who,
                                              std::string_view route, std::string_view reason) = 0;
};

struct Limits {
  size_t max_json_depth = 32;
  size_t max_page_size = 200;
};

class Pipeline {
 public:
  Pipeline(const Router& router, db::Store& store, Authenticator& auth, Metrics& metrics,
           StaticFiles* static_files, Limits limits = {});

  // Never throws: every failure becomes a problem response.
  Response handle(Request& req);

  // Where the server should run a request (see Placement): `inline_read`
  // routes on the io thread, write routes (but terminal ones, whose nonce is
  // a write of its own) asynchronously, the rest on the worker pool.
  Placement placement(const Request& req) const;

  // handle() for a request placed async_write, without waiting: the route
  // match, authentication, the Idempotency-Key check and the guard run on
  // the calling thread, the write transaction is queued (Store::write_async)
  // and resume(finish) is called exactly once, from this or the store's
  // committer thread. The caller runs finish() on the request's own thread;
  // `res` then holds the response. Never throws.
  void handle_async(Request& req, Response& res, Resume resume);

 private:
  struct Pending;
  // An idempotent write's bookkeeping, worked out before the write.
  struct TxPlan {
    bool keyed = false;  // an idempotent route called with an Idempotency-Key
    std::string scope, key, request_hash;
    std::string slot;  // the in-flight slot taken ("scope\nkey"); released after the write
  };

  Response dispatch(Request& req, std::string& route_name);
  Response run_tx(const Route& route, Ctx& ctx);
  // The Idempotency-Key check, the guard and the in-flight slot: a response
  // when the request is answered without a write (a replay).
  std::optional<Response> before_write(const Route& route, Ctx& ctx, TxPlan& plan);
  // The write itself: a replay check, the handler, the stored response.
  Response in_write(const Route& route, Ctx& ctx, const TxPlan& plan, db::Tx& tx);
  void release(const std::string& slot);
  // Completes an async request: records a denial first when it is one,
  // then resumes it with finish().
  void settle(const std::shared_ptr<Pending>& p);
  // The problem response for a failure (logged when internal).
  Response error_response(const Request& req, const std::string& route_name, std::exception_ptr error);
  // X-Request-Id, metrics and the access log line.
  void complete(const Request& req, Response& res, std::string& route_name,
                std::chrono::steady_clock::time_point t0);
  static std::optional<Response> replay(db::Tx& tx, const std::string& scope, const std::string& key,
                                        const std::string& request_hash);

  const Router& router_;
  db::Store& store_;
  Authenticator& auth_;
  Metrics& metrics_;
  StaticFiles* static_files_;
  Limits limits_;
  std::mutex inflight_mu_;
  std::set<std::string> inflight_;  // idempotency keys being processed ("scope\nkey")
  // The "access" logger when registered before the pipeline is built (its
  // pattern should be "%v": each line is a JSON object), else the default.
  std::shared_ptr<spdlog::logger> access_log_;
};

// Renders a gh::Error as an RFC 9457 problem response. The only place error
// kinds map to status codes.
Response problem(const class gh::Error& e, std::string_view instance = {});
int status_for(gh::ErrorKind kind);
// A problem response for a status no ErrorKind names (405, 431) or raised
// below the handlers (the server's 400/413). `code` "internal" or empty and
// the generic codes render as type about:blank.
Response problem(int status, std::string_view code, std::string_view detail,
                 std::string_view instance = {}, const std::vector<FieldError>& errors = {});

}  // namespace gh::http
