// Where the remote object store sends requests: the endpoint settings of the AWS SDKs
// (aws/endpoint.h), with a fake environment and no network.
#include <gtest/gtest.h>

#include <map>

#include "objects/remote_store.h"

namespace sluice::objects {
namespace {

std::string EndpointWith(std::map<std::string, std::string> env, std::string flag = {}) {
  env.emplace("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
  env.emplace("AWS_SECRET_ACCESS_KEY", "secret");
  env.emplace("AWS_CONFIG_FILE", "/nonexistent/config");
  env.emplace("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
  RemoteStoreOptions options;
  options.endpoint = std::move(flag);
  auto store = RemoteObjectStore::Open(options, [&env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
  if (!store.ok()) return "error: " + store.error().message;
  return (*store)->endpoint();
}

TEST(RemoteStoreEndpoint, FollowsTheAwsEndpointVariables) {
  EXPECT_EQ(EndpointWith({}), "https://s3.us-east-1.amazonaws.com");
  EXPECT_EQ(EndpointWith({{"AWS_REGION", "eu-west-1"}}), "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(EndpointWith({{"AWS_ENDPOINT_URL", "http://127.0.0.1:4566/"}}), "http://127.0.0.1:4566");
  EXPECT_EQ(EndpointWith({{"AWS_ENDPOINT_URL", "http://g:1"}, {"AWS_ENDPOINT_URL_S3", "http://s3:2"}}),
            "http://s3:2");
  EXPECT_EQ(EndpointWith({{"AWS_ENDPOINT_URL_KINESIS", "http://k:3"}}), "https://s3.us-east-1.amazonaws.com");
  EXPECT_EQ(EndpointWith({{"AWS_ENDPOINT_URL_S3", "http://s3:2"}}, "http://flag:4"), "http://flag:4");
  EXPECT_EQ(EndpointWith({{"AWS_ENDPOINT_URL_S3", "http://s3:2"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}}),
            "https://s3.us-east-1.amazonaws.com");
}

}  // namespace
}  // namespace sluice::objects
