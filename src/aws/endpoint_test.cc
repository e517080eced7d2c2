#include "aws/endpoint.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace sluice::aws {
namespace {

namespace fs = std::filesystem;

constexpr char kConfig[] = R"(
[default]
region = us-east-1
endpoint_url = http://profile-global:1
services = local

[services local]
kinesis =
  endpoint_url = http://profile-kinesis:2
s3 =
  endpoint_url = http://profile-s3:3
  addressing_style = path

[profile dev]
services = dev-services
endpoint_url = http://dev-global:4

[services dev-services]
kinesis =
  endpoint_url = http://dev-kinesis:5/

[profile quiet]
endpoint_url = http://quiet:6
ignore_configured_endpoint_urls = true
)";

class EndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "sluice-aws-endpoint-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    home_ = tmpl;
    fs::create_directories(home_ / ".aws");
    std::ofstream(home_ / ".aws" / "config") << kConfig;
  }
  void TearDown() override { fs::remove_all(home_); }

  EnvLookup Env() {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = env_.find(std::string(name));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }
  // The URL chosen for `service_id`, "" for none, or "error: ..." .
  std::string Url(std::string_view service_id, std::string_view explicit_url = {}, std::string_view profile = {}) {
    Result<std::optional<ConfiguredEndpoint>> r =
        ResolveConfiguredEndpoint({service_id, explicit_url, profile}, Env(), home_.string());
    if (!r.ok()) return "error: " + r.status().message();
    return *r ? (*r)->url : std::string();
  }

  fs::path home_;
  std::map<std::string, std::string> env_;
};

TEST(EndpointNames, FollowTheSdkServiceIdentifierRules) {
  EXPECT_EQ(EndpointEnvName("Kinesis"), "AWS_ENDPOINT_URL_KINESIS");
  EXPECT_EQ(EndpointEnvName("S3"), "AWS_ENDPOINT_URL_S3");
  EXPECT_EQ(EndpointEnvName("ACM PCA"), "AWS_ENDPOINT_URL_ACM_PCA");
  EXPECT_EQ(EndpointConfigKey("Kinesis"), "kinesis");
  EXPECT_EQ(EndpointConfigKey("ACM PCA"), "acm_pca");
}

TEST_F(EndpointTest, PrecedenceIsFlagServiceEnvGlobalEnvProfileServiceProfileGlobal) {
  env_ = {{"AWS_ENDPOINT_URL_KINESIS", "http://env-kinesis:7"}, {"AWS_ENDPOINT_URL", "http://env-global:8"}};
  EXPECT_EQ(Url("Kinesis", "http://flag:9"), "http://flag:9");
  EXPECT_EQ(Url("Kinesis"), "http://env-kinesis:7");
  env_.erase("AWS_ENDPOINT_URL_KINESIS");
  EXPECT_EQ(Url("Kinesis"), "http://env-global:8");
  env_.erase("AWS_ENDPOINT_URL");
  EXPECT_EQ(Url("Kinesis"), "http://profile-kinesis:2");
  EXPECT_EQ(Url("S3"), "http://profile-s3:3");
  EXPECT_EQ(Url("Firehose"), "http://profile-global:1");
}

TEST_F(EndpointTest, AServiceVariableIsForThatServiceOnly) {
  env_ = {{"AWS_ENDPOINT_URL_S3", "http://env-s3:7"}};
  EXPECT_EQ(Url("S3"), "http://env-s3:7");
  EXPECT_EQ(Url("Kinesis"), "http://profile-kinesis:2");
}

TEST_F(EndpointTest, TheProfileComesFromTheFlagOrAwsProfile) {
  EXPECT_EQ(Url("Kinesis", {}, "dev"), "http://dev-kinesis:5");  // trailing '/' dropped
  EXPECT_EQ(Url("S3", {}, "dev"), "http://dev-global:4");
  env_["AWS_PROFILE"] = "dev";
  EXPECT_EQ(Url("Kinesis"), "http://dev-kinesis:5");
  EXPECT_EQ(Url("Kinesis", {}, "missing"), "");
}

TEST_F(EndpointTest, IgnoreConfiguredEndpointsLeavesOnlyTheFlag) {
  env_ = {{"AWS_ENDPOINT_URL_KINESIS", "http://env-kinesis:7"},
          {"AWS_ENDPOINT_URL", "http://env-global:8"},
          {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"}};
  EXPECT_EQ(Url("Kinesis"), "");
  EXPECT_EQ(Url("Kinesis", "http://flag:9"), "http://flag:9");
  env_ = {};
  EXPECT_EQ(Url("Kinesis", {}, "quiet"), "");
  env_["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "false";  // the variable wins over the profile
  EXPECT_EQ(Url("Kinesis", {}, "quiet"), "http://quiet:6");
}

TEST_F(EndpointTest, NothingConfiguredMeansTheAwsEndpoint) {
  env_ = {{"AWS_CONFIG_FILE", (home_ / "none").string()}, {"AWS_ENDPOINT_URL", ""}};
  EXPECT_EQ(Url("Kinesis"), "");
}

TEST_F(EndpointTest, AUrlWithoutSchemeIsAnErrorNamingItsSource) {
  env_ = {{"AWS_ENDPOINT_URL_KINESIS", "localhost:4566"}};
  EXPECT_EQ(Url("Kinesis"),
            "error: AWS_ENDPOINT_URL_KINESIS: endpoint must start with http:// or https://: localhost:4566");
}

TEST_F(EndpointTest, ClientTargetSignsForALocalEndpointWithoutKeysAndNeedsKeysForAws) {
  const std::string empty_home = (home_ / "empty").string();  // no .aws/ at all
  fs::create_directories(empty_home);
  env_ = {{"AWS_ENDPOINT_URL_ATHENA", "http://127.0.0.1:4566/"}};
  Result<ClientTarget> local = ResolveClientTarget({"Athena", "athena", {}, {}}, Env(), empty_home);
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_EQ(local->endpoint, "http://127.0.0.1:4566");
  EXPECT_TRUE(local->configured_endpoint);
  EXPECT_EQ(local->credentials, (Credentials{"sluice-local", "sluice-local", ""}));
  EXPECT_EQ(local->region, "us-east-1");
  // The flag wins over the variable; a region given is kept.
  local = ResolveClientTarget({"Athena", "athena", "http://flag:1", {.region = "eu-west-1"}}, Env(), empty_home);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->endpoint, "http://flag:1");
  EXPECT_EQ(local->region, "eu-west-1");

  env_.clear();
  EXPECT_EQ(ResolveClientTarget({"Kinesis", "kinesis", {}, {}}, Env(), empty_home).status().code(),
            StatusCode::kNotFound);
  env_ = {{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "secret"}, {"AWS_REGION", "eu-west-1"}};
  Result<ClientTarget> aws = ResolveClientTarget({"Kinesis", "kinesis", {}, {}}, Env(), empty_home);
  ASSERT_TRUE(aws.ok()) << aws.status().ToString();
  EXPECT_EQ(aws->endpoint, "https://kinesis.eu-west-1.amazonaws.com");
  EXPECT_FALSE(aws->configured_endpoint);
  EXPECT_EQ(aws->credentials.access_key_id, "AKID");
  // The profile's endpoint settings count (home_ has a config file).
  Result<ClientTarget> profiled = ResolveClientTarget({"Kinesis", "kinesis", {}, {}}, Env(), home_.string());
  ASSERT_TRUE(profiled.ok()) << profiled.status().ToString();
  EXPECT_EQ(profiled->endpoint, "http://profile-kinesis:2");
}

TEST_F(EndpointTest, AFallbackUrlStandsInForTheAwsEndpointOnly) {
  const std::string empty_home = (home_ / "empty").string();
  fs::create_directories(empty_home);
  // Nothing configured, no credentials: the fallback, signed with the placeholder keys.
  Result<ClientTarget> local = ResolveClientTarget(
      {"Firehose", "firehose", {}, {}, "http://127.0.0.1:4566"}, Env(), empty_home);
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_EQ(local->endpoint, "http://127.0.0.1:4566");
  EXPECT_TRUE(local->configured_endpoint);
  EXPECT_EQ(local->credentials, (Credentials{"sluice-local", "sluice-local", ""}));
  EXPECT_EQ(local->region, "us-east-1");
  // Anything configured wins over it.
  env_ = {{"AWS_ENDPOINT_URL_FIREHOSE", "http://other:7"}};
  local = ResolveClientTarget({"Firehose", "firehose", {}, {}, "http://127.0.0.1:4566"}, Env(), empty_home);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->endpoint, "http://other:7");
}

}  // namespace
}  // namespace sluice::aws
