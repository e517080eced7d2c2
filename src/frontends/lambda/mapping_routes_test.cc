#include "frontends/lambda/mapping_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "functions/testing/fake_invoker.h"
#include "stream/testing/test_fixture.h"

namespace sluice::frontends::lambda {
namespace {

using nlohmann::json;

class MappingRoutesTest : public stream::testing::StreamFixture {
 protected:
  void SetUp() override {
    StreamFixture::SetUp();
    ASSERT_TRUE(mgr_->CreateStream("ingress", 1, "PROVISIONED", {}).ok());
    invoker_.Define("fn", [](const std::string&) { return functions::InvokeOutcome{}; });
    functions::MappingManager::Options o;
    o.clock = &clock_;
    o.start_threads = false;
    o.concurrent = false;
    auto m = functions::MappingManager::Open(o, *catalog_, *mgr_, invoker_);
    ASSERT_TRUE(m.ok());
    mappings_ = std::move(*m);
  }
  void TearDown() override {
    mappings_.reset();
    StreamFixture::TearDown();
  }
  MappingAnswer Call(std::string_view method, std::string_view path, std::string_view body = "",
                     std::string_view query = "") {
    return HandleMappingRequest(*mappings_, method, path, query, body);
  }
  functions::testing::FakeInvoker invoker_;
  std::unique_ptr<functions::MappingManager> mappings_;
};

constexpr std::string_view kBase = "/2015-03-31/event-source-mappings/";
constexpr const char* kCreate =
    R"({"FunctionName":"fn","EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/ingress",)"
    R"("StartingPosition":"TRIM_HORIZON","BatchSize":1000,"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:s3:::dlq"}}})";

TEST_F(MappingRoutesTest, CreateAnswers202WithLambdasConfiguration) {
  const MappingAnswer a = Call("POST", kBase, kCreate);
  ASSERT_EQ(a.status, 202) << a.body;
  EXPECT_TRUE(a.error_type.empty());
  const json j = json::parse(a.body);
  EXPECT_EQ(j["State"], "Creating");
  EXPECT_EQ(j["BatchSize"], 1000);
  EXPECT_EQ(j["StartingPosition"], "TRIM_HORIZON");
  EXPECT_EQ(j["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:fn");
  EXPECT_EQ(j["DestinationConfig"]["OnFailure"]["Destination"], "arn:aws:s3:::dlq");
  EXPECT_EQ(j["FunctionResponseTypes"], json::array());
  EXPECT_EQ(j["MaximumRetryAttempts"], -1);
  EXPECT_EQ(j["LastProcessingResult"], "No records processed");
  EXPECT_EQ(j["StateTransitionReason"], "User action");
  EXPECT_EQ(j["EventSourceMappingArn"],
            "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:" + j["UUID"].get<std::string>());
  EXPECT_TRUE(j["LastModified"].is_number());
}

TEST_F(MappingRoutesTest, ErrorsCarryLambdasTypeAndBody) {
  MappingAnswer a = Call("POST", kBase,
                         R"({"FunctionName":"fn","EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/ingress","StartingPosition":"LATEST","BatchSize":0})");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.error_type, "ValidationException");
  EXPECT_EQ(json::parse(a.body),
            json::parse(R"({"message":"1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1"})"));
  a = Call("POST", kBase, R"({"FunctionName":"nope","EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/ingress","StartingPosition":"LATEST"})");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.error_type, "InvalidParameterValueException");
  EXPECT_EQ(json::parse(a.body), json::parse(R"({"Type":"User","message":"Function does not exist"})"));
  a = Call("POST", kBase, R"({"FunctionName":"fn","EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/ingress","StartingPosition":"LATEST","Queues":["q"]})");
  EXPECT_EQ(a.error_type, "InvalidParameterValueException");
  EXPECT_EQ(json::parse(a.body)["message"], "Queues is not valid for Kinesis event sources.");
  a = Call("POST", kBase, "{not json");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.error_type, "InvalidRequestContentException");
  a = Call("POST", kBase, R"({"BatchSize":"ten"})");
  EXPECT_EQ(a.error_type, "InvalidRequestContentException");
  a = Call("GET", std::string(kBase) + "00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.error_type, "ResourceNotFoundException");
  EXPECT_EQ(Call("PATCH", kBase).status, 404);
  // Nothing was created by any of them.
  EXPECT_EQ(json::parse(Call("GET", kBase).body)["EventSourceMappings"].size(), 0u);
}

TEST_F(MappingRoutesTest, GetUpdateListDelete) {
  const std::string uuid = json::parse(Call("POST", kBase, kCreate).body)["UUID"];
  const std::string path = std::string(kBase) + uuid;
  EXPECT_EQ(Call("GET", path).status, 200);
  MappingAnswer a = Call("PUT", path, R"({"BatchSize":5,"Enabled":false,"FilterCriteria":{"Filters":[{"Pattern":"{\"partitionKey\":[\"a\"]}"}]}})");
  ASSERT_EQ(a.status, 202) << a.body;
  json j = json::parse(a.body);
  EXPECT_EQ(j["BatchSize"], 5);
  EXPECT_EQ(j["State"], "Disabling");
  EXPECT_EQ(j["FilterCriteria"]["Filters"][0]["Pattern"], R"({"partitionKey":["a"]})");

  a = Call("GET", kBase, "", "FunctionName=arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn&MaxItems=1");
  ASSERT_EQ(a.status, 200) << a.body;
  j = json::parse(a.body);
  ASSERT_EQ(j["EventSourceMappings"].size(), 1u);
  EXPECT_FALSE(j.contains("NextMarker"));
  EXPECT_EQ(json::parse(Call("GET", kBase, "", "EventSourceArn=arn%3Aaws%3Akinesis%3Aus-east-1%3A000000000000%3Astream%2Fother").body)["EventSourceMappings"].size(), 0u);
  EXPECT_EQ(Call("GET", kBase, "", "MaxItems=0").error_type, "ValidationException");

  a = Call("DELETE", path);
  EXPECT_EQ(a.status, 202);
  EXPECT_EQ(json::parse(a.body)["State"], "Deleting");
  mappings_->RunOnce();
  EXPECT_EQ(Call("GET", path).status, 404);
}

}  // namespace
}  // namespace sluice::frontends::lambda
