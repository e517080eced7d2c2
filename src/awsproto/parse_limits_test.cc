// Parse amplification (issue 11): no body, however pathological, makes a parse hold
// more than 4x its size, and no nesting exhausts the stack.
#include <gtest/gtest.h>

#include <string>

#include "awsproto/codec.h"
#include "awsproto/schema.h"

namespace sluice::awsproto {
namespace {

constexpr size_t k16MiB = 16u << 20;

// The shape of Kinesis PutRecords, the largest request shape.
const FieldSpec kEntry[] = {
    {.name = "PartitionKey", .not_null = true, .min_len = 1, .max_len = 256},
    {.name = "ExplicitHashKey"},
    {.name = "Data", .type = FieldType::kBlob, .not_null = true}};
const FieldSpec kPutRecords[] = {
    {.name = "Records", .type = FieldType::kList, .not_null = true, .min_len = 1, .max_len = 500, .members = kEntry},
    {.name = "StreamName"},
    {.name = "StreamARN"}};

struct Case {
  const char* name;
  std::string body;
  bool cbor;
};

std::vector<Case> Pathological() {
  std::vector<Case> cases;
  cases.push_back({"json [[[[", std::string(k16MiB, '['), false});
  std::string zeros = R"({"a":[)";
  while (zeros.size() < k16MiB - 2) zeros += "0,";
  zeros += "0]}";
  cases.push_back({"json {a:[0,0,...]}", std::move(zeros), false});
  std::string records = R"({"StreamName":"s","Records":[)";
  while (records.size() < k16MiB - 64) records += R"({"PartitionKey":"a","Data":""},)";
  records += R"({"PartitionKey":"a","Data":""}]})";
  cases.push_back({"json 500k empty records", std::move(records), false});
  // CBOR: an array of 16M one-byte integers (definite length), and 16M nested arrays.
  std::string ints = "\x9a\x01\x00\x00\x00";
  ints.resize(5 + (16u << 20), '\0');
  cases.push_back({"cbor [0 x 16M]", std::move(ints), true});
  cases.push_back({"cbor [_ [_ [_ ...", std::string(k16MiB, '\x9f'), true});
  std::string map = "\xbf\x61" "a\x9f";
  map.resize(k16MiB - 1, '\x00');
  map += "\xff\xff";
  cases.push_back({"cbor {_ a: [_ 0, 0, ...]}", std::move(map), true});
  return cases;
}

Result<std::unique_ptr<ParsedBody>> Parse(const Case& c, const ParseLimits& limits, size_t* accounted) {
  std::string body = c.body;
  body.shrink_to_fit();
  return c.cbor ? ParseCborBody(std::move(body), limits, accounted)
                : ParseJsonBody(std::move(body), limits, accounted);
}

TEST(ParseLimits, PathologicalBodiesFailCleanlyWithinFourTimesTheirSize) {
  for (const Case& c : Pathological()) {
    for (const ParseLimits& limits : {ParseLimits{}, LimitsFor(kPutRecords),
                                      ParseLimits{.max_depth = 1 << 30, .max_nodes = UINT32_MAX}}) {
      size_t accounted = 0;
      const auto r = Parse(c, limits, &accounted);
      EXPECT_FALSE(r.ok()) << c.name;
      EXPECT_GT(accounted, c.body.size()) << c.name << ": the body counts";
      EXPECT_LE(accounted, 4 * c.body.size()) << c.name;
      // Only a caller asking for more than kMaxParseNodes gets more, and never more than
      // kMaxShapeParseNodes.
      const uint64_t cap = limits.max_nodes > kMaxParseNodes ? kMaxShapeParseNodes : kMaxParseNodes;
      EXPECT_LE(accounted - c.body.size(), cap * sizeof(Value)) << c.name;
      EXPECT_LE(accounted - c.body.size(), ParseMemoryBound(c.body.size(), limits.max_nodes)) << c.name;
    }
  }
}

TEST(ParseLimits, AMillionOpenBracketsDoNotOverflowTheStack) {
  // Even when a caller asks for unbounded depth: the readers cap it (kMaxParseDepth).
  const ParseLimits unbounded{.max_depth = 1 << 30, .max_nodes = UINT32_MAX};
  EXPECT_FALSE(ParseJsonBody(std::string(1 << 20, '['), unbounded).ok());
  EXPECT_FALSE(ParseCborBody(std::string(1 << 20, '\x81'), unbounded).ok());
  EXPECT_FALSE(ParseCborBody(std::string(1 << 20, '\xc1'), unbounded).ok()) << "a million tags";
  std::string deep(kMaxParseDepth, '[');
  EXPECT_TRUE(ParseJsonBody(deep + std::string(kMaxParseDepth, ']'), unbounded).ok());
  deep += '[';
  EXPECT_FALSE(ParseJsonBody(deep + std::string(kMaxParseDepth + 1, ']'), unbounded).ok());
}

TEST(ParseLimits, ALargeValidBodyCostsLittleMoreThanItself) {
  // One 16 MiB record, as a PutRecords of it would carry (base64 text).
  std::string body = R"({"StreamName":"s","Records":[{"PartitionKey":"a","Data":")";
  body += std::string(k16MiB - 128, 'A');
  body.resize(body.size() / 4 * 4);
  body += R"("}]})";
  body.shrink_to_fit();
  size_t accounted = 0;
  const size_t size = body.size();
  auto p = ParseJsonBody(std::move(body), LimitsFor(kPutRecords), &accounted);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_LE(accounted, size + kMaxParseNodes * sizeof(Value));
  EXPECT_EQ((*p)->accounted_bytes(), accounted);
}

TEST(ParseLimits, ShapesBoundNodesAndDepth) {
  const ParseLimits l = LimitsFor(kPutRecords);
  // root + Records (key, list, 500 x (map + 3 x (key + value))) + 2 x (key + value)
  EXPECT_EQ(l.max_nodes, 2 * (1 + 2 + 500 * 7 + 4) + 64);
  EXPECT_LE(l.max_nodes, kMaxParseNodes);
  EXPECT_EQ(l.max_depth, 4 + 2);  // root, Records, entry, scalar; and 2 to spare
  const ParseLimits empty = LimitsFor({});
  EXPECT_EQ(empty.max_nodes, 2u + 64u);
  EXPECT_EQ(empty.max_depth, 1 + 2);
}

// A shape whose lists hold far more than kMaxParseNodes values when full.
const FieldSpec kDatum[] = {
    {.name = "MetricName"},
    {.name = "Values", .type = FieldType::kList, .max_len = 150}};
const FieldSpec kManyDatums[] = {
    {.name = "MetricData", .type = FieldType::kList, .max_len = 1000, .members = kDatum}};

TEST(ParseLimits, OnlyAShapeThatAsksGetsMoreThanTheDefaultNodes) {
  // root + MetricData (key, list, 1000 x (map + 2 + key + list + 150)): 155,003 nodes when full.
  EXPECT_EQ(LimitsFor(kManyDatums).max_nodes, kMaxParseNodes) << "the default cap holds for every other shape";
  EXPECT_EQ(LimitsFor(kManyDatums, kMaxShapeParseNodes).max_nodes, 2u * 155'003 + 64);
  EXPECT_EQ(LimitsFor(kManyDatums, UINT32_MAX).max_nodes, 2u * 155'003 + 64);
  EXPECT_EQ(LimitsFor(kPutRecords, kMaxShapeParseNodes).max_nodes, LimitsFor(kPutRecords).max_nodes)
      << "a small shape gets what it needs, whatever it may ask";
  EXPECT_EQ(LimitsFor(kManyDatums, 100000).max_nodes, 100000u);

  std::string body = R"({"MetricData":[)";
  for (int i = 0; i < 1000; ++i) {
    body += std::string(i ? "," : "") + R"({"MetricName":"m","Values":[)";
    for (int v = 0; v < 150; ++v) body += std::string(v ? "," : "") + "1";
    body += "]}";
  }
  body += "]}";
  EXPECT_FALSE(ParseJsonBody(body, LimitsFor(kManyDatums)).ok());
  size_t accounted = 0;
  auto p = ParseJsonBody(body, LimitsFor(kManyDatums, kMaxShapeParseNodes), &accounted);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_LE(accounted, body.capacity() + ParseMemoryBound(body.size(), kMaxShapeParseNodes));
  // Whatever is asked, the array stops at kMaxShapeParseNodes.
  EXPECT_EQ(ParseMemoryBound(64u << 20, UINT32_MAX), 3ull * (64u << 20));
  EXPECT_LE(ParseMemoryBound(1 << 20, UINT32_MAX), (1u << 20) / 4 * 3 + 3 + kMaxShapeParseNodes * sizeof(Value));
}

TEST(ParseLimits, ListsAlittleOverTheirLimitStillParse) {
  // 600 records: AWS answers ValidationException naming the length, which needs the parse.
  std::string body = R"({"StreamName":"s","Records":[)";
  for (int i = 0; i < 600; ++i) body += std::string(i ? "," : "") + R"({"PartitionKey":"a","Data":""})";
  body += "]}";
  EXPECT_TRUE(ParseJsonBody(body, LimitsFor(kPutRecords)).ok());
}

TEST(ParseLimits, BlobsDecodeIntoAtMostThreeQuartersOfTheBody) {
  std::string body = R"({"Records":[)";
  for (int i = 0; i < 500; ++i) body += std::string(i ? "," : "") + R"({"PartitionKey":"a","Data":"AAAAAAAAAAAA"})";
  body += "]}";
  const size_t size = body.size();
  auto p = ParseJsonBody(std::move(body), LimitsFor(kPutRecords));
  ASSERT_TRUE(p.ok());
  BlobArena blobs(size);
  const auto e = CheckRequest((*p)->mutable_root(), kPutRecords, blobs);
  EXPECT_FALSE(e.has_value()) << e->message;
  EXPECT_LE(blobs.accounted_bytes(), size / 4 * 3 + 3 + 32);
  EXPECT_EQ((*p)->root().Get("Records")->items().begin().operator*().Get("Data")->s(), std::string(9, '\0'));
}

TEST(ParseLimits, MemoryBoundIsThreeTimesTheBodyAboveSixtyFourKiB) {
  EXPECT_EQ(ParseMemoryBound(1 << 20), 3u << 20);
  EXPECT_EQ(ParseMemoryBound(k16MiB), 3 * k16MiB);
  EXPECT_LE(ParseMemoryBound(100), 3 * 100 + kMaxParseNodes * sizeof(Value));
  EXPECT_GE(ParseMemoryBound(100), 101 * sizeof(Value) + 75);
}

}  // namespace
}  // namespace sluice::awsproto
