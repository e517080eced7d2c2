#include "awsproto/schema.h"

#include <gtest/gtest.h>

#include "awsproto/codec.h"

namespace sluice::awsproto {
namespace {

bool Name(std::string_view s) { return MatchesNameChars(s); }
bool HashKey(std::string_view s) { return MatchesDecimal(s, 39); }
const Pattern kName{"[a-zA-Z0-9_.-]+", &Name};
const Pattern kHashKey{"0|([1-9]\\d{0,38})", &HashKey};

constexpr std::string_view kModes[] = {"PROVISIONED", "ON_DEMAND"};
const FieldSpec kEntry[] = {
    {.name = "PartitionKey", .not_null = true, .min_len = 1, .max_len = 256},
    {.name = "Data", .type = FieldType::kBlob, .not_null = true, .max_len = 4}};
const FieldSpec kSpec[] = {
    {.name = "ShardCount", .type = FieldType::kInteger, .not_null = true, .min_value = 1, .max_value = 100000},
    {.name = "StreamName", .not_null = true, .pattern = &kName, .min_len = 1, .max_len = 128},
    {.name = "Mode", .enum_values = kModes},
    {.name = "Records", .type = FieldType::kList, .min_len = 1, .max_len = 2, .members = kEntry},
    {.name = "Hash", .pattern = &kHashKey},
};

std::optional<SchemaError> Check(std::string json) {
  auto p = ParseJsonBody(std::move(json));
  EXPECT_TRUE(p.ok());
  static std::deque<std::string> arena;
  Value root = (*p)->root();
  return CheckRequest(root, kSpec, arena);
}

TEST(AwsSchema, WellFormedRequestPasses) {
  EXPECT_FALSE(Check(R"({"ShardCount":2,"StreamName":"a.b-c_d","Records":[{"PartitionKey":"k","Data":"AAE="}],"Hash":"0"})"));
}

TEST(AwsSchema, EmptyStreamNameGivesTwoErrorsInAwsWording) {
  const auto e = Check(R"({"ShardCount":1,"StreamName":""})");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->serialization);
  EXPECT_EQ(e->message,
            "2 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at "
            "'streamName' failed to satisfy constraint: Member must have length greater than or "
            "equal to 1");
}

TEST(AwsSchema, MissingRequiredMembersAreNullErrors) {
  const auto e = Check("{}");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "2 validation errors detected: Value null at 'shardCount' failed to satisfy "
            "constraint: Member must not be null; Value null at 'streamName' failed to satisfy "
            "constraint: Member must not be null");
}

TEST(AwsSchema, IntegersAreFlooredAndClampedBeforeRangeChecks) {
  const auto e = Check(R"({"ShardCount":100000000000,"StreamName":"s"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "1 validation error detected: Value '2147483647' at 'shardCount' failed to satisfy "
            "constraint: Member must have value less than or equal to 100000");
  EXPECT_FALSE(Check(R"({"ShardCount":1.9,"StreamName":"s"})"));
}

TEST(AwsSchema, HugeNumbersSaturateInsteadOfOverflowing) {
  // Found by fuzz/cbor_codec (a -7e30 Limit): converting a double beyond int64 is
  // undefined behaviour; so is multiplying huge epoch seconds by 1000. They saturate.
  const auto e = Check(R"({"ShardCount":-7e30,"StreamName":"s"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "1 validation error detected: Value '-9223372036854775808' at 'shardCount' failed to "
            "satisfy constraint: Member must have value greater than or equal to 1");
  const FieldSpec spec[] = {{.name = "T", .type = FieldType::kTimestamp}};
  std::deque<std::string> arena;
  for (const auto& [json, ms] : {std::pair{R"({"T":1e300})", INT64_MAX}, {R"({"T":-1e300})", INT64_MIN},
                                 {R"({"T":100000000000000000})", INT64_MAX},
                                 {R"({"T":-100000000000000000})", INT64_MIN}}) {
    auto p = ParseJsonBody(json);
    ASSERT_TRUE(p.ok());
    Value root = (*p)->root();
    EXPECT_FALSE(CheckRequest(root, spec, arena)) << json;
    EXPECT_EQ(root.Get("T")->kind, Value::Kind::kTimestampMs) << json;
    EXPECT_EQ(root.Get("T")->i, ms) << json;
  }
}

TEST(AwsSchema, WrongTypesAreSerializationErrors) {
  auto e = Check(R"({"ShardCount":"1","StreamName":"s"})");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->serialization);
  EXPECT_EQ(e->message, "class java.lang.String can not be converted to an Integer");
  e = Check(R"({"ShardCount":1,"StreamName":true})");
  EXPECT_EQ(e->message, "class java.lang.Boolean can not be converted to an String");
  e = Check(R"({"ShardCount":1,"StreamName":["a"]})");
  EXPECT_EQ(e->message, "Start of list found where not expected");
  e = Check(R"({"ShardCount":1,"StreamName":"s","Records":{}})");
  EXPECT_EQ(e->message, "Start of structure or map found where not expected.");
}

TEST(AwsSchema, BadBase64IsSerializationErrorWithAwsText) {
  auto e = Check(R"({"ShardCount":1,"StreamName":"s","Records":[{"PartitionKey":"k","Data":"abc"}]})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3");
  e = Check(R"({"ShardCount":1,"StreamName":"s","Records":[{"PartitionKey":"k","Data":"ab!="}]})");
  EXPECT_EQ(e->message, "'ab!=' can not be converted to a Blob: Invalid Base64 character: '!'");
}

TEST(AwsSchema, ListMembersAreValidatedWithOneBasedPaths) {
  const auto e = Check(R"({"ShardCount":1,"StreamName":"s","Records":[{"PartitionKey":"k","Data":""},{"PartitionKey":"","Data":"AAAAAAAA"}]})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "2 validation errors detected: Value '' at 'records.2.member.partitionKey' failed to "
            "satisfy constraint: Member must have length greater than or equal to 1; Value "
            "'java.nio.HeapByteBuffer[pos=0 lim=6 cap=6]' at 'records.2.member.data' failed to "
            "satisfy constraint: Member must have length less than or equal to 4");
}

TEST(AwsSchema, EnumAndPatternViolations) {
  const auto e = Check(R"({"ShardCount":1,"StreamName":"s","Mode":"FAST","Hash":"01"})");
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]"), std::string::npos);
  EXPECT_NE(e->message.find("Value '01' at 'hash' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})"), std::string::npos);
}

TEST(AwsSchema, AtMostTenErrorsAreReported) {
  std::string records;
  for (int i = 0; i < 12; ++i) records += std::string(i ? "," : "") + R"({"PartitionKey":"","Data":""})";
  const FieldSpec spec[] = {{.name = "Records", .type = FieldType::kList, .members = kEntry}};
  auto p = ParseJsonBody(R"({"Records":[)" + records + "]}");
  ASSERT_TRUE(p.ok());
  std::deque<std::string> arena;
  Value root = (*p)->root();
  const auto e = CheckRequest(root, spec, arena);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message.substr(0, 30), "10 validation errors detected:");
}

TEST(AwsSchema, LengthsCountUtf16CodeUnits) {
  EXPECT_EQ(Utf16Length("abc"), 3);
  EXPECT_EQ(Utf16Length("\xc3\xa9"), 1);          // é
  EXPECT_EQ(Utf16Length("\xe2\x82\xac"), 1);      // €
  EXPECT_EQ(Utf16Length("\xf0\x9f\x98\x80"), 2);  // 😀, a surrogate pair
}

}  // namespace
}  // namespace sluice::awsproto
