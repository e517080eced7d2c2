#include "awsproto/schema.h"

#include <deque>
#include <memory>

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

std::optional<SchemaError> Check(std::string json, std::span<const FieldSpec> spec = kSpec) {
  // Kept for the test's life: messages and values view them.
  static std::deque<std::unique_ptr<ParsedBody>> bodies;
  static std::deque<BlobArena> blobs;
  const size_t size = json.size();
  auto p = ParseJsonBody(std::move(json));
  EXPECT_TRUE(p.ok());
  bodies.push_back(std::move(*p));
  return CheckRequest(bodies.back()->mutable_root(), spec, blobs.emplace_back(size));
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

TEST(AwsSchema, LongsKeepEpochMillisecondsThatIntegersWouldClamp) {
  const FieldSpec spec[] = {{.name = "startTime", .type = FieldType::kLong, .min_value = 0}};
  static std::deque<std::unique_ptr<ParsedBody>> bodies;
  auto p = ParseJsonBody(R"({"startTime":1796105533223})");
  ASSERT_TRUE(p.ok());
  bodies.push_back(std::move(*p));
  BlobArena blobs(64);
  Value& root = bodies.back()->mutable_root();
  EXPECT_FALSE(CheckRequest(root, spec, blobs));
  EXPECT_EQ(root.Get("startTime")->i, 1796105533223);
  const auto negative = Check(R"({"startTime":-1})", spec);
  ASSERT_TRUE(negative);
  EXPECT_EQ(negative->message,
            "1 validation error detected: Value '-1' at 'startTime' failed to satisfy constraint: Member must "
            "have value greater than or equal to 0");
}

TEST(AwsSchema, HugeNumbersSaturateInsteadOfOverflowing) {
  // Found by fuzz/cbor_codec (a -7e30 Limit): converting a double beyond int64 is
  // undefined behaviour; so is multiplying huge epoch seconds by 1000. They saturate.
  const auto e = Check(R"({"ShardCount":-7e30,"StreamName":"s"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "1 validation error detected: Value '-9223372036854775808' at 'shardCount' failed to "
            "satisfy constraint: Member must have value greater than or equal to 1");
  // Timestamps: HugeIntegersAndTimesSaturateInsteadOfWrapping below.
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
  const auto e = Check(R"({"Records":[)" + records + "]}", spec);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message.substr(0, 30), "10 validation errors detected:");
}

TEST(AwsSchema, NonFiniteNumbersAreSerializationErrorsWhereIntegersOrTimesAreExpected) {
  const FieldSpec spec[] = {{.name = "N", .type = FieldType::kInteger}, {.name = "T", .type = FieldType::kTimestamp}};
  auto e = Check(R"({"N":1e999})", spec);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->serialization);
  EXPECT_EQ(e->message, "'Infinity' can not be converted to an Integer");
  e = Check(R"({"N":-1e999})", spec);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "'-Infinity' can not be converted to an Integer");
  e = Check(R"({"T":1e999})", spec);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "'Infinity' can not be converted to milliseconds since epoch");
  // CBOR NaN (half precision), for both.
  for (const char* field : {"N", "T"}) {
    auto p = ParseCborBody(std::string("\xa1\x61") + field + std::string("\xf9\x7e\x00", 3));
    ASSERT_TRUE(p.ok());
    BlobArena blobs(8);
    const auto err = CheckRequest((*p)->mutable_root(), spec, blobs);
    ASSERT_TRUE(err) << field;
    EXPECT_TRUE(err->serialization);
    EXPECT_EQ(err->message.substr(0, 30), "'NaN' can not be converted to ");
  }
}

TEST(AwsSchema, HugeIntegersAndTimesSaturateInsteadOfWrapping) {
  const FieldSpec spec[] = {{.name = "N", .type = FieldType::kInteger}, {.name = "T", .type = FieldType::kTimestamp}};
  for (const char* body : {R"({"T":1e300})", R"({"T":9223372036854775807})", R"({"T":1e17})",
                           R"({"T":100000000000000000000})"}) {
    auto p = ParseJsonBody(body);
    ASSERT_TRUE(p.ok());
    BlobArena blobs(0);
    EXPECT_FALSE(CheckRequest((*p)->mutable_root(), spec, blobs)) << body;
    EXPECT_EQ((*p)->root().Get("T")->kind, Value::Kind::kTimestampMs);
    EXPECT_EQ((*p)->root().Get("T")->i, INT64_MAX) << body;
  }
  auto p = ParseJsonBody(R"({"T":-1e300,"N":-1e300})");
  ASSERT_TRUE(p.ok());
  BlobArena blobs(0);
  EXPECT_FALSE(CheckRequest((*p)->mutable_root(), spec, blobs));
  EXPECT_EQ((*p)->root().Get("T")->i, INT64_MIN);
  EXPECT_EQ((*p)->root().Get("N")->i, INT64_MIN);
  p = ParseJsonBody(R"({"T":1700000000.5})");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(CheckRequest((*p)->mutable_root(), spec, blobs));
  EXPECT_EQ((*p)->root().Get("T")->i, 1700000000500);
}

TEST(AwsSchema, LengthsCountUtf16CodeUnits) {
  EXPECT_EQ(Utf16Length("abc"), 3);
  EXPECT_EQ(Utf16Length("\xc3\xa9"), 1);          // é
  EXPECT_EQ(Utf16Length("\xe2\x82\xac"), 1);      // €
  EXPECT_EQ(Utf16Length("\xf0\x9f\x98\x80"), 2);  // 😀, a surrogate pair
}

}  // namespace
}  // namespace sluice::awsproto
