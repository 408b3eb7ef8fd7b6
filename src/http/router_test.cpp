#include "http/router.h"

#include <gtest/gtest.h>

namespace gh::http {
namespace {

Handler named(std::string name) {
  return [name](Ctx&) { return Response::text(200, name); };
}

std::string run(const Router::Match& m, const Request& req) {
  Ctx ctx{req, m.params, m.route->pattern, nullptr};
  return m.route->handler(ctx).body;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    r.add(Method::get, "/api/v1/orgs", {}, named("list"));
    r.add(Method::post, "/api/v1/orgs", {}, named("create"));
    r.add(Method::get, "/api/v1/orgs/{id}", {}, named("get"));
    r.add(Method::get, "/api/v1/orgs/tree", {}, named("tree"));
    r.add(Method::get, "/api/v1/orgs/{id}/units/{unit_id}", {}, named("unit"));
    r.add(Method::post, "/api/v1/members/{id}/transfer", {}, named("transfer"));
    r.add_tx(Method::put, "/api/v1/members/{id}", {}, [](Ctx&, db::Tx&) { return Response{}; });
  }
  Router r;
  Request req;
};

TEST_F(RouterTest, MatchesLiteralRoute) {
  auto m = r.match(Method::get, "/api/v1/orgs");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(run(m, req), "list");
  EXPECT_TRUE(m.params.items.empty());
  EXPECT_EQ(r.match(Method::post, "/api/v1/orgs").route->pattern, "/api/v1/orgs");
  EXPECT_EQ(run(r.match(Method::post, "/api/v1/orgs"), req), "create");
}

TEST_F(RouterTest, CapturesParams) {
  auto m = r.match(Method::get, "/api/v1/orgs/42/units/7");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(run(m, req), "unit");
  EXPECT_EQ(m.params.get("id"), "42");
  EXPECT_EQ(m.params.get("unit_id"), "7");
  EXPECT_FALSE(m.params.get("nope").has_value());
}

TEST_F(RouterTest, LiteralBeatsParamWhateverTheOrder) {
  auto m = r.match(Method::get, "/api/v1/orgs/tree");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(run(m, req), "tree");
  auto p = r.match(Method::get, "/api/v1/orgs/12");
  ASSERT_NE(p.route, nullptr);
  EXPECT_EQ(run(p, req), "get");
  EXPECT_EQ(p.params.get("id"), "12");
}

TEST_F(RouterTest, PathMatchedButNotMethodIs405Material) {
  auto m = r.match(Method::del, "/api/v1/orgs/9");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_matched);
  auto t = r.match(Method::get, "/api/v1/members/3/transfer");
  EXPECT_EQ(t.route, nullptr);
  EXPECT_TRUE(t.path_matched);
}

TEST_F(RouterTest, UnknownPathIsNotMatched) {
  for (std::string_view p : {"/api/v1/nothing", "/api/v1/orgs/1/units", "/api/v1/orgs/",
                             "/api/v1/orgs/1/units/2/x", "api/v1/orgs", "", "/"}) {
    auto m = r.match(Method::get, p);
    EXPECT_EQ(m.route, nullptr) << p;
    EXPECT_FALSE(m.path_matched) << p;
  }
}

TEST_F(RouterTest, EmptySegmentDoesNotFillAParam) {
  auto m = r.match(Method::get, "/api/v1/orgs//units/1");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_matched);
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  auto m = r.match(Method::head, "/api/v1/orgs/5");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, Method::get);
  EXPECT_EQ(m.params.get("id"), "5");
  // but not to POST
  EXPECT_EQ(r.match(Method::head, "/api/v1/members/3/transfer").route, nullptr);
}

TEST_F(RouterTest, TxRoutesKeepTheirHandlerKind) {
  auto m = r.match(Method::put, "/api/v1/members/8");
  ASSERT_NE(m.route, nullptr);
  EXPECT_TRUE(static_cast<bool>(m.route->tx_handler));
  EXPECT_FALSE(static_cast<bool>(m.route->handler));
}

TEST_F(RouterTest, OtherMethodNeverMatches) {
  auto m = r.match(Method::other, "/api/v1/orgs");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_matched);
}

TEST(Router, RejectsRelativePattern) {
  Router r;
  EXPECT_THROW(r.add(Method::get, "api/x", {}, named("x")), std::invalid_argument);
}

TEST(Router, VeryLongPathIsNotMatched) {
  Router r;
  r.add(Method::get, "/{a}", {}, named("x"));
  std::string p;
  for (int i = 0; i < 100; ++i) p += "/x";
  EXPECT_EQ(r.match(Method::get, p).route, nullptr);
  EXPECT_NE(r.match(Method::get, "/x").route, nullptr);
}

}  // namespace
}  // namespace gh::http
