// The engine test fixture: a catalog, a local object store with bucket "lake", an
// Engine, and database "events" as the default.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/testing/test_util.h"
#include "objects/local_store.h"
#include "query/query.h"

namespace sluice::query {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_ = catalog::Catalog::Open(dir_.File("catalog.db")).value();
    std::filesystem::create_directories(dir_.File("data"));
    store_ = objects::LocalObjectStore::Open({.dir = dir_.File("data"), .sync = false}).value();
    ASSERT_TRUE(store_->CreateBucket("lake").ok());
    engine_ = std::make_unique<Engine>(*catalog_, *store_);
    Ok("CREATE DATABASE events");
  }
  QueryResult Ok(std::string_view sql) {
    auto r = engine_->Execute(sql, {.database = "events"});
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? std::move(*r) : QueryResult{};
  }
  Status Fails(std::string_view sql) {
    auto r = engine_->Execute(sql, {.database = "events"});
    EXPECT_FALSE(r.ok()) << sql;
    return r.ok() ? Status::OK() : r.status();
  }
  void Put(const std::string& key, std::string_view data) { ASSERT_TRUE(store_->Put("lake", key, data, {}).ok()); }
  std::string One(std::string_view sql) {
    const QueryResult r = Ok(sql);
    if (r.rows.size() != 1 || r.rows[0].size() != 1) return "<shape>";
    return r.rows[0][0].value_or("NULL");
  }

  catalog::testing::TempDir dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<objects::LocalObjectStore> store_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace sluice::query
