// The pipeline with a fake Authenticator and a real SQLite store.
#include "http/pipeline.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

namespace gh::http {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// "Authorization: Bearer staff-<id>" is a staff account with org_read;
// "Bearer member-<id>" a member; anything else is 401.
class FakeAuth : public Authenticator {
 public:
  std::shared_ptr<const auth::Principal> authenticate(const Request& req, AuthMode mode) override {
    ++calls;
    auto h = req.header("authorization");
    if (!h || !h->starts_with("Bearer ")) throw Error::unauthorized();
    std::string_view tok = h->substr(7);
    auto p = std::make_shared<auth::Principal>();
    if (tok.starts_with("staff-")) {
      p->kind = auth::PrincipalKind::staff;
      p->account_id = std::stoll(std::string(tok.substr(6)));
      p->perms.add(auth::Perm::org_read);
    } else if (tok.starts_with("member-")) {
      p->kind = auth::PrincipalKind::member;
      p->account_id = std::stoll(std::string(tok.substr(7)));
    } else {
      throw Error::unauthorized("invalid token");
    }
    if (mode == AuthMode::staff && p->kind != auth::PrincipalKind::staff) throw Error::forbidden();
    return p;
  }
  std::function<void(db::Tx&)> denial(const Request&, const auth::Principal* who, std::string_view route,
                                      std::string_view reason) override {
    std::string entry = std::string(route) + "|" + std::string(reason) + "|" +
                        (who ? std::to_string(who->account_id) : "anon");
    return [this, entry](db::Tx&) {
      std::lock_guard lock(mu);
      denied.push_back(entry);
    };
  }
  std::mutex mu;
  std::vector<std::string> denied;
  std::atomic<int> calls{0};
};

std::optional<std::string> header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return std::nullopt;
}

json::object body_of(const Response& r) { return json::parse(r.body).as_object(); }

// Every test runs twice: through handle() and, for the routes the server
// would run asynchronously, through handle_async() (Async).
class PipelineTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gh_pipeline_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
    db::StoreOptions o;
    o.url = "sqlite:" + (dir / "test.db").string();
    store = db::Store::open(o);
    store->migrate();
    fs::create_directories(dir / "web" / "admin");
    std::ofstream(dir / "web" / "admin" / "index.html") << "<admin>";
    static_files = std::make_unique<StaticFiles>(dir / "web");

    router.add(Method::get, "/public", {.auth = AuthMode::none}, [](Ctx&) {
      return Response::json(200, json::object{{"ok", true}});
    });
    router.add(Method::get, "/orgs/{id}", {.perm = auth::Perm::org_read}, [](Ctx& c) {
      return Response::json(200, json::object{{"id", c.id_param()}, {"who", c.who().account_id}});
    });
    router.add(Method::del, "/orgs/{id}", {.perm = auth::Perm::org_write},
               [](Ctx&) { return Response::no_content(); });
    router.add(Method::get, "/throws/{what}", {}, [](Ctx& c) -> Response {
      auto what = *c.params.get("what");
      if (what == "forbidden") throw Error::forbidden("not yours");
      if (what == "scope") throw Error::out_of_scope("member");
      if (what == "invalid") throw Error::invalid("name", "name.required", "name is required");
      if (what == "internal") throw Error::internal("SQL: SELECT secret FROM x");
      throw std::runtime_error("boom: /etc/secret");
    });
    router.add(Method::post, "/echo", {.auth = AuthMode::none},
               [](Ctx& c) { return Response::json(200, c.json()); });
    // An idempotent write: bumps a counter in the same transaction.
    router.add_tx(Method::post, "/counter", {.idempotent = true}, [this](Ctx& c, db::Tx& tx) {
      ++handler_runs;
      if (gate) gate->get();
      if (c.req.body == "fail") throw Error::conflict("counter.nope", "refused");
      tx.exec(
          "INSERT INTO settings (key, value) VALUES ('counter', '1') "
          "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1");
      auto v = tx.one("SELECT value FROM settings WHERE key = 'counter'");
      if (c.req.body == "rollback") throw std::runtime_error("after write");
      return Response::json(201, json::object{{"counter", (*v)[0].str()}, {"body", c.req.body}});
    });
    // A write that may be refused by its permission or by its handler.
    router.add_tx(Method::post, "/orgs/{id}/rename", {.perm = auth::Perm::org_read}, [this](Ctx& c, db::Tx& tx) {
      ++handler_runs;
      tx.exec("INSERT INTO settings (key, value) VALUES ('renamed', $1)", {c.req.body});
      if (c.id_param() == 13) throw Error::forbidden("not this one");
      return Response::json(200, json::object{{"renamed", c.id_param()}});
    });
    router.add_tx(Method::post, "/plain-tx", {}, [this](Ctx&, db::Tx& tx) {
      ++handler_runs;
      tx.exec(
          "INSERT INTO settings (key, value) VALUES ('plain', 'x') "
          "ON CONFLICT (key) DO UPDATE SET value = value || 'x'");
      return Response::json(200, json::object{});
    });

    pipeline = std::make_unique<Pipeline>(router, *store, auth, metrics, static_files.get());
  }
  void TearDown() override {
    pipeline.reset();
    store->close();
    store.reset();
    fs::remove_all(dir);
  }

  Response call(Method m, std::string path, std::string token = "", std::string body = "",
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request req;
    req.method = m;
    req.path = path;
    req.target = path;
    req.body = std::move(body);
    req.headers = std::move(headers);
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    if (GetParam() && pipeline->placement(req) == Placement::async_write) return call_async(req);
    return pipeline->handle(req);
  }

  // As the server does: start, wait for the one resume, run its finish on
  // this thread (the request's own).
  Response call_async(Request& req) {
    Response res;
    std::promise<std::function<void()>> resumed;
    auto finish = resumed.get_future();
    std::atomic<int> calls{0};
    pipeline->handle_async(req, res, [&resumed, &calls](std::function<void()> f) {
      if (++calls == 1) resumed.set_value(std::move(f));
    });
    finish.get()();
    EXPECT_EQ(calls.load(), 1) << "resume must be called exactly once";
    ++async_calls;
    return res;
  }

  std::string setting(std::string_view key) {
    return store->read([&](db::Tx& tx) {
      auto r = tx.one("SELECT value FROM settings WHERE key = $1", {key});
      return r ? (*r)[0].str() : std::string("<none>");
    });
  }

  fs::path dir;
  std::unique_ptr<db::Store> store;
  std::unique_ptr<StaticFiles> static_files;
  Router router;
  FakeAuth auth;
  Metrics metrics;
  std::unique_ptr<Pipeline> pipeline;
  std::atomic<int> handler_runs{0};
  std::shared_future<void>* gate = nullptr;
  int async_calls = 0;
};

TEST_P(PipelineTest, PublicRouteNeedsNoAuth) {
  auto r = call(Method::get, "/public");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"ok":true})");
  EXPECT_EQ(auth.calls.load(), 0);
}

TEST_P(PipelineTest, UnknownRouteIs404Problem) {
  auto r = call(Method::get, "/nothing/here");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(body_of(r).at("status"), 404);
  auto post = call(Method::post, "/admin/x");  // no static fallback for POST
  EXPECT_EQ(post.status, 404);
}

TEST_P(PipelineTest, StaticFallbackForGet) {
  auto r = call(Method::get, "/admin/members/3");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<admin>");
  auto text = metrics.render({});
  EXPECT_NE(text.find(R"(route="static",status="200"} 1)"), std::string::npos) << text;
}

TEST_P(PipelineTest, MethodNotAllowedListsAllow) {
  auto r = call(Method::put, "/orgs/1", "staff-1");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(header(r, "Allow"), "GET, HEAD, DELETE");
}

TEST_P(PipelineTest, MissingCredentialsIs401) {
  auto r = call(Method::get, "/orgs/1");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(header(r, "WWW-Authenticate"), "Bearer");
  EXPECT_EQ(body_of(r).at("code"), "unauthorized");
  EXPECT_EQ(call(Method::get, "/orgs/1", "garbage").status, 401);
}

TEST_P(PipelineTest, AuthenticatedHandlerSeesPrincipalAndParams) {
  auto r = call(Method::get, "/orgs/7", "staff-12");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"id":7,"who":12})");
  EXPECT_EQ(call(Method::get, "/orgs/abc", "staff-12").status, 404);
}

TEST_P(PipelineTest, MissingPermissionIs403AndAudited) {
  auto r = call(Method::del, "/orgs/7", "staff-12");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(body_of(r).at("code"), "forbidden");
  ASSERT_EQ(auth.denied.size(), 1u);
  EXPECT_EQ(auth.denied[0], "/orgs/{id}|permission #" +
                                std::to_string(static_cast<unsigned>(auth::Perm::org_write)) +
                                "|12");
  // a member has no staff permissions either
  EXPECT_EQ(call(Method::get, "/orgs/7", "member-3").status, 403);
  EXPECT_EQ(auth.denied.size(), 2u);
}

TEST_P(PipelineTest, ThrownErrorsBecomeProblems) {
  auto f = call(Method::get, "/throws/forbidden", "staff-5");
  EXPECT_EQ(f.status, 403);
  EXPECT_EQ(body_of(f).at("detail"), "not yours");
  auto s = call(Method::get, "/throws/scope", "staff-5");
  EXPECT_EQ(s.status, 404);
  // Indistinguishable from a missing object, but audited as a denial.
  auto missing = problem(Error::not_found("member"));
  EXPECT_EQ(body_of(s).at("code"), "not_found");
  EXPECT_EQ(s.body, missing.body);
  ASSERT_EQ(auth.denied.size(), 2u);
  EXPECT_EQ(auth.denied[0], "/throws/{what}|forbidden|5");
  EXPECT_EQ(auth.denied[1], "/throws/{what}|scope.denied|5");

  auto v = call(Method::get, "/throws/invalid", "staff-5");
  EXPECT_EQ(v.status, 422);
  EXPECT_EQ(body_of(v).at("errors").as_array().at(0).at("field"), "name");
  EXPECT_EQ(auth.denied.size(), 2u);  // validation is not a denial
}

TEST_P(PipelineTest, InternalFailuresAreGeneric500) {
  for (auto path : {"/throws/internal", "/throws/std"}) {
    auto r = call(Method::get, path, "staff-5");
    EXPECT_EQ(r.status, 500) << path;
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_EQ(body_of(r).at("detail"), "internal server error");
    EXPECT_EQ(r.body.find("SELECT"), std::string::npos);
    EXPECT_EQ(r.body.find("secret"), std::string::npos);
  }
}

TEST_P(PipelineTest, JsonBodyErrorsAre400) {
  EXPECT_EQ(call(Method::post, "/echo", "", R"({"a":1})").body, R"({"a":1})");
  auto r = call(Method::post, "/echo", "", "{nope");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(body_of(r).at("code"), "json.malformed");
  auto deep = call(Method::post, "/echo", "", std::string(40, '[') + std::string(40, ']'));
  EXPECT_EQ(deep.status, 400);
  EXPECT_EQ(body_of(deep).at("code"), "json.too_deep");
}

TEST_P(PipelineTest, LimitsSetJsonDepth) {
  Pipeline shallow(router, *store, auth, metrics, nullptr, Limits{.max_json_depth = 2});
  Request req;
  req.method = Method::post;
  req.path = "/echo";
  req.body = "[[1]]";
  EXPECT_EQ(shallow.handle(req).status, 200);
  req.body = "[[[1]]]";
  EXPECT_EQ(shallow.handle(req).status, 400);
}

TEST_P(PipelineTest, RequestIdKeptWhenSaneElseGenerated) {
  Request req;
  req.method = Method::get;
  req.path = "/public";
  req.headers = {{"x-request-id", "abc-123"}};
  auto r = pipeline->handle(req);
  EXPECT_EQ(req.request_id, "abc-123");
  EXPECT_EQ(header(r, "X-Request-Id"), "abc-123");

  for (std::string bad :
       {std::string("has space"), std::string(65, 'a'), std::string("x\"y"), std::string("")}) {
    Request q;
    q.method = Method::get;
    q.path = "/public";
    q.headers = {{"x-request-id", bad}};
    auto rr = pipeline->handle(q);
    EXPECT_NE(q.request_id, bad);
    EXPECT_EQ(q.request_id.size(), 32u);
    EXPECT_EQ(header(rr, "X-Request-Id"), q.request_id);
  }
  Request a, b;
  a.path = b.path = "/public";
  pipeline->handle(a);
  pipeline->handle(b);
  EXPECT_NE(a.request_id, b.request_id);
}

TEST_P(PipelineTest, MetricsByRoutePattern) {
  call(Method::get, "/orgs/1", "staff-1");
  call(Method::get, "/orgs/2", "staff-1");
  call(Method::get, "/zzz");
  auto text = metrics.render(store->stats());
  EXPECT_NE(
      text.find(R"(gonghui_http_requests_total{method="GET",route="/orgs/{id}",status="200"} 2)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(R"(gonghui_http_requests_total{method="GET",route="unmatched",status="404"} 1)"),
      std::string::npos);
  EXPECT_EQ(text.find("/orgs/1"), std::string::npos);
}

TEST_P(PipelineTest, AccessLogIsOneJsonLineWithoutRawPath) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto logger = std::make_shared<spdlog::logger>("access", sink);
  logger->set_pattern("%v");
  spdlog::register_logger(logger);
  Pipeline logged(router, *store, auth, metrics, nullptr);
  spdlog::drop("access");

  Request req;
  req.method = Method::get;
  req.path = "/orgs/987654";
  req.target = "/orgs/987654?q=zhang";
  req.query = {{"q", "zhang"}};
  req.headers = {{"authorization", "Bearer staff-4"}};
  logged.handle(req);
  std::string line = out.str();
  ASSERT_FALSE(line.empty());
  ASSERT_EQ(line.back(), '\n');
  line.pop_back();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto v = json::parse(line).as_object();
  EXPECT_EQ(v.at("route"), "/orgs/{id}");
  EXPECT_EQ(v.at("method"), "GET");
  EXPECT_EQ(v.at("status"), 200);
  EXPECT_EQ(v.at("request_id").as_string(), std::string_view(req.request_id));
  EXPECT_TRUE(v.at("duration_ms").is_number());
  EXPECT_TRUE(v.at("bytes").is_int64());
  EXPECT_TRUE(v.at("ts").as_string().ends_with("Z"));
  EXPECT_EQ(line.find("987654"), std::string::npos);
  EXPECT_EQ(line.find("zhang"), std::string::npos);
  EXPECT_EQ(line.find("staff-4"), std::string::npos);
}

TEST_P(PipelineTest, TxRouteWithoutKeyRunsEveryTime) {
  EXPECT_EQ(call(Method::post, "/plain-tx", "staff-1").status, 200);
  EXPECT_EQ(call(Method::post, "/plain-tx", "staff-1", "", {{"idempotency-key", "k"}}).status, 200);
  EXPECT_EQ(handler_runs.load(), 2);
  EXPECT_EQ(setting("plain"), "xx");  // not idempotent: the key is ignored
  EXPECT_EQ(call(Method::post, "/counter", "staff-1", "a").status, 201);
  EXPECT_EQ(call(Method::post, "/counter", "staff-1", "a").status, 201);
  EXPECT_EQ(setting("counter"), "2");
}

TEST_P(PipelineTest, IdempotentReplayReturnsStoredResponse) {
  auto first = call(Method::post, "/counter", "staff-1", "same", {{"idempotency-key", "key-1"}});
  EXPECT_EQ(first.status, 201);
  EXPECT_FALSE(header(first, "Idempotent-Replayed"));
  auto again = call(Method::post, "/counter", "staff-1", "same", {{"idempotency-key", "key-1"}});
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.content_type, first.content_type);
  EXPECT_EQ(header(again, "Idempotent-Replayed"), "true");
  EXPECT_EQ(handler_runs.load(), 1);
  EXPECT_EQ(setting("counter"), "1");

  // Keys are per caller: another account with the same key runs the handler.
  auto other = call(Method::post, "/counter", "staff-2", "same", {{"idempotency-key", "key-1"}});
  EXPECT_EQ(other.status, 201);
  EXPECT_FALSE(header(other, "Idempotent-Replayed"));
  auto member = call(Method::post, "/counter", "member-1", "same", {{"idempotency-key", "key-1"}});
  EXPECT_FALSE(header(member, "Idempotent-Replayed"));
  EXPECT_EQ(setting("counter"), "3");
}

TEST_P(PipelineTest, SameKeyDifferentRequestIs422) {
  call(Method::post, "/counter", "staff-1", "one", {{"idempotency-key", "k2"}});
  auto r = call(Method::post, "/counter", "staff-1", "two", {{"idempotency-key", "k2"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(body_of(r).at("code"), "idempotency.key_reused");
  EXPECT_EQ(handler_runs.load(), 1);
  EXPECT_EQ(setting("counter"), "1");
}

TEST_P(PipelineTest, FailuresAreNotStored) {
  auto r = call(Method::post, "/counter", "staff-1", "fail", {{"idempotency-key", "k3"}});
  EXPECT_EQ(r.status, 409);
  auto again = call(Method::post, "/counter", "staff-1", "fail", {{"idempotency-key", "k3"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(handler_runs.load(), 2);
  // A handler failing after its write rolls the write back.
  auto rb = call(Method::post, "/counter", "staff-1", "rollback", {{"idempotency-key", "k4"}});
  EXPECT_EQ(rb.status, 500);
  EXPECT_EQ(setting("counter"), "<none>");
  auto rows = store->read([](db::Tx& tx) { return tx.query("SELECT * FROM idempotency_keys"); });
  EXPECT_TRUE(rows.empty());
}

TEST_P(PipelineTest, InvalidKeyIs400) {
  for (std::string bad : {std::string(""), std::string(256, 'k'), std::string("has space"),
                          std::string("tab\t"), std::string("\xe4\xb8\xad")}) {
    auto r = call(Method::post, "/counter", "staff-1", "x", {{"idempotency-key", bad}});
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(body_of(r).at("code"), "idempotency.key_invalid");
  }
  EXPECT_EQ(handler_runs.load(), 0);
  EXPECT_EQ(
      call(Method::post, "/counter", "staff-1", "x", {{"idempotency-key", std::string(255, 'k')}})
          .status,
      201);
}

TEST_P(PipelineTest, ConcurrentDuplicateIs409) {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  gate = &opened;
  auto first = std::async(std::launch::async, [&] {
    return call(Method::post, "/counter", "staff-1", "c", {{"idempotency-key", "k5"}});
  });
  while (handler_runs.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  auto dup = call(Method::post, "/counter", "staff-1", "c", {{"idempotency-key", "k5"}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(body_of(dup).at("code"), "idempotency.in_flight");
  open.set_value();
  EXPECT_EQ(first.get().status, 201);
  gate = nullptr;
  // Once the first is done, the key replays.
  auto replay = call(Method::post, "/counter", "staff-1", "c", {{"idempotency-key", "k5"}});
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(header(replay, "Idempotent-Replayed"), "true");
  EXPECT_EQ(handler_runs.load(), 1);
}

TEST_P(PipelineTest, WriteRoutesArePlacedAsyncReadsInlineOrOnThePool) {
  auto where = [&](Method m, std::string path) {
    Request req;
    req.method = m;
    req.path = path;
    return pipeline->placement(req);
  };
  EXPECT_EQ(where(Method::post, "/counter"), Placement::async_write);
  EXPECT_EQ(where(Method::post, "/orgs/3/rename"), Placement::async_write);
  EXPECT_EQ(where(Method::get, "/orgs/3"), Placement::pool);
  EXPECT_EQ(where(Method::get, "/nothing"), Placement::pool);
  EXPECT_EQ(call(Method::post, "/counter", "staff-1", "p").status, 201);
  EXPECT_EQ(async_calls, GetParam() ? 1 : 0);
}

TEST_P(PipelineTest, RefusedWritesAreAuditedAndChangeNothing) {
  // Refused by the route's permission: the handler never runs.
  auto no_perm = call(Method::post, "/orgs/3/rename", "member-4", "x");
  EXPECT_EQ(no_perm.status, 403);
  EXPECT_EQ(handler_runs.load(), 0);
  // Refused by the handler after it wrote: the write is rolled back.
  auto refused = call(Method::post, "/orgs/13/rename", "staff-5", "y");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(body_of(refused).at("code"), "forbidden");
  EXPECT_EQ(setting("renamed"), "<none>");
  ASSERT_EQ(auth.denied.size(), 2u);
  EXPECT_EQ(auth.denied[0],
            "/orgs/{id}/rename|permission #" + std::to_string(static_cast<unsigned>(auth::Perm::org_read)) + "|4");
  EXPECT_EQ(auth.denied[1], "/orgs/{id}/rename|forbidden|5");
  // Allowed: written, and the metrics and the request id are there as for any request.
  auto ok = call(Method::post, "/orgs/3/rename", "staff-5", "z", {{"x-request-id", "req-77"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(header(ok, "X-Request-Id"), "req-77");
  EXPECT_EQ(setting("renamed"), "z");
  auto text = metrics.render({});
  EXPECT_NE(text.find(R"(route="/orgs/{id}/rename",status="403"} 2)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(route="/orgs/{id}/rename",status="200"} 1)"), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(Pipeline, PipelineTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "Async" : "Sync"; });

}  // namespace
}  // namespace gh::http
