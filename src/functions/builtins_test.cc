#include "functions/builtins.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "functions/testing/fake_sink.h"
#include "internal/builtin_impl.h"
#include "internal/kinesis_event.h"
#include "internal/record_schema.h"
#include "metrics/testing/recording_registry.h"
#include "objects/local_store.h"
#include "objects/test_dir.h"

namespace sluice::functions {
namespace {

using nlohmann::json;

class BuiltinsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = objects::LocalObjectStore::Open({.dir = objects::FreshTestDir("functions-builtins").string(), .sync = false});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    ASSERT_TRUE(store_->CreateBucket("out").ok());
  }
  std::unique_ptr<BuiltinFunction> Make(std::string_view name, std::map<std::string, std::string> vars) {
    auto b = MakeBuiltin(name, {.variables = std::move(vars), .store = store_.get(), .sink = &sink_});
    EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().message);
    return b.ok() ? std::move(*b) : nullptr;
  }
  std::vector<std::string> Keys() {
    auto l = store_->List("out", {});
    std::vector<std::string> keys;
    for (const auto& o : l->objects) keys.push_back(o.key);
    return keys;
  }
  std::unique_ptr<objects::ObjectStore> store_;
  testing::FakeSink sink_;
};

// 2023-11-14T22:13:20.123Z
constexpr int64_t kArrival = 1'700'000'000'123;

// Records owning their bytes; `views` point into them.
struct Batch {
  explicit Batch(std::vector<std::string> d) : data(std::move(d)) {
    for (size_t i = 0; i < data.size(); ++i) seqs.push_back(std::to_string(49000 + i));
    for (size_t i = 0; i < data.size(); ++i) {
      views.push_back({"shardId-000000000001", seqs[i], "pk", data[i], kArrival});
    }
  }
  Batch(const Batch&) = delete;
  std::vector<std::string> data, seqs;
  std::vector<KinesisRecordView> views;
};

TEST(BuiltinNames, HandlerPrefixSelectsABuiltin) {
  EXPECT_EQ(BuiltinNameFromHandler("sluice.builtin.write_to_s3"), "write_to_s3");
  EXPECT_EQ(BuiltinNameFromHandler("handler.main"), "");
}

TEST_F(BuiltinsTest, UnknownNameOrMissingVariableIsRefusedWithTheReason) {
  auto unknown = MakeBuiltin("nope", {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("no built-in function named nope"), std::string::npos);
  auto no_bucket = MakeBuiltin("write_to_s3", {.store = store_.get()});
  ASSERT_FALSE(no_bucket.ok());
  EXPECT_NE(no_bucket.error().message.find("OUTPUT_BUCKET"), std::string::npos);
  auto no_sink = MakeBuiltin("send_to_firehose", {.variables = {{"DELIVERY_STREAM_NAME", "d"}}});
  ASSERT_FALSE(no_sink.ok());
}

TEST_F(BuiltinsTest, WriteToS3WritesOneJsonArrayWithEventIdsUnderTheReferenceLayout) {
  auto f = Make("write_to_s3", {{"OUTPUT_BUCKET", "out"}});
  const Batch recs({R"({"TRIP_ID": "1", "n": 1})", R"( {"TRIP_ID":"2","event_id":"old"} )", "{}"});
  const InvokeOutcome r = f->HandleRecords(recs.views);
  ASSERT_EQ(r.function_error, FunctionError::kNone) << r.payload;
  const auto keys = Keys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_TRUE(keys[0].starts_with("context=write_to_s3/date=2023-11-14/2023_11_14_22_")) << keys[0];
  EXPECT_TRUE(keys[0].ends_with(".json"));
  auto got = store_->Get("out", keys[0]);
  ASSERT_TRUE(got.ok());
  const json body = json::parse(got->data);
  ASSERT_EQ(body.size(), 3u);
  EXPECT_EQ(body[0], json::parse(R"({"TRIP_ID":"1","n":1,"event_id":"49000"})"));
  EXPECT_EQ(body[1], json::parse(R"({"TRIP_ID":"2","event_id":"49001"})"));
  EXPECT_EQ(body[2], json::parse(R"({"event_id":"49002"})"));
}

TEST_F(BuiltinsTest, WriteToS3ReplacesAnEventIdInPlaceKeepingTheOtherMembersAsTheyAre) {
  // As json.loads + record["event_id"] = ...: the member keeps its position (a duplicate
  // collapses into it), the others keep their order and values.
  auto f = Make("write_to_s3", {{"OUTPUT_BUCKET", "out"}});
  const Batch recs({R"({"n": 1.50, "event_id": "old", "TRIP_ID": "2", "p": [[-8.6, 41.1]], "s": "\u00e9\"", "event_id": 7})"});
  ASSERT_EQ(f->HandleRecords(recs.views).function_error, FunctionError::kNone);
  auto got = store_->Get("out", Keys().at(0));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->data, R"([{"n":1.5,"event_id":"49000","TRIP_ID":"2","p":[[-8.6,41.1]],"s":"é\""}])");
}

TEST_F(BuiltinsTest, WriteToS3RetryOfTheSameBatchOverwritesItsObject) {
  auto f = Make("write_to_s3", {{"OUTPUT_BUCKET", "out"}});
  const Batch recs({R"({"a":1})", R"({"a":2})"});
  ASSERT_EQ(f->HandleRecords(recs.views).function_error, FunctionError::kNone);
  ASSERT_EQ(f->HandleRecords(recs.views).function_error, FunctionError::kNone);
  EXPECT_EQ(Keys().size(), 1u);
  // Another range is another object.
  ASSERT_EQ(f->HandleRecords(std::span(recs.views).subspan(1)).function_error, FunctionError::kNone);
  EXPECT_EQ(Keys().size(), 2u);
}

TEST_F(BuiltinsTest, WriteToS3FailsTheBatchOnARecordThatIsNotAJsonObject) {
  auto f = Make("write_to_s3", {{"OUTPUT_BUCKET", "out"}});
  const Batch recs({R"({"a":1})", "not json"});
  const InvokeOutcome r = f->HandleRecords(recs.views);
  EXPECT_EQ(r.function_error, FunctionError::kUnhandled);
  EXPECT_NE(r.payload.find("49001"), std::string::npos);
  EXPECT_TRUE(Keys().empty());
}

TEST_F(BuiltinsTest, WriteToS3HandlesTheLambdaEventLikeTheFastPath) {
  auto f = Make("write_to_s3", {{"OUTPUT_BUCKET", "out"}});
  const Batch recs({R"({"a":1})"});
  const std::string event = internal::BuildKinesisEvent(recs.views, {"arn:aws:kinesis:us-east-1:000000000000:stream/s", "us-east-1", "arn:aws:iam::000000000000:role/r"});
  ASSERT_EQ(f->HandleEvent(event).function_error, FunctionError::kNone);
  const auto keys = Keys();
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], internal::WriteToS3Key(recs.views));
  EXPECT_EQ(f->HandleEvent("{}").function_error, FunctionError::kUnhandled);
}

TEST_F(BuiltinsTest, SendToFirehoseSendsJsonLinesInPutRecordBatchSizedGroups) {
  auto f = Make("send_to_firehose", {{"DELIVERY_STREAM_NAME", "lake"}});
  std::vector<std::string> data;
  for (int i = 0; i < 1201; ++i) data.push_back("{\"i\": " + std::to_string(i) + ",\n \"s\": \"x'y\"}");
  const Batch recs(data);
  const InvokeOutcome r = f->HandleRecords(recs.views);
  ASSERT_EQ(r.function_error, FunctionError::kNone) << r.payload;
  const auto calls = sink_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].stream, "lake");
  EXPECT_EQ(calls[0].records.size(), 500u);
  EXPECT_EQ(calls[2].records.size(), 201u);
  EXPECT_EQ(calls[0].records[7], "{\"i\":7,\"s\":\"x'y\"}\n");
}

TEST_F(BuiltinsTest, SendToFirehoseCutsGroupsAtFourMebibytes) {
  auto f = Make("send_to_firehose", {{"DELIVERY_STREAM_NAME", "lake"}});
  const std::string big = "{\"s\":\"" + std::string(900'000, 'a') + "\"}";
  const Batch recs(std::vector<std::string>(10, big));
  const InvokeOutcome r = f->HandleRecords(recs.views);
  ASSERT_EQ(r.function_error, FunctionError::kNone);
  const auto calls = sink_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].records.size(), 4u);
  for (const auto& c : calls) {
    size_t bytes = 0;
    for (const auto& rec : c.records) bytes += rec.size();
    EXPECT_LE(bytes, kSinkMaxBytesPerCall);
  }
}

TEST_F(BuiltinsTest, SendToFirehoseSinkFailureIsAFunctionError) {
  auto f = Make("send_to_firehose", {{"DELIVERY_STREAM_NAME", "lake"}});
  sink_.set_fail(true);
  const Batch recs({R"({"a":1})"});
  const InvokeOutcome r = f->HandleRecords(recs.views);
  EXPECT_EQ(r.function_error, FunctionError::kUnhandled);
  EXPECT_NE(r.payload.find("PutRecordBatch"), std::string::npos);
}

TEST(RecordObjectJson, AppendsAfterWhatIsThereAndLeavesItAsItWasOnARecordThatIsNotAnObject) {
  // write_to_s3 builds its array by appending every record into one body.
  std::string out = "[{\"x\":0},";
  ASSERT_TRUE(internal::AppendRecordObjectJson(&out, R"({ "a" : [1, 2], "event_id": "old", "b": {"c": null} })", "7"));
  EXPECT_EQ(out, R"([{"x":0},{"a":[1,2],"event_id":"7","b":{"c":null}})");
  ASSERT_TRUE(internal::AppendRecordObjectJson(&out, R"({})", "8"));
  EXPECT_EQ(out, R"([{"x":0},{"a":[1,2],"event_id":"7","b":{"c":null}}{"event_id":"8"})");
  const std::string before = out;
  EXPECT_FALSE(internal::AppendRecordObjectJson(&out, "[1]", "9"));
  EXPECT_FALSE(internal::AppendRecordObjectJson(&out, "{\"a\":", "9"));
  EXPECT_EQ(out, before);
  // Without an event id, the object minified as it is; the per-record form agrees.
  std::string plain;
  ASSERT_TRUE(internal::AppendRecordObjectJson(&plain, R"({"k": "v", "n": 1.50})", ""));
  EXPECT_EQ(plain, R"({"k":"v","n":1.5})");
  EXPECT_EQ(internal::RecordObjectJson(R"({"k": "v", "n": 1.50})", ""), plain);
}

// Schema validation: SCHEMA_S3_URI names a JSON schema in the object store.
constexpr std::string_view kTripSchema = R"({
  "type": "object", "required": ["TRIP_ID", "CALL_TYPE"],
  "properties": {"TRIP_ID": {"type": "string"}, "CALL_TYPE": {"enum": ["A", "B", "C"]}}})";

class SchemaBuiltinsTest : public BuiltinsTest {
 protected:
  void SetUp() override {
    BuiltinsTest::SetUp();
    ASSERT_TRUE(store_->Put("out", "schema/trip.json", kTripSchema, {}).ok());
  }
  Expected<std::unique_ptr<BuiltinFunction>, InvokeError> MakeNamed(std::string_view builtin, std::string function,
                                                                   std::map<std::string, std::string> vars) {
    return MakeBuiltin(builtin, {.variables = std::move(vars), .store = store_.get(), .sink = &sink_,
                                 .registry = &registry_, .function_name = std::move(function)});
  }
  std::vector<json> DeadLetters() {
    std::vector<json> lines;
    for (const std::string& key : Keys()) {
      if (!key.starts_with("context=dead-letter/")) continue;
      const std::string body = store_->Get("out", key)->data;
      for (size_t at = 0; at < body.size();) {
        const size_t nl = body.find('\n', at);
        lines.push_back(json::parse(body.substr(at, nl - at)));
        at = nl + 1;
      }
    }
    return lines;
  }
  double Invalid(const std::string& function) {
    return registry_.Sum(metrics::MakeId("Sluice/Consumers", "InvalidRecords", {{"FunctionName", function}}));
  }
  metrics::testing::RecordingRegistry registry_;
};

TEST(RecordSchema, ValidRecordsPassInvalidOnesGetTheFirstFailingPlace) {
  auto schema = internal::RecordSchema::Parse(kTripSchema);
  ASSERT_TRUE(schema.ok()) << schema.status().message();
  EXPECT_EQ((*schema)->Validate(R"({"TRIP_ID":"T1","CALL_TYPE":"A"})"), std::nullopt);
  EXPECT_EQ((*schema)->Validate("not json"), "not JSON");
  const std::optional<std::string> wrong = (*schema)->Validate(R"({"TRIP_ID":"T1","CALL_TYPE":"D"})");
  ASSERT_TRUE(wrong);
  EXPECT_NE(wrong->find("CALL_TYPE"), std::string::npos) << *wrong;
  const std::optional<std::string> missing = (*schema)->Validate(R"({"CALL_TYPE":"A"})");
  ASSERT_TRUE(missing);
  EXPECT_NE(missing->find("TRIP_ID"), std::string::npos) << *missing;
  EXPECT_FALSE(internal::RecordSchema::Parse("[1]").ok());
  EXPECT_FALSE(internal::RecordSchema::Parse(R"({"type": 5})").ok());
}

// Validates `record` against `schema`: nullopt when valid, else the reason.
std::optional<std::string> Check(std::string_view schema, std::string_view record) {
  auto s = internal::RecordSchema::Parse(schema);
  EXPECT_TRUE(s.ok()) << schema << ": " << s.status().message();
  return s.ok() ? (*s)->Validate(record) : std::optional<std::string>("no schema");
}

TEST(RecordSchema, PatternIsFoundAnywhereInTheStringUnlessAnchored) {
  constexpr std::string_view kSchema = R"({"properties": {
      "TAXI_ID": {"type": "string", "pattern": "^[0-9]{8}$"},
      "TRIP_ID": {"pattern": "[0-9]+"},
      "n": {"pattern": "^x"}}})";
  EXPECT_EQ(Check(kSchema, R"({"TAXI_ID": "20000589", "TRIP_ID": "T1372636858620000589", "n": 5})"), std::nullopt)
      << "a pattern ignores what is not a string";
  const std::optional<std::string> bad = Check(kSchema, R"({"TAXI_ID": "2000058"})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(*bad, "<root>[TAXI_ID]: Failed to match the pattern '^[0-9]{8}$'.");
  EXPECT_TRUE(Check(kSchema, R"({"TRIP_ID": "T-x"})"));
  // ECMA's own syntax, which the C++ standard library's engine reads otherwise or not at all.
  EXPECT_EQ(Check(R"({"pattern": "^[^]*\\bcat\\b"})", R"("a\ncat")"), std::nullopt);
  EXPECT_TRUE(Check(R"({"pattern": "^[^]*\\bcat\\b"})", R"("concat")"));
}

TEST(RecordSchema, PatternPropertiesMatchNamesAndLeaveOthersToAdditionalProperties) {
  constexpr std::string_view kSchema = R"({
      "properties": {"id": {"type": "string"}},
      "patternProperties": {"^x-": {"type": "integer"}, "_at$": {"type": "string", "format": "date-time"}},
      "additionalProperties": false})";
  EXPECT_EQ(Check(kSchema, R"({"id": "a", "x-count": 3, "x-size": 4, "created_at": "2026-12-01T10:00:00Z"})"),
            std::nullopt);
  const std::optional<std::string> wrong_type = Check(kSchema, R"({"x-count": "3"})");
  ASSERT_TRUE(wrong_type);
  EXPECT_NE(wrong_type->find("[x-count]"), std::string::npos) << *wrong_type;
  const std::optional<std::string> bad_date = Check(kSchema, R"({"created_at": "2026-02-30T10:00:00Z"})");
  ASSERT_TRUE(bad_date);
  EXPECT_EQ(*bad_date, "<root>[created_at]: String is not a valid date-time.");
  EXPECT_TRUE(Check(kSchema, R"({"other": 1})")) << "matched by no pattern: additional, refused";
  // propertyNames with a pattern (names are validated as strings).
  EXPECT_EQ(Check(R"({"propertyNames": {"pattern": "^[a-z_]+$"}})", R"({"ok_name": 1})"), std::nullopt);
  EXPECT_TRUE(Check(R"({"propertyNames": {"pattern": "^[a-z_]+$"}})", R"({"Bad": 1})"));
}

TEST(RecordSchema, FormatsAreCheckedByHand) {
  const auto valid = [](std::string_view format, std::string_view value) {
    const std::string schema = R"({"format": ")" + std::string(format) + R"("})";
    return !Check(schema, nlohmann::json(std::string(value)).dump()).has_value();
  };
  EXPECT_TRUE(valid("date-time", "2024-02-29T23:59:60.123+01:00"));
  EXPECT_FALSE(valid("date-time", "2023-02-29T00:00:00Z"));
  EXPECT_FALSE(valid("date-time", "2026-12-01 10:00:00Z"));
  EXPECT_FALSE(valid("date-time", "2026-12-01T24:00:00Z"));
  EXPECT_TRUE(valid("date", "2000-02-29"));
  EXPECT_FALSE(valid("date", "1900-02-29"));
  EXPECT_TRUE(valid("time", "08:30:00z"));
  EXPECT_FALSE(valid("time", "08:30"));
  EXPECT_TRUE(valid("email", "first.last+tag@example.co.uk"));
  EXPECT_TRUE(valid("email", "ops@[192.0.2.1]"));
  EXPECT_FALSE(valid("email", "first..last@example.com"));
  EXPECT_FALSE(valid("email", "no-at.example.com"));
  EXPECT_FALSE(valid("email", "a@-bad-.com"));
  EXPECT_TRUE(valid("hostname", "ingress-1.sluice.example"));
  EXPECT_FALSE(valid("hostname", std::string(64, 'a') + ".example"));
  EXPECT_TRUE(valid("ipv4", "192.168.0.255"));
  EXPECT_FALSE(valid("ipv4", "192.168.0.256"));
  EXPECT_FALSE(valid("ipv4", "192.168.00.1"));
  EXPECT_FALSE(valid("ipv4", "1.2.3"));
  EXPECT_TRUE(valid("ipv6", "::1"));
  EXPECT_TRUE(valid("ipv6", "2001:db8::8a2e:370:7334"));
  EXPECT_TRUE(valid("ipv6", "::ffff:192.0.2.128"));
  EXPECT_TRUE(valid("ipv6", "1:2:3:4:5:6:7:8"));
  EXPECT_FALSE(valid("ipv6", "1:2:3:4:5:6:7:8:9"));
  EXPECT_FALSE(valid("ipv6", "1::2::3"));
  EXPECT_FALSE(valid("ipv6", "12345::"));
  EXPECT_TRUE(valid("uuid", "6f1c2a3b-0000-4000-8000-00000000000a"));
  EXPECT_FALSE(valid("uuid", "6f1c2a3b00004000800000000000000a"));
  EXPECT_TRUE(valid("regex", "^[a-z]+(?:-[0-9]+)?$"));
  EXPECT_FALSE(valid("regex", "(?=look)ahead"));
  EXPECT_TRUE(valid("json-pointer", "/a~1b/0"));
  EXPECT_FALSE(valid("json-pointer", "/a~2"));
  EXPECT_TRUE(valid("x-my-format", "anything")) << "an unknown format is an annotation";
  EXPECT_EQ(Check(R"({"format": "email"})", "42"), std::nullopt) << "format applies to strings only";
}

TEST(RecordSchema, WhatCannotBeMatchedIsRefusedWithTheReasonAndThePlace) {
  const auto refusal = [](std::string_view schema) {
    auto r = internal::RecordSchema::Parse(schema);
    EXPECT_FALSE(r.ok()) << schema;
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(refusal(R"j({"properties": {"a": {"type": "string", "pattern": "^(?=x)"}}})j"),
            "the pattern \"^(?=x)\" at #/properties/a/pattern cannot be matched: look-around, atomic groups and "
            "inline flags are not supported near index 3");
  EXPECT_EQ(refusal(R"({"patternProperties": {"(a)\\1": {}}})").rfind("the pattern \"(a)\\1\" at "
                                                                      "#/patternProperties cannot be matched: "
                                                                      "back-references", 0),
            0u);
  EXPECT_EQ(refusal(R"({"items": [{"format": "uri"}]})"),
            "the format \"uri\" at #/items/0/format is not checked by sluice (it checks date-time, date, time, "
            "email, hostname, ipv4, ipv6, uuid, regex, json-pointer)");
  // Names and data that look like keywords are not keywords.
  auto named = internal::RecordSchema::Parse(
      R"j({"properties": {"pattern": {"type": "string"}, "format": {"enum": [{"pattern": "(?=x)"}]}},
          "required": ["pattern"], "default": {"format": "uri"}})j");
  ASSERT_TRUE(named.ok()) << named.status().message();
  EXPECT_EQ((*named)->Validate(R"j({"pattern": "p", "format": {"pattern": "(?=x)"}})j"), std::nullopt);
  EXPECT_TRUE((*named)->Validate(R"j({"format": {"pattern": "(?=x)"}})j"));
}

TEST_F(SchemaBuiltinsTest, WriteToS3KeepsValidRecordsAndDeadLettersTheOthersWithTheReason) {
  auto f = MakeNamed("write_to_s3", "lake-writer", {{"OUTPUT_BUCKET", "out"}, {"SCHEMA_S3_URI", "s3://out/schema/trip.json"}});
  ASSERT_TRUE(f.ok()) << f.error().message;
  const Batch recs({R"({"TRIP_ID":"T1","CALL_TYPE":"A"})", R"({"TRIP_ID":"T2","CALL_TYPE":"D"})", "not json",
                    R"({"TRIP_ID":"T4","CALL_TYPE":"C"})"});
  ASSERT_EQ((*f)->HandleRecords(recs.views).function_error, FunctionError::kNone);
  const std::vector<KinesisRecordView> valid = {recs.views[0], recs.views[3]};
  const auto lake = store_->Get("out", internal::WriteToS3Key(valid));
  ASSERT_TRUE(lake.ok());
  EXPECT_EQ(json::parse(lake->data),
            json::parse(R"([{"TRIP_ID":"T1","CALL_TYPE":"A","event_id":"49000"},{"TRIP_ID":"T4","CALL_TYPE":"C","event_id":"49003"}])"));
  const std::vector<json> dead = DeadLetters();
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0]["function_name"], "lake-writer");
  EXPECT_EQ(dead[0]["sequence_number"], "49001");
  EXPECT_EQ(dead[0]["shard_id"], "shardId-000000000001");
  EXPECT_EQ(dead[0]["partition_key"], "pk");
  EXPECT_EQ(dead[0]["approximate_arrival_timestamp"], kArrival);
  EXPECT_EQ(dead[0]["data"], "eyJUUklQX0lEIjoiVDIiLCJDQUxMX1RZUEUiOiJEIn0=");
  EXPECT_NE(dead[0]["reason"].get<std::string>().find("CALL_TYPE"), std::string::npos) << dead[0];
  EXPECT_EQ(dead[1]["sequence_number"], "49002");
  EXPECT_EQ(dead[1]["reason"], "not JSON");
  EXPECT_EQ(Invalid("lake-writer"), 2);
  // The dead-letter key: the lake's layout under context=dead-letter.
  for (const std::string& key : Keys()) {
    if (key.starts_with("context=dead-letter/")) {
      EXPECT_TRUE(key.starts_with("context=dead-letter/date=2023-11-14/2023_11_14_22_")) << key;
    }
  }
}

TEST_F(SchemaBuiltinsTest, WriteToS3WithoutASchemaStillFailsOnNonObjectsAndCountsNothing) {
  auto f = MakeNamed("write_to_s3", "plain", {{"OUTPUT_BUCKET", "out"}});
  const Batch recs({"not json"});
  EXPECT_EQ((*f)->HandleRecords(recs.views).function_error, FunctionError::kUnhandled);
  EXPECT_TRUE(DeadLetters().empty());
  EXPECT_EQ(Invalid("plain"), 0);
}

TEST_F(SchemaBuiltinsTest, SendToFirehoseSendsOnlyValidRecordsAndNeedsADeadLetterBucket) {
  auto missing = MakeNamed("send_to_firehose", "fh", {{"DELIVERY_STREAM_NAME", "lake"}, {"SCHEMA_S3_URI", "s3://out/schema/trip.json"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, InvokeErrorType::kInvalidRuntime);
  EXPECT_EQ(missing.error().message, "built-in function send_to_firehose: SCHEMA_S3_URI needs DEAD_LETTER_BUCKET for invalid records");
  auto f = MakeNamed("send_to_firehose", "fh", {{"DELIVERY_STREAM_NAME", "lake"}, {"SCHEMA_S3_URI", "s3://out/schema/trip.json"},
                                                {"DEAD_LETTER_BUCKET", "out"}});
  ASSERT_TRUE(f.ok()) << f.error().message;
  const Batch recs({R"({"TRIP_ID":"T1","CALL_TYPE":"B"})", R"({"CALL_TYPE":"B"})"});
  ASSERT_EQ((*f)->HandleRecords(recs.views).function_error, FunctionError::kNone);
  const auto calls = sink_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].records, (std::vector<std::string>{"{\"TRIP_ID\":\"T1\",\"CALL_TYPE\":\"B\"}\n"}));
  const std::vector<json> dead = DeadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0]["reason"].get<std::string>().find("TRIP_ID"), std::string::npos) << dead[0];
  EXPECT_EQ(Invalid("fh"), 1);
}

TEST_F(SchemaBuiltinsTest, AnUnreadableSchemaFailsTheInvocationWithTheReason) {
  auto bad_uri = MakeNamed("write_to_s3", "w", {{"OUTPUT_BUCKET", "out"}, {"SCHEMA_S3_URI", "out/schema.json"}});
  ASSERT_FALSE(bad_uri.ok());
  EXPECT_EQ(bad_uri.error().message, "built-in function write_to_s3: SCHEMA_S3_URI must be s3://bucket/key, not out/schema.json");
  auto absent = MakeNamed("write_to_s3", "w", {{"OUTPUT_BUCKET", "out"}, {"SCHEMA_S3_URI", "s3://out/none.json"}});
  ASSERT_FALSE(absent.ok());
  EXPECT_TRUE(absent.error().message.starts_with("built-in function write_to_s3: SCHEMA_S3_URI s3://out/none.json: ")) << absent.error().message;
  ASSERT_TRUE(store_->Put("out", "schema/bad.json", "{\"type\": 5}", {}).ok());
  auto bad = MakeNamed("write_to_s3", "w", {{"OUTPUT_BUCKET", "out"}, {"SCHEMA_S3_URI", "s3://out/schema/bad.json"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("the schema is not valid"), std::string::npos) << bad.error().message;
}

TEST_F(SchemaBuiltinsTest, AChangedSchemaObjectIsReadAgain) {
  const std::map<std::string, std::string> vars = {{"OUTPUT_BUCKET", "out"}, {"SCHEMA_S3_URI", "s3://out/schema/trip.json"}};
  const Batch recs({R"({"TRIP_ID":"T1","CALL_TYPE":"Z"})"});
  ASSERT_EQ((*MakeNamed("write_to_s3", "w2", vars))->HandleRecords(recs.views).function_error, FunctionError::kNone);
  EXPECT_EQ(Invalid("w2"), 1);
  ASSERT_TRUE(store_->Put("out", "schema/trip.json", R"({"type":"object"})", {}).ok());
  ASSERT_EQ((*MakeNamed("write_to_s3", "w2", vars))->HandleRecords(recs.views).function_error, FunctionError::kNone);
  EXPECT_EQ(Invalid("w2"), 1);
}

}  // namespace
}  // namespace sluice::functions
