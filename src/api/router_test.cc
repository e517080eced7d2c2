#include "api/router.h"

#include <gtest/gtest.h>

#include <optional>

namespace sluice::api {
namespace {

Response Call(Router& router, std::string method, std::string target) {
  Request req;
  req.head.method = std::move(method);
  req.head.target = std::move(target);
  std::optional<Response> out;
  router.Handle(std::move(req), [&out](Response r) { out = std::move(r); });
  EXPECT_TRUE(out.has_value()) << "handler did not respond";
  return out.value_or(Response{});
}

TEST(Router, HealthAnswersOkWithVersion) {
  Router router({.version = "9.9.9", .data_dir = "d"});
  const Response r = Call(router, "GET", "/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("status":"ok")"), std::string::npos);
  EXPECT_NE(r.body.find(R"("version":"9.9.9")"), std::string::npos);
}

TEST(Router, HealthRejectsOtherMethodsWith405) {
  Router router({.version = "1", .data_dir = "d"});
  EXPECT_EQ(Call(router, "POST", "/health").status, 405);
  EXPECT_EQ(Call(router, "DELETE", "/health?x=1").status, 405);
}

TEST(Router, UnknownPathIs404) {
  Router router({.version = "1", .data_dir = "d"});
  EXPECT_EQ(Call(router, "GET", "/nope").status, 404);
}

TEST(Router, HealthReadsOnlyASmallBody) {
  Router router({.version = "1", .data_dir = "d"});
  RequestHead h;
  h.method = "POST";
  h.target = "/health";
  EXPECT_LE(router.BodyLimit(h), 4096u);
}

}  // namespace
}  // namespace sluice::api
