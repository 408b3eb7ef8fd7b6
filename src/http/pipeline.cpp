// The middleware stack as one function. Kept linear on purpose: reading
// Pipeline::handle top to bottom is reading what every request goes through.
#include "http/pipeline.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <random>

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
  if (sodium_init() < 0) throw Error::internal("libsodium failed to initialise");
}

bool Pipeline::runs_inline(const Request& req) const {
  auto m = router_.match(req.method, req.path);
  return m.route && m.route->options.inline_read;
}

Response Pipeline::handle(Request& req) {
  auto t0 = Clock::now();
  auto incoming = req.header("x-request-id");
  req.request_id =
      incoming && sane_request_id(*incoming) ? std::string(*incoming) : new_request_id();

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
  return res;
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
      // perm_name() lives in auth/ (a layer above this one), so the audit
      // reason carries the permission's number.
      auth_.record_denied(
          req, ctx.principal.get(), route.pattern,
          "permission #" + std::to_string(static_cast<unsigned>(*route.options.perm)));
      return problem(Error::forbidden("this account lacks the permission this call needs"));
    }

    if (route.tx_handler) return run_tx(route, ctx);
    return route.handler(ctx);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::forbidden || e.code() == "scope.denied") {
      try {
        auth_.record_denied(req, ctx.principal.get(), route_name, e.code());
      } catch (const std::exception& audit_failure) {
        spdlog::error("request {}: recording a denied access failed: {}", req.request_id,
                      audit_failure.what());
      }
    }
    if (e.kind() == ErrorKind::internal)
      spdlog::error("request {} {} {}: {}", req.request_id, method_name(req.method), route_name,
                    e.what());
    return problem(e);
  } catch (const std::exception& e) {
    spdlog::error("request {} {} {}: {}", req.request_id, method_name(req.method), route_name,
                  e.what());
    return problem(500, "internal", "internal server error");
  }
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
  auto key = ctx.req.header("idempotency-key");
  const auto& guard = route.options.guard;
  if (!route.options.idempotent || !key) {
    if (guard) store_.read([&](db::Tx& tx) { guard(ctx, tx); });
    return store_.write([&](db::Tx& tx) { return route.tx_handler(ctx, tx); });
  }

  if (!valid_idempotency_key(*key))
    throw Error::bad_request("idempotency.key_invalid",
                             "Idempotency-Key must be 1 to 255 visible ASCII characters");

  // Keys are scoped per caller: two callers may use the same key.
  std::string scope;
  if (ctx.principal) {
    const auto& p = *ctx.principal;
    scope = std::string(kind_name(p.kind)) + ":" +
            std::to_string(p.kind == auth::PrincipalKind::terminal ? p.terminal_id : p.account_id);
  } else {
    scope = "anon";
  }
  std::string request_hash = sha256_hex(method_name(ctx.req.method), ctx.req.path, ctx.req.body);
  std::string key_s(*key);

  if (guard) {
    // A retry of a request that succeeded is answered as before, even if the
    // guard would refuse it now (a winner retrying after the sell-out).
    auto done = store_.read([&](db::Tx& tx) {
      auto r = replay(tx, scope, key_s, request_hash);
      if (!r) guard(ctx, tx);
      return r;
    });
    if (done) return std::move(*done);
  }

  std::string slot = scope + "\n" + key_s;
  {
    std::lock_guard lock(inflight_mu_);
    if (!inflight_.insert(slot).second)
      throw Error::conflict("idempotency.in_flight",
                            "a request with this Idempotency-Key is still being processed");
  }
  struct Release {
    Pipeline* self;
    const std::string& slot;
    ~Release() {
      std::lock_guard lock(self->inflight_mu_);
      self->inflight_.erase(slot);
    }
  } release{this, slot};

  return store_.write([&](db::Tx& tx) -> Response {
    if (auto r = replay(tx, scope, key_s, request_hash)) return std::move(*r);
    Response r = route.tx_handler(ctx, tx);
    // Only successes are kept: a failed attempt changed nothing and may be
    // retried with the same key. Extra headers (Location …) are not replayed.
    if (r.status >= 200 && r.status < 300)
      tx.exec(kInsertIdem,
              {scope, key_s, request_hash, r.status, r.content_type, r.body, db::now_ms()});
    return r;
  });
}

}  // namespace gh::http
