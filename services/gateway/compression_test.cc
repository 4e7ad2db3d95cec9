#include "services/gateway/compression.h"

#include <gtest/gtest.h>

#include "services/gateway/errors.h"

namespace gateway {
namespace {

TEST(ShouldGzip, TextOverOneKibOnly) {
  EXPECT_TRUE(ShouldGzip("application/json; charset=utf-8", 2000));
  EXPECT_TRUE(ShouldGzip("text/html; charset=utf-8", 1024));
  EXPECT_TRUE(ShouldGzip("application/javascript", 5000));
  EXPECT_TRUE(ShouldGzip("text/css", 5000));
  EXPECT_TRUE(ShouldGzip("text/markdown; charset=utf-8", 5000));
  EXPECT_FALSE(ShouldGzip("application/json", 1023));
  EXPECT_FALSE(ShouldGzip("text/event-stream", 100000));
  EXPECT_FALSE(ShouldGzip("image/png", 100000));
}

TEST(Gzip, RoundTrips) {
  std::string text;
  for (int i = 0; i < 500; ++i)
    text += "{\"partner_id\":\"vidomes\",\"n\":" + std::to_string(i) + "}";
  auto gz = Gzip(text);
  ASSERT_TRUE(gz);
  EXPECT_LT(gz->size(), text.size() / 4);
  EXPECT_EQ(static_cast<unsigned char>((*gz)[0]), 0x1f);  // gzip magic
  EXPECT_EQ(static_cast<unsigned char>((*gz)[1]), 0x8b);
  EXPECT_EQ(Gunzip(*gz), text);
  EXPECT_EQ(Gunzip(*Gzip("")), "");
  EXPECT_FALSE(Gunzip("not gzip"));
}

TEST(Errors, HttpStatusAndJsonBody) {
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDataLoss), 500);
  EXPECT_EQ(ErrorJson(absl::NotFoundError("partner \"x\"\n</script>")),
            "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"partner \\\"x\\\"\\n<\\/script>\"}}");
  EXPECT_EQ(JsonEscape(std::string("\x01", 1)), "\\u0001");
  EXPECT_EQ(HtmlEscape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

}  // namespace
}  // namespace gateway
