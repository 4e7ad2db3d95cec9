#include "services/gateway/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "services/gateway/compression.h"

namespace gateway {
namespace {

namespace fs = std::filesystem;

TEST(SafeRelativePath, MapsRootToIndex) {
  EXPECT_EQ(SafeRelativePath("/"), "index.html");
  EXPECT_EQ(SafeRelativePath(""), "index.html");
  EXPECT_EQ(SafeRelativePath("/assets/app-1a2b.js"), "assets/app-1a2b.js");
  EXPECT_EQ(SafeRelativePath("/docs/"), "docs/index.html");
}

TEST(SafeRelativePath, RefusesTraversalAndHiddenFiles) {
  EXPECT_EQ(SafeRelativePath("/../etc/passwd"), std::nullopt);
  EXPECT_EQ(SafeRelativePath("/assets/../../x"), std::nullopt);
  EXPECT_EQ(SafeRelativePath("/a/./b"), std::nullopt);
  EXPECT_EQ(SafeRelativePath("/.env"), std::nullopt);
  EXPECT_EQ(SafeRelativePath("/a//b"), std::nullopt);
  EXPECT_EQ(SafeRelativePath("/a\\..\\b"), std::nullopt);
  EXPECT_EQ(SafeRelativePath(std::string("/a\0b", 4)), std::nullopt);
}

TEST(ContentTypeFor, CommonWebTypes) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("assets/app.JS"), "application/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("assets/app.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("logo.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("font.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("dir.d/noext"), "application/octet-stream");
}

TEST(IsImmutableAsset, OnlyUnderAssets) {
  EXPECT_TRUE(IsImmutableAsset("assets/index-3f9a.js"));
  EXPECT_FALSE(IsImmutableAsset("index.html"));
  EXPECT_FALSE(IsImmutableAsset("favicon.ico"));
}

TEST(HttpDate, Rfc9110Format) {
  EXPECT_EQ(HttpDate(std::chrono::system_clock::from_time_t(784111777)),
            "Sun, 06 Nov 1994 08:49:37 GMT");
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wijkboek-static-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ / "web" / "assets");
    Write("web/index.html", "<!doctype html><title>app</title>");
    Write("web/assets/app-1.js", std::string(4000, 'x'));
    Write("secret.txt", "outside");
    fs::create_symlink(root_ / "secret.txt", root_ / "web" / "link.txt");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& content) {
    std::ofstream(root_ / rel) << content;
  }
  fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesWithCachingMetadata) {
  StaticFiles files((root_ / "web").string());
  EXPECT_TRUE(files.HasIndex());
  auto index = files.Lookup("index.html");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->cache_control, "no-cache");
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(index->etag.empty());
  EXPECT_FALSE(index->gzipped);  // under 1 KiB
  auto js = files.Lookup("assets/app-1.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->cache_control, "public, max-age=31536000, immutable");
  ASSERT_TRUE(js->gzipped);
  EXPECT_EQ(Gunzip(*js->gzipped), *js->body);
}

TEST_F(StaticFilesTest, NoticesChangedFiles) {
  StaticFiles files((root_ / "web").string());
  auto before = files.Lookup("index.html");
  Write("web/index.html", "<!doctype html><title>new app, longer</title>");
  auto after = files.Lookup("index.html");
  ASSERT_TRUE(before && after);
  EXPECT_NE(*before->body, *after->body);
  EXPECT_NE(before->etag, after->etag);
}

TEST_F(StaticFilesTest, RefusesSymlinksOutOfTheRootAndMissingFiles) {
  StaticFiles files((root_ / "web").string());
  EXPECT_FALSE(files.Lookup("link.txt"));
  EXPECT_FALSE(files.Lookup("nope.html"));
  EXPECT_FALSE(files.Lookup("assets"));  // a directory
}

TEST(StaticFiles, MissingRootHasNoIndex) {
  StaticFiles none("/nonexistent/wijkboek-web");
  EXPECT_FALSE(none.HasIndex());
  EXPECT_FALSE(none.Lookup("index.html"));
  StaticFiles empty("");
  EXPECT_FALSE(empty.HasIndex());
  EXPECT_NE(PlaceholderPage().find("niet gebouwd"), std::string::npos);
}

}  // namespace
}  // namespace gateway
