#include "producer/record_builder.h"

#include "base/linear_pattern.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace sluice::producer {
namespace {

TEST(RecordBuilder, ObjectHasHeaderKeysInOrderPlusEventId) {
  Result<RecordBuilder> b = RecordBuilder::Create({"TRIP_ID", "ORIGIN_CALL", "POLYLINE"});
  ASSERT_TRUE(b.ok());
  Rng rng(1);
  std::string json, id;
  b->Build({"T1", "NA", "[[-8.6,41.1]]"}, rng, &json, &id);
  EXPECT_EQ(json, "{\"TRIP_ID\":\"T1\",\"ORIGIN_CALL\":\"NA\",\"POLYLINE\":\"[[-8.6,41.1]]\",\"event_id\":\"" + id + "\"}");
  const nlohmann::json parsed = nlohmann::json::parse(json);
  EXPECT_TRUE(parsed["POLYLINE"].is_string()) << "values stay strings, as in the reference";
  EXPECT_EQ(parsed["event_id"], id);
}

TEST(RecordBuilder, ValuesNeedingEscapesStayValidJson) {
  Result<RecordBuilder> b = RecordBuilder::Create({"a\"b", "c"});
  ASSERT_TRUE(b.ok());
  Rng rng(1);
  std::string json, id;
  b->Build({"x\"y\\z", "line\nbreak"}, rng, &json, &id);
  const nlohmann::json parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["a\"b"], "x\"y\\z");
  EXPECT_EQ(parsed["c"], "line\nbreak");
}

TEST(RecordBuilder, RejectsBadHeaders) {
  EXPECT_FALSE(RecordBuilder::Create({}).ok());
  EXPECT_FALSE(RecordBuilder::Create({"a", "a"}).ok());
  EXPECT_FALSE(RecordBuilder::Create({"a", "event_id"}).ok());
  EXPECT_EQ(*RecordBuilder::Create({"a", "b"})->ColumnIndex("b"), 1u);
  EXPECT_FALSE(RecordBuilder::Create({"a", "b"})->ColumnIndex("c").has_value());
}

TEST(Uuid, IsVersion4WithRfcVariantAndUnique) {
  Rng rng(42);
  const auto shape = LinearPattern::Compile(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", PatternSyntax::kEcma);
  ASSERT_TRUE(shape.ok()) << shape.error();
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = UuidV4(rng);
    ASSERT_TRUE(shape->FullMatch(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 10000u);
}

}  // namespace
}  // namespace sluice::producer
