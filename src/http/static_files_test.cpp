#include "http/static_files.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

namespace gh::http {
namespace {

namespace fs = std::filesystem;

std::optional<std::string_view> header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gh_static_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base = tmpl;
    root = base / "web";
    fs::create_directories(root / "admin" / "assets");
    fs::create_directories(root / "m");
    fs::create_directories(root / "assets");
    write(root / "index.html", "<root>");
    write(root / "admin" / "index.html", "<admin>");
    write(root / "m" / "index.html", "<member>");
    write(root / "assets" / "index-BwE3aQ_x.js", "js!");
    write(root / "admin" / "assets" / "vendor-lib-C0ffee12.css", "css!");
    write(root / "favicon.ico", "ico");
    write(root / "app.webmanifest", "{}");
    write(root / "logo.svg", "<svg/>");
    write(root / "notes.txt", "hello");
    write(base / "secret.txt", "TOP SECRET");
    fs::create_directories(base / "outside");
    write(base / "outside" / "x.js", "outside!");
    fs::create_symlink(base / "secret.txt", root / "leak.txt");
    fs::create_directory_symlink(base / "outside", root / "admin" / "linked");
  }
  void TearDown() override { fs::remove_all(base); }

  static void write(const fs::path& p, std::string_view data) {
    std::ofstream(p, std::ios::binary) << data;
  }

  fs::path base, root;
};

TEST_F(StaticFilesTest, ServesFilesWithContentTypes) {
  StaticFiles s(root);
  auto r = s.serve("/notes.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(s.serve("/logo.svg")->content_type, "image/svg+xml");
  EXPECT_EQ(s.serve("/favicon.ico")->content_type, "image/x-icon");
  EXPECT_EQ(s.serve("/app.webmanifest")->content_type, "application/manifest+json");
  EXPECT_EQ(s.serve("/assets/index-BwE3aQ_x.js")->content_type, "text/javascript; charset=utf-8");
}

TEST_F(StaticFilesTest, ContentTypeTable) {
  EXPECT_EQ(content_type_for("html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("json"), "application/json");
  EXPECT_EQ(content_type_for("png"), "image/png");
  EXPECT_EQ(content_type_for("JPG"), "image/jpeg");
  EXPECT_EQ(content_type_for("woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("wasm"), "application/wasm");
  EXPECT_EQ(content_type_for("map"), "application/json");
  EXPECT_EQ(content_type_for("exe"), "application/octet-stream");
}

TEST_F(StaticFilesTest, CachingRules) {
  StaticFiles s(root);
  auto hashed = s.serve("/assets/index-BwE3aQ_x.js");
  ASSERT_TRUE(hashed);
  EXPECT_EQ(header(*hashed, "Cache-Control"), "public, max-age=31536000, immutable");
  auto hashed2 = s.serve("/admin/assets/vendor-lib-C0ffee12.css");
  ASSERT_TRUE(hashed2);
  EXPECT_EQ(header(*hashed2, "Cache-Control"), "public, max-age=31536000, immutable");
  auto index = s.serve("/admin/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->body, "<admin>");
  EXPECT_EQ(header(*index, "Cache-Control"), "no-cache");
  auto plain = s.serve("/notes.txt");
  EXPECT_NE(header(*plain, "Cache-Control"), "public, max-age=31536000, immutable");
}

TEST_F(StaticFilesTest, RootRedirectsToAdmin) {
  StaticFiles s(root);
  auto r = s.serve("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(header(*r, "Location"), "/admin/");
  auto d = s.serve("/admin");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 302);
  EXPECT_EQ(header(*d, "Location"), "/admin/");
}

TEST_F(StaticFilesTest, SpaFallback) {
  StaticFiles s(root);
  auto a = s.serve("/admin/members/42");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(a->body, "<admin>");
  EXPECT_EQ(header(*a, "Cache-Control"), "no-cache");
  auto m = s.serve("/m/card");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->body, "<member>");
  EXPECT_EQ(s.serve("/m/deep/path/")->body, "<member>");
  // A missing file with an extension is a 404, not the app.
  EXPECT_FALSE(s.serve("/admin/assets/missing-12345678.js"));
  EXPECT_FALSE(s.serve("/m/nope.png"));
  // No fallback outside the apps.
  EXPECT_FALSE(s.serve("/other/page"));
  EXPECT_FALSE(s.serve("/administrator/x"));
}

TEST_F(StaticFilesTest, TraversalIsRejected) {
  StaticFiles s(root);
  // What the server hands over after percent-decoding ../, %2e%2e, %2f …
  const std::vector<std::string_view> attempts = {"/../secret.txt",
                                                  "/admin/../../secret.txt",
                                                  "/assets/../../secret.txt",
                                                  "/admin/..",
                                                  "/admin/../admin/index.html",
                                                  "/./notes.txt",
                                                  "//notes.txt",
                                                  "/admin/..\\..\\secret.txt",
                                                  "/notes.txt\\",
                                                  std::string_view("/notes.txt\0.js", 14),
                                                  "/m/../../secret.txt",
                                                  "/admin/x/../../../secret.txt"};
  for (std::string_view p : attempts) {
    auto r = s.serve(p);
    EXPECT_FALSE(r) << p;
  }
}

TEST_F(StaticFilesTest, SymlinksOutOfTheRootAreRejected) {
  StaticFiles s(root);
  EXPECT_FALSE(s.serve("/leak.txt"));
  EXPECT_FALSE(s.serve("/admin/linked/x.js"));
  // and they do not fall back to the SPA either
  EXPECT_FALSE(s.serve("/admin/linked"));
}

TEST_F(StaticFilesTest, MissingRootServesNothing) {
  StaticFiles s(base / "does-not-exist");
  EXPECT_FALSE(s.serve("/"));
  EXPECT_FALSE(s.serve("/admin/"));
  StaticFiles e{fs::path()};
  EXPECT_FALSE(e.serve("/notes.txt"));
}

TEST_F(StaticFilesTest, Locate) {
  fs::path exe_dir = base / "prefix" / "bin";
  fs::create_directories(exe_dir);
  fs::path exe = exe_dir / "gonghui";
  unsetenv("GONGHUI_WEB_ROOT");
  EXPECT_EQ(StaticFiles::locate(exe, ""), fs::path());
  fs::create_directories(base / "prefix" / "web" / "dist");
  EXPECT_EQ(StaticFiles::locate(exe, ""), fs::canonical(base / "prefix" / "web" / "dist"));
  fs::create_directories(exe_dir / "web");
  EXPECT_EQ(StaticFiles::locate(exe, ""), fs::canonical(exe_dir / "web"));
  fs::create_directories(base / "prefix" / "share" / "gonghui" / "web");
  EXPECT_EQ(StaticFiles::locate(exe, ""),
            fs::canonical(base / "prefix" / "share" / "gonghui" / "web"));
  setenv("GONGHUI_WEB_ROOT", "/from/env", 1);
  EXPECT_EQ(StaticFiles::locate(exe, ""), fs::path("/from/env"));
  EXPECT_EQ(StaticFiles::locate(exe, "/from/flag"), fs::path("/from/flag"));
  unsetenv("GONGHUI_WEB_ROOT");
}

}  // namespace
}  // namespace gh::http
