// The middleware stack every request passes through, as one plain function
// (Pipeline::handle) from Request to Response:
//   request id → route match (else static files, else 404/405) → authenticate
//   → permission → handler (or idempotent write transaction) → error mapping
//   → metrics + access log.
#pragma once

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
  // Records a denied access (403, or an out-of-scope 404) in the audit trail.
  virtual void record_denied(const Request& req, const auth::Principal* who, std::string_view route,
                             std::string_view reason) = 0;
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

  // True when the request's route is marked `inline_read` (a short read the
  // server may run on its io thread; see ServerOptions::run_inline).
  bool runs_inline(const Request& req) const;

 private:
  Response dispatch(Request& req, std::string& route_name);
  Response run_tx(const Route& route, Ctx& ctx);
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
