#include "aws/credentials.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace sluice::aws {
namespace {

namespace fs = std::filesystem;

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "sluice-aws-creds-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    home_ = tmpl;
    fs::create_directories(home_ / ".aws");
  }
  void TearDown() override { fs::remove_all(home_); }

  void Write(const fs::path& p, std::string_view text) {
    std::ofstream out(p);
    out << text;
  }
  EnvLookup Env() {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = env_.find(std::string(name));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
  }
  Result<ResolvedConfig> Resolve(const CredentialOptions& o = {}) { return ResolveConfig(o, Env(), home_.string()); }

  fs::path home_;
  std::map<std::string, std::string> env_;
};

TEST(Ini, ParsesSectionsKeysCommentsAndNestedBlocks) {
  const IniSections s = ParseIni(
      "# comment\n[default]\nAWS_Access_Key_Id = AK \r\n; other\nregion=eu-west-1\n"
      "s3 =\n  max_concurrent_requests = 2\n[profile dev]\nregion = us-west-2\n");
  EXPECT_EQ(s.at("default").at("aws_access_key_id"), "AK");
  EXPECT_EQ(s.at("default").at("region"), "eu-west-1");
  EXPECT_EQ(s.at("default").count("max_concurrent_requests"), 0u);
  EXPECT_EQ(s.at("default").at("s3.max_concurrent_requests"), "2");
  EXPECT_EQ(s.at("default").count("s3"), 0u);
  EXPECT_EQ(s.at("profile dev").at("region"), "us-west-2");
}

TEST_F(CredentialsTest, FlagsWinOverEnvironmentAndProfiles) {
  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env_["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET";
  CredentialOptions o;
  o.access_key_id = "FLAGKEY";
  o.secret_access_key = "FLAGSECRET";
  o.region = "eu-central-1";
  env_["AWS_REGION"] = "us-east-2";
  Result<ResolvedConfig> r = Resolve(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->credentials.access_key_id, "FLAGKEY");
  EXPECT_EQ(r->region, "eu-central-1");
  EXPECT_EQ(r->source, "flags");
}

TEST_F(CredentialsTest, HalfAFlagPairIsAnError) {
  CredentialOptions o;
  o.access_key_id = "FLAGKEY";
  EXPECT_EQ(Resolve(o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CredentialsTest, EnvironmentGivesKeysTokenAndRegion) {
  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env_["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET";
  env_["AWS_SESSION_TOKEN"] = "TOKEN";
  env_["AWS_DEFAULT_REGION"] = "ap-south-1";
  Result<ResolvedConfig> r = Resolve();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->credentials, (Credentials{"ENVKEY", "ENVSECRET", "TOKEN"}));
  EXPECT_EQ(r->region, "ap-south-1");
  EXPECT_EQ(r->source, "environment");
  env_["AWS_REGION"] = "us-west-1";  // AWS_REGION wins over AWS_DEFAULT_REGION
  EXPECT_EQ(Resolve()->region, "us-west-1");
}

TEST_F(CredentialsTest, DefaultProfileFromCredentialsAndRegionFromConfig) {
  Write(home_ / ".aws/credentials", "[default]\naws_access_key_id = DK\naws_secret_access_key = DS\n");
  Write(home_ / ".aws/config", "[default]\nregion = eu-west-3\n");
  Result<ResolvedConfig> r = Resolve();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->credentials.access_key_id, "DK");
  EXPECT_EQ(r->region, "eu-west-3");
  EXPECT_EQ(r->source, "profile default");
}

TEST_F(CredentialsTest, NamedProfileUsesProfilePrefixInConfig) {
  Write(home_ / ".aws/credentials", "[default]\naws_access_key_id=DK\naws_secret_access_key=DS\n"
                                    "[dev]\naws_access_key_id=DEVK\naws_secret_access_key=DEVS\n"
                                    "aws_session_token=DEVT\n");
  Write(home_ / ".aws/config", "[profile dev]\nregion = cn-north-1\n[dev]\nregion = wrong\n");
  env_["AWS_PROFILE"] = "dev";
  Result<ResolvedConfig> r = Resolve();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->credentials, (Credentials{"DEVK", "DEVS", "DEVT"}));
  EXPECT_EQ(r->region, "cn-north-1");
}

TEST_F(CredentialsTest, KeysMayLiveInConfigAlone) {
  Write(home_ / ".aws/config", "[profile ci]\naws_access_key_id=CK\naws_secret_access_key=CS\nregion=us-east-1\n");
  CredentialOptions o;
  o.profile = "ci";
  Result<ResolvedConfig> r = Resolve(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->credentials.access_key_id, "CK");
}

TEST_F(CredentialsTest, ProfileFlagWinsOverEnvironmentKeys) {
  Write(home_ / ".aws/credentials", "[dev]\naws_access_key_id=DEVK\naws_secret_access_key=DEVS\n");
  env_["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env_["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET";
  CredentialOptions o;
  o.profile = "dev";
  EXPECT_EQ(Resolve(o)->credentials.access_key_id, "DEVK");
}

TEST_F(CredentialsTest, FileLocationsComeFromTheEnvironment) {
  Write(home_ / "c.ini", "[default]\naws_access_key_id=FK\naws_secret_access_key=FS\n");
  Write(home_ / "g.ini", "[default]\nregion=sa-east-1\n");
  env_["AWS_SHARED_CREDENTIALS_FILE"] = (home_ / "c.ini").string();
  env_["AWS_CONFIG_FILE"] = (home_ / "g.ini").string();
  Result<ResolvedConfig> r = Resolve();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->credentials.access_key_id, "FK");
  EXPECT_EQ(r->region, "sa-east-1");
}

TEST_F(CredentialsTest, MissingNamedProfileIsAnError) {
  CredentialOptions o;
  o.profile = "nope";
  Result<ResolvedConfig> r = Resolve(o);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("nope"), std::string::npos);
}

TEST_F(CredentialsTest, NoCredentialsAnywhereIsNotFound) {
  EXPECT_EQ(Resolve().status().code(), StatusCode::kNotFound);
}

TEST(Endpoint, RegionRulesAndOverride) {
  EXPECT_EQ(*EndpointFor("kinesis", "eu-west-1"), "https://kinesis.eu-west-1.amazonaws.com");
  EXPECT_EQ(*EndpointFor("s3", "us-east-1"), "https://s3.us-east-1.amazonaws.com");
  EXPECT_EQ(*EndpointFor("kinesis", "cn-northwest-1"), "https://kinesis.cn-northwest-1.amazonaws.com.cn");
  EXPECT_EQ(*EndpointFor("kinesis", "", "http://127.0.0.1:4567/"), "http://127.0.0.1:4567");
  EXPECT_FALSE(EndpointFor("kinesis", "").ok());
  EXPECT_FALSE(EndpointFor("kinesis", "eu west").ok());
  EXPECT_FALSE(EndpointFor("kinesis", "eu-west-1", "localhost:4567").ok());
}

}  // namespace
}  // namespace sluice::aws
