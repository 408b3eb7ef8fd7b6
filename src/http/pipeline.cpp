// The middleware stack as one function. Kept linear on purpose: reading
// Pipeline::handle top to bottom is reading what every request goes through.
#include "http/pipeline.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <random>

#include "core/crypto.h"

namespace gh::http {
namespace {

using Clock = std::chrono::steady_clock;

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      return false;
  return true;
}

// Request ids need to be unique, not secret: a per-thread PRNG seeded from
// the OS avoids a system call per request.
std::string new_request_id() {
  thread_local std::mt19937_64 rng{[] {
    uint64_t seed;
    randombytes_buf(&seed, sizeof seed);
    return seed;
  }()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    uint64_t v = rng();
    for (int i = 0; i < 16; ++i) id[half * 16 + i] = kHex[(v >> (i * 4)) & 0xF];
  }
  return id;
}

// Idempotency-Key: 1–255 visible ASCII characters (RFC 9110 token-ish; the
// IETF draft uses a structured-field string, quoted; quotes are kept as sent).
bool valid_idempotency_key(std::string_view k) {
  if (k.empty() || k.size() > 255) return false;
  for (unsigned char c : k)
    if (c < 0x21 || c > 0x7E) return false;
  return true;
}

std::string sha256_hex(std::string_view a, std::string_view b, std::string_view c) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  auto feed = [&st](std::string_view s) {
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  feed(a);
  feed("\n");
  feed(b);
  feed("\n");
  feed(c);
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, out);
  std::string hex(2 * sizeof out, '0');
  sodium_bin2hex(hex.data(), hex.size() + 1, out, sizeof out);
  return hex;
}

std::string_view kind_name(auth::PrincipalKind k) {
  switch (k) {
    case auth::PrincipalKind::staff:
      return "staff";
    case auth::PrincipalKind::member:
      return "member";
    case auth::PrincipalKind::terminal:
      return "terminal";
  }
  return "unknown";
}

void json_escape(std::string& out, std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
}

std::string utc_now_iso() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

constexpr std::string_view kSelectIdem =
    "SELECT request_hash, status, content_type, body FROM idempotency_keys "
    "WHERE scope = $1 AND key = $2";
constexpr std::string_view kInsertIdem =
    "INSERT INTO idempotency_keys (scope, key, request_hash, status, content_type, body, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

constexpr Method kAllMethods[] = {Method::get,   Method::head, Method::post,   Method::put,
                                  Method::patch, Method::del,  Method::options};

}  // namespace

Pipeline::Pipeline(const Router& router, db::Store& store, Authenticator& auth, Metrics& metrics,
                   StaticFiles* static_files, Limits limits)
    : router_(router),
      store_(store),
      auth_(auth),
      metrics_(metrics),
      static_files_(static_files),
      limits_(limits) {
  access_log_ = spdlog::get("access");
  if (!access_log_) access_log_ = spdlog::default_logger();
  crypto::init();
}

// An async request in flight: what handle() keeps on its stack.
struct Pipeline::Pending {
  Pending(Request& r, Response& out_res, Resume res_fn) : req(r), res(out_res), resume(std::move(res_fn)), ctx{r, {}, {}, nullptr} {}
  Request& req;
  Response& res;
  Resume resume;
  Clock::time_point t0 = Clock::now();
  Ctx ctx;
  std::string route_name;
  TxPlan plan;
  std::string denied;  // the reason of a permission denial answered early
  Response out;
  std::exception_ptr error;  // wins over `out`
};

namespace {

void assign_request_id(Request& req) {
  auto incoming = req.header("x-request-id");
  req.request_id = incoming && sane_request_id(*incoming) ? std::string(*incoming) : new_request_id();
}

// Why a failure is recorded as a denied access ("" when it is not one).
std::string denial_reason(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::forbidden || e.code() == "scope.denied") return e.code();
  } catch (...) {
  }
  return {};
}

std::string permission_reason(auth::Perm perm) {
  // perm_name() lives in auth/ (a layer above this one), so the audit
  // reason carries the permission's number.
  return "permission #" + std::to_string(static_cast<unsigned>(perm));
}

}  // namespace

Placement Pipeline::placement(const Request& req) const {
  auto m = router_.match(req.method, req.path);
  if (!m.route) return Placement::pool;
  const auto& o = m.route->options;
  if (o.inline_read) return Placement::inline_read;
  if (m.route->tx_handler && o.auth != AuthMode::terminal && o.auth != AuthMode::terminal_read)
    return Placement::async_write;
  return Placement::pool;
}

Response Pipeline::handle(Request& req) {
  auto t0 = Clock::now();
  assign_request_id(req);
  std::string route_name;
  Response res;
  try {
    res = dispatch(req, route_name);
  } catch (...) {
    // dispatch maps every error itself; this is the last line of defence
    // (e.g. bad_alloc while rendering a problem).
    spdlog::error("request {}: unhandled failure outside dispatch", req.request_id);
    res = problem(500, "internal", "internal server error");
  }
  complete(req, res, route_name, t0);
  return res;
}

void Pipeline::complete(const Request& req, Response& res, std::string& route_name, Clock::time_point t0) {
  if (route_name.empty()) route_name = "unmatched";
  res.headers.emplace_back("X-Request-Id", req.request_id);

  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  metrics_.observe(method_name(req.method), route_name, res.status, seconds);

  // One JSON line per request. Only the route pattern is logged, never the
  // raw path or query (they carry ids and search terms), nor headers/bodies.
  auto& access = access_log_;
  if (access->should_log(spdlog::level::info)) {
    std::string line;
    line.reserve(200);
    line += "{\"ts\":\"";
    line += utc_now_iso();
    line += "\",\"request_id\":\"";
    json_escape(line, req.request_id);
    line += "\",\"method\":\"";
    line += method_name(req.method);
    line += "\",\"route\":\"";
    json_escape(line, route_name);
    line += "\",\"status\":";
    line += std::to_string(res.status);
    line += ",\"duration_ms\":";
    line += fmt::format("{:.3f}", seconds * 1000);
    line += ",\"bytes\":";
    line += std::to_string(res.body.size());
    line += '}';
    access->info(line);
  }
}

Response Pipeline::dispatch(Request& req, std::string& route_name) {
  Ctx ctx{req, {}, {}, nullptr};
  ctx.max_json_depth = limits_.max_json_depth;
  try {
    auto m = router_.match(req.method, req.path);
    if (!m.route) {
      if (m.path_matched) {
        std::string allow;
        for (Method other : kAllMethods) {
          auto om = router_.match(other, req.path);
          if (!om.route) continue;
          if (route_name.empty()) route_name = om.route->pattern;
          if (!allow.empty()) allow += ", ";
          allow += method_name(other);
        }
        Response r = problem(405, "method_not_allowed",
                             std::string(method_name(req.method)) + " is not allowed here");
        r.headers.emplace_back("Allow", allow);
        return r;
      }
      if (static_files_ && (req.method == Method::get || req.method == Method::head)) {
        if (auto r = static_files_->serve(req.path)) {
          route_name = "static";
          return std::move(*r);
        }
      }
      route_name = "unmatched";
      throw Error::not_found("resource");
    }

    const Route& route = *m.route;
    route_name = route.pattern;
    ctx.params = std::move(m.params);
    ctx.route = route.pattern;

    if (route.options.auth != AuthMode::none)
      ctx.principal = auth_.authenticate(req, route.options.auth);
    if (route.options.perm && (!ctx.principal || !ctx.principal->can(*route.options.perm))) {
      store_.write(auth_.denial(req, ctx.principal.get(), route.pattern, permission_reason(*route.options.perm)));
      return problem(Error::forbidden("this account lacks the permission this call needs"));
    }

    if (route.tx_handler) return run_tx(route, ctx);
    return route.handler(ctx);
  } catch (...) {
    auto error = std::current_exception();
    if (auto reason = denial_reason(error); !reason.empty()) {
      try {
        store_.write(auth_.denial(req, ctx.principal.get(), route_name, reason));
      } catch (const std::exception& audit_failure) {
        spdlog::error("request {}: recording a denied access failed: {}", req.request_id,
                      audit_failure.what());
      }
    }
    return error_response(req, route_name, error);
  }
}

Response Pipeline::error_response(const Request& req, const std::string& route_name, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::internal)
      spdlog::error("request {} {} {}: {}", req.request_id, method_name(req.method), route_name,
                    e.what());
    return problem(e);
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {}: {}", req.request_id, method_name(req.method), route_name,
                  e.what());
  } catch (...) {
    spdlog::error("request {} {} {}: unknown failure", req.request_id, method_name(req.method), route_name);
  }
  return problem(500, "internal", "internal server error");
}

void Pipeline::handle_async(Request& req, Response& res, Resume resume) {
  auto p = std::make_shared<Pending>(req, res, std::move(resume));
  assign_request_id(req);
  Ctx& ctx = p->ctx;
  ctx.max_json_depth = limits_.max_json_depth;
  try {
    auto m = router_.match(req.method, req.path);
    if (!m.route || !m.route->tx_handler) {
      // Not a write route after all: the whole stack, here.
      p->out = dispatch(req, p->route_name);
      return settle(p);
    }
    const Route& route = *m.route;
    p->route_name = route.pattern;
    ctx.params = std::move(m.params);
    ctx.route = route.pattern;
    if (route.options.auth != AuthMode::none) ctx.principal = auth_.authenticate(req, route.options.auth);
    if (route.options.perm && (!ctx.principal || !ctx.principal->can(*route.options.perm))) {
      p->denied = permission_reason(*route.options.perm);
      p->out = problem(Error::forbidden("this account lacks the permission this call needs"));
      return settle(p);
    }
    if (auto done = before_write(route, ctx, p->plan)) {
      p->out = std::move(*done);
      return settle(p);
    }
    try {
      store_.write_async([this, &route, p](db::Tx& tx) { p->out = in_write(route, p->ctx, p->plan, tx); },
                         [this, p](std::exception_ptr error) {
                           p->error = error;
                           release(p->plan.slot);
                           settle(p);
                         });
    } catch (...) {
      release(p->plan.slot);
      throw;
    }
  } catch (...) {
    p->error = std::current_exception();
    settle(p);
  }
}

void Pipeline::settle(const std::shared_ptr<Pending>& p) {
  auto finish = [this, p] {
    try {
      if (p->error) p->out = error_response(p->req, p->route_name, p->error);
    } catch (...) {
      p->out = problem(500, "internal", "internal server error");
    }
    p->res = std::move(p->out);
    complete(p->req, p->res, p->route_name, p->t0);
  };
  std::string reason = p->error ? denial_reason(p->error) : p->denied;
  if (!reason.empty()) {
    // The denial is recorded before the answer, as in handle(), without
    // holding this thread for its commit.
    try {
      store_.write_async(auth_.denial(p->req, p->ctx.principal.get(), p->route_name, reason),
                         [p, finish](std::exception_ptr e) {
                           if (e) spdlog::error("request {}: recording a denied access failed", p->req.request_id);
                           p->resume(finish);
                         });
      return;
    } catch (const std::exception& e) {
      spdlog::error("request {}: recording a denied access failed: {}", p->req.request_id, e.what());
    }
  }
  p->resume(finish);
}

// The stored first response to (scope, key), if any; 422 when the key was
// used for a different request.
std::optional<Response> Pipeline::replay(db::Tx& tx, const std::string& scope, const std::string& key,
                                         const std::string& request_hash) {
  auto row = tx.one(kSelectIdem, {scope, key});
  if (!row) return std::nullopt;
  if ((*row)[0].str() != request_hash)
    throw Error(ErrorKind::unprocessable, "idempotency.key_reused",
                "this Idempotency-Key was already used for a different request");
  Response r;
  r.status = static_cast<int>((*row)[1].i64());
  r.content_type = (*row)[2].str();
  r.body = (*row)[3].str();
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

Response Pipeline::run_tx(const Route& route, Ctx& ctx) {
  TxPlan plan;
  if (auto done = before_write(route, ctx, plan)) return std::move(*done);
  struct Release {
    Pipeline* self;
    const std::string& slot;
    ~Release() { self->release(slot); }
  } release{this, plan.slot};
  return store_.write([&](db::Tx& tx) { return in_write(route, ctx, plan, tx); });
}

std::optional<Response> Pipeline::before_write(const Route& route, Ctx& ctx, TxPlan& plan) {
  auto key = ctx.req.header("idempotency-key");
  const auto& guard = route.options.guard;
  const bool guarded = guard && (!route.options.guard_if || route.options.guard_if(ctx));
  if (!route.options.idempotent || !key) {
    if (guarded) store_.read([&](db::Tx& tx) { guard(ctx, tx); });
    return std::nullopt;
  }

  if (!valid_idempotency_key(*key))
    throw Error::bad_request("idempotency.key_invalid",
                             "Idempotency-Key must be 1 to 255 visible ASCII characters");

  // Keys are scoped per caller: two callers may use the same key.
  plan.keyed = true;
  if (ctx.principal) {
    const auto& p = *ctx.principal;
    plan.scope = std::string(kind_name(p.kind)) + ":" +
                 std::to_string(p.kind == auth::PrincipalKind::terminal ? p.terminal_id : p.account_id);
  } else {
    plan.scope = "anon";
  }
  plan.request_hash = sha256_hex(method_name(ctx.req.method), ctx.req.path, ctx.req.body);
  plan.key = std::string(*key);

  if (guarded) {
    // A retry of a request that succeeded is answered as before, even if the
    // guard would refuse it now (a winner retrying after the sell-out).
    auto done = store_.read([&](db::Tx& tx) {
      auto r = replay(tx, plan.scope, plan.key, plan.request_hash);
      if (!r) guard(ctx, tx);
      return r;
    });
    if (done) return done;
  }

  std::string slot = plan.scope + "\n" + plan.key;
  std::lock_guard lock(inflight_mu_);
  if (!inflight_.insert(slot).second)
    throw Error::conflict("idempotency.in_flight",
                          "a request with this Idempotency-Key is still being processed");
  plan.slot = std::move(slot);
  return std::nullopt;
}

Response Pipeline::in_write(const Route& route, Ctx& ctx, const TxPlan& plan, db::Tx& tx) {
  if (!plan.keyed) return route.tx_handler(ctx, tx);
  if (auto r = replay(tx, plan.scope, plan.key, plan.request_hash)) return std::move(*r);
  Response r = route.tx_handler(ctx, tx);
  // Only successes are kept: a failed attempt changed nothing and may be
  // retried with the same key. Extra headers (Location …) are not replayed.
  if (r.status >= 200 && r.status < 300)
    tx.exec_later(kInsertIdem,
            {plan.scope, plan.key, plan.request_hash, r.status, r.content_type, r.body, db::now_ms()});
  return r;
}

void Pipeline::release(const std::string& slot) {
  if (slot.empty()) return;
  std::lock_guard lock(inflight_mu_);
  inflight_.erase(slot);
}

}  // namespace gh::http
