// Problem rendering, the plain request/response helpers and Ctx.
#include "http/http.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "http/pipeline.h"

namespace gh::http {
namespace {

namespace json = boost::json;

TEST(Problem, StatusForEveryKind) {
  EXPECT_EQ(status_for(ErrorKind::bad_request), 400);
  EXPECT_EQ(status_for(ErrorKind::unauthorized), 401);
  EXPECT_EQ(status_for(ErrorKind::forbidden), 403);
  EXPECT_EQ(status_for(ErrorKind::not_found), 404);
  EXPECT_EQ(status_for(ErrorKind::conflict), 409);
  EXPECT_EQ(status_for(ErrorKind::payload_too_large), 413);
  EXPECT_EQ(status_for(ErrorKind::unprocessable), 422);
  EXPECT_EQ(status_for(ErrorKind::locked), 423);
  EXPECT_EQ(status_for(ErrorKind::too_many), 429);
  EXPECT_EQ(status_for(ErrorKind::internal), 500);
  EXPECT_EQ(status_for(ErrorKind::unavailable), 503);
}

TEST(Problem, ValidationProblemDocument) {
  auto r = problem(Error::invalid("credit_code", "credit_code.checksum", "credit_code is wrong"),
                   "/api/v1/units");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v.at("type"), "https://gonghui.dev/problems/validation");
  EXPECT_EQ(v.at("title"), "Unprocessable Content");
  EXPECT_EQ(v.at("status"), 422);
  EXPECT_EQ(v.at("detail"), "credit_code is wrong");
  EXPECT_EQ(v.at("code"), "validation");
  EXPECT_EQ(v.at("instance"), "/api/v1/units");
  const auto& errs = v.at("errors").as_array();
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].at("field"), "credit_code");
  EXPECT_EQ(errs[0].at("code"), "credit_code.checksum");
  EXPECT_EQ(errs[0].at("message"), "credit_code is wrong");
}

TEST(Problem, GenericCodesAreAboutBlankWithoutErrors) {
  auto r = problem(Error::not_found("org"));
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(v.at("type"), "about:blank");
  EXPECT_EQ(v.at("detail"), "org not found");
  EXPECT_FALSE(v.contains("errors"));
  EXPECT_FALSE(v.contains("instance"));
}

TEST(Problem, UnauthorizedCarriesChallenge) {
  auto r = problem(Error::unauthorized());
  EXPECT_EQ(r.status, 401);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(r.headers[0].second, "Bearer");
  EXPECT_TRUE(problem(Error::forbidden()).headers.empty());
}

TEST(Problem, InternalDetailNeverLeaks) {
  auto r = problem(Error::internal("SELECT * FROM secrets failed: disk I/O"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("SELECT"), std::string::npos);
  EXPECT_EQ(json::parse(r.body).at("detail"), "internal server error");
}

TEST(Problem, ExplicitStatus) {
  auto r = problem(405, "method_not_allowed", "DELETE is not allowed here");
  EXPECT_EQ(r.status, 405);
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v.at("title"), "Method Not Allowed");
  EXPECT_EQ(v.at("type"), "https://gonghui.dev/problems/method_not_allowed");
}

TEST(RequestHelpers, HeaderAndQuery) {
  Request r;
  r.headers = {{"content-type", "application/json"}, {"x-a", "1"}};
  r.query = {{"q", "张"}, {"q", "second"}};
  EXPECT_EQ(r.header("x-a"), "1");
  EXPECT_FALSE(r.header("X-A").has_value());  // names are stored lower-case
  EXPECT_EQ(r.query_param("q"), "张");        // the first wins
  EXPECT_FALSE(r.query_param("nope").has_value());
}

TEST(ResponseHelpers, Constructors) {
  auto j = Response::json(201, json::object{{"id", 5}});
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.content_type, "application/json");
  EXPECT_EQ(j.body, R"({"id":5})");
  auto t = Response::text(200, "hi");
  EXPECT_EQ(t.content_type, "text/plain; charset=utf-8");
  auto n = Response::no_content();
  EXPECT_EQ(n.status, 204);
  EXPECT_TRUE(n.body.empty());
  EXPECT_EQ(method_name(Method::del), "DELETE");
  EXPECT_EQ(method_name(Method::patch), "PATCH");
}

class CtxTest : public ::testing::Test {
 protected:
  Request req;
  Ctx ctx{req, {}, "/x", nullptr};

  std::string code_of(std::string body) {
    req.body = std::move(body);
    ctx.parsed_.reset();
    try {
      ctx.json();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::bad_request);
      return e.code();
    }
    return "ok";
  }
};

TEST_F(CtxTest, ParsesJsonOnce) {
  req.body = R"({"a":[1,2]})";
  const auto& v = ctx.json();
  EXPECT_EQ(v.at("a").as_array().size(), 2u);
  EXPECT_EQ(&ctx.json(), &v);
}

TEST_F(CtxTest, JsonErrors) {
  EXPECT_EQ(code_of(""), "json.empty");
  EXPECT_EQ(code_of("{\"a\":"), "json.malformed");
  EXPECT_EQ(code_of("{} x"), "json.malformed");
  EXPECT_EQ(code_of("{\"a\":\"\xff\"}"), "json.utf8");
  EXPECT_EQ(code_of("\"\xed\xa0\x80\""), "json.utf8");  // a UTF-16 surrogate
  EXPECT_EQ(code_of("\"\xc0\xaf\""), "json.utf8");      // overlong '/'
  EXPECT_EQ(code_of("\"中\""), "ok");
  EXPECT_EQ(code_of(std::string(32, '[') + std::string(32, ']')), "ok");
  EXPECT_EQ(code_of(std::string(33, '[') + std::string(33, ']')), "json.too_deep");
  EXPECT_EQ(code_of(std::string(100000, '[')), "json.too_deep");
}

TEST_F(CtxTest, ContentTypeMustBeJsonWhenGiven) {
  req.headers = {{"content-type", "text/plain"}};
  EXPECT_EQ(code_of("{}"), "content_type");
  req.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  EXPECT_EQ(code_of("{}"), "content_type");
  req.headers = {{"content-type", "Application/JSON; charset=utf-8"}};
  EXPECT_EQ(code_of("{}"), "ok");
  req.headers = {{"content-type", "application/merge-patch+json"}};
  EXPECT_EQ(code_of("{}"), "ok");
  req.headers.clear();
  EXPECT_EQ(code_of("{}"), "ok");
}

TEST_F(CtxTest, IdParam) {
  ctx.params.items = {
      {"id", "42"}, {"bad", "4x"}, {"zero", "0"}, {"neg", "-1"}, {"big", "99999999999999999999"}};
  EXPECT_EQ(ctx.id_param(), 42);
  for (auto name : {"bad", "zero", "neg", "big", "missing"}) {
    try {
      ctx.id_param(name);
      ADD_FAILURE() << name;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::not_found) << name;
    }
  }
}

TEST_F(CtxTest, WhoNeedsAPrincipal) {
  try {
    ctx.who();
    FAIL() << "must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unauthorized);
  }
  auto p = std::make_shared<auth::Principal>();
  p->username = "admin";
  ctx.principal = p;
  EXPECT_EQ(ctx.who().username, "admin");
}

}  // namespace
}  // namespace gh::http
