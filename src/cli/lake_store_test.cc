#include "cli/lake_store.h"

#include <map>

#include <gtest/gtest.h>

#include "objects/local_store.h"
#include "objects/test_dir.h"

namespace sluice::cli {
namespace {

aws::EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    if (auto it = vars.find(std::string(name)); it != vars.end()) return it->second;
    return std::nullopt;
  };
}

std::unique_ptr<objects::LocalObjectStore> Local() {
  auto store = objects::LocalObjectStore::Open({.dir = objects::FreshTestDir("sluice-lake").string(), .sync = false});
  EXPECT_TRUE(store.ok());
  return std::move(store).value();
}

TEST(LakeStore, WithoutAnEndpointTheLakeIsTheLocalStore) {
  auto local = Local();
  auto lake = LakeStore::Open("", *local, Env({}));
  ASSERT_TRUE(lake.ok()) << lake.status().message();
  EXPECT_FALSE(lake->remote());
  EXPECT_EQ(&lake->store(), local.get());
}

TEST(LakeStore, AnEndpointPutsTheLakeInARemoteStoreSignedWithTheEnvironmentsKeys) {
  auto local = Local();
  auto lake = LakeStore::Open("http://127.0.0.1:9", *local,
                              Env({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "secret"},
                                   {"HOME", "/nonexistent"}}));
  ASSERT_TRUE(lake.ok()) << lake.status().message();
  EXPECT_TRUE(lake->remote());
  EXPECT_NE(&lake->store(), local.get());
  // Nothing listens on port 9: the remote store is really asked (and the error is its).
  EXPECT_FALSE(lake->store().HeadBucket("lake").ok());
}

TEST(LakeStore, AnEndpointWithoutCredentialsIsRefusedNamingTheFlag) {
  auto local = Local();
  auto lake = LakeStore::Open("http://127.0.0.1:9", *local,
                              Env({{"HOME", "/nonexistent"}, {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/c"},
                                   {"AWS_CONFIG_FILE", "/nonexistent/f"}}));
  ASSERT_FALSE(lake.ok());
  EXPECT_EQ(lake.status().message().rfind("--lake-endpoint http://127.0.0.1:9: no AWS credentials", 0), 0u)
      << lake.status().message();
}

}  // namespace
}  // namespace sluice::cli
