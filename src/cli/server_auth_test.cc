#include "cli/server_auth.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace sluice::cli {
namespace {

aws::EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ServerAuth, EveryProfileOfASharedCredentialsFileIsAccepted) {
  const auto path = std::filesystem::temp_directory_path() / ("sluice-creds-" + std::to_string(getpid()));
  std::ofstream(path) << "[default]\naws_access_key_id = AKID1\naws_secret_access_key = s1\n\n"
                         "[other]\naws_access_key_id=AKID2\naws_secret_access_key=s2\n[empty]\nregion=x\n";
  auto store = LoadServerCredentials(path.string(), Env({}));
  std::filesystem::remove(path);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(store->size(), 2u);
  ASSERT_NE(store->SecretFor("AKID2"), nullptr);
  EXPECT_EQ(*store->SecretFor("AKID2"), "s2");
}

TEST(ServerAuth, AFileWithoutKeysOrAMissingFileIsAnError) {
  EXPECT_FALSE(LoadServerCredentials("/nonexistent/credentials", Env({})).ok());
  const auto path = std::filesystem::temp_directory_path() / ("sluice-nocreds-" + std::to_string(getpid()));
  std::ofstream(path) << "[default]\nregion = us-east-1\n";
  EXPECT_FALSE(LoadServerCredentials(path.string(), Env({})).ok());
  std::filesystem::remove(path);
}

TEST(ServerAuth, EnvTakesTheAwsVariables) {
  auto store = LoadServerCredentials("env", Env({{"AWS_ACCESS_KEY_ID", "AK"}, {"AWS_SECRET_ACCESS_KEY", "S"}}));
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*store->SecretFor("AK"), "S");
  EXPECT_FALSE(LoadServerCredentials("env", Env({{"AWS_ACCESS_KEY_ID", "AK"}})).ok());
  EXPECT_TRUE(LoadServerCredentials("", Env({}))->empty());
}

TEST(ServerAuth, OnlyLoopbackMayServeWithoutCredentials) {
  EXPECT_FALSE(AnonymousRefusal("127.0.0.1", false, false).has_value());
  EXPECT_FALSE(AnonymousRefusal("::1", false, false).has_value());
  EXPECT_FALSE(AnonymousRefusal("0.0.0.0", true, false).has_value());
  EXPECT_FALSE(AnonymousRefusal("0.0.0.0", false, true).has_value());
  const auto refusal = AnonymousRefusal("0.0.0.0", false, false);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->find('\n'), std::string::npos);
  EXPECT_NE(refusal->find("--allow-anonymous"), std::string::npos);
}

}  // namespace
}  // namespace sluice::cli
