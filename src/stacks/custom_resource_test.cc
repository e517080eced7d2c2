// Custom resources through the stack engine, with a fake invoker standing in for
// Lambda: the request events CloudFormation sends, the responses PUT to the ResponseURL,
// Fn::GetAtt of Data, FAILED responses and timeouts on a manual clock.
#include <gtest/gtest.h>

#include <chrono>

#include "catalog/testing/test_util.h"
#include "stacks/custom_resources.h"
#include "stacks/stacks.h"

namespace sluice::stacks {
namespace {

using catalog::testing::TempDir;

constexpr const char* kToken = "arn:aws:lambda:eu-west-1:123456789012:function:seeder";

// Records each request event; a test waits for the n-th and answers it.
class FakeInvoker final : public CustomResourceInvoker {
 public:
  StackStatus InvokeAsync(const std::string& arn, const std::string& payload) override {
    const MutexLock lock(mu_);
    if (!refuse.empty()) return ValidationError(refuse);
    arns_.push_back(arn);
    events_.push_back(Json::parse(payload));
    cv_.SignalAll();
    return Done{};
  }

  // The n-th event (0-based), waiting for it with a generous bound.
  Json Event(size_t n) {
    const MutexLock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (events_.size() <= n) {
      if (!cv_.WaitUntil(mu_, deadline)) break;
    }
    return events_.size() > n ? events_[n] : Json();
  }
  size_t Count() {
    const MutexLock lock(mu_);
    return events_.size();
  }
  std::string Arn(size_t n) {
    const MutexLock lock(mu_);
    return arns_.at(n);
  }

  std::string refuse;  // set before the stack operation starts

 private:
  Mutex mu_;
  CondVar cv_;
  std::vector<std::string> arns_ GUARDED_BY(mu_);
  std::vector<Json> events_ GUARDED_BY(mu_);
};

class CustomResourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = catalog::Catalog::Open(dir_.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
    responses_ = std::make_unique<CustomResourceResponses>(
        CustomResponsesOptions{.clock = &clock_, .region = "eu-west-1"});
    auto invoker = std::make_unique<FakeInvoker>();
    invoker_ = invoker.get();
    providers_.Add(NewCustomResourceProvider(std::move(invoker), *responses_, {.default_timeout_ms = 60'000}));
    auto m = StackManager::Open({.catalog = catalog_.get(), .providers = &providers_, .region = "eu-west-1",
                                 .account_id = "123456789012"});
    ASSERT_TRUE(m.ok()) << m.error().message;
    manager_ = std::move(*m);
  }

  void TearDown() override {
    responses_->Shutdown();  // a test that failed half way leaves no wait behind
    manager_.reset();
  }

  StackInput Input(const std::string& name, const std::string& body) {
    StackInput in;
    in.stack_name = name;
    in.template_body = body;
    return in;
  }

  // PUTs `response` to the event's ResponseURL, as the function would.
  ResponseReceipt Answer(const Json& event, Json response) {
    const std::string url = event.value("ResponseURL", "");
    const size_t path = url.find('/', url.find("://") + 3);
    response["StackId"] = event["StackId"];
    response["RequestId"] = event["RequestId"];
    response["LogicalResourceId"] = event["LogicalResourceId"];
    return responses_->Deliver(url.substr(path, url.find('?') - path), response.dump());
  }

  StackInfo Stack(const std::string& name) {
    auto d = manager_->DescribeStacks(name);
    EXPECT_TRUE(d.ok()) << d.error().message;
    return d.ok() ? d->at(0) : StackInfo{};
  }

  std::string Output(const std::string& stack, const std::string& key) {
    for (const OutputInfo& o : Stack(stack).outputs) {
      if (o.key == key) return o.value;
    }
    return "<none>";
  }

  // The reason of the resource's first event with `status`.
  std::string Reason(const std::string& stack, const std::string& logical_id, const std::string& status) {
    auto events = manager_->DescribeStackEvents(stack);
    std::string reason = "<no " + status + " event>";
    for (const EventInfo& e : *events) {  // newest first: the last match is the first event
      if (e.logical_id == logical_id && e.status == status) reason = e.reason;
    }
    return reason;
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<CustomResourceResponses> responses_;
  ResourceProviders providers_;
  FakeInvoker* invoker_ = nullptr;
  std::unique_ptr<StackManager> manager_;
};

constexpr const char* kSeedTemplate = R"(Parameters:
  Count: {Type: Number, Default: 3}
Resources:
  Seed:
    Type: Custom::Seed
    Properties:
      ServiceToken: arn:aws:lambda:eu-west-1:123456789012:function:seeder
      Count: !Ref Count
      Flag: true
      Nested: {N: 1, List: [2, x]}
Outputs:
  Greeting: {Value: !GetAtt Seed.Greeting}
  Id: {Value: !Ref Seed}
)";

TEST_F(CustomResourceTest, CreateUpdateAndDeleteSendCloudFormationsRequestsAndReadTheResponses) {
  auto id = manager_->CreateStack(Input("seeded", kSeedTemplate));
  ASSERT_TRUE(id.ok()) << id.error().message;

  const Json create = invoker_->Event(0);
  EXPECT_EQ(invoker_->Arn(0), kToken);
  EXPECT_EQ(create["RequestType"], "Create");
  EXPECT_EQ(create["ServiceToken"], kToken);
  EXPECT_EQ(create["StackId"], *id);
  EXPECT_EQ(create["LogicalResourceId"], "Seed");
  EXPECT_EQ(create["ResourceType"], "Custom::Seed");
  EXPECT_EQ(create["RequestId"].get<std::string>().size(), 36u);
  EXPECT_FALSE(create.contains("PhysicalResourceId"));
  EXPECT_FALSE(create.contains("OldResourceProperties"));
  // Every scalar arrives as a string, as CloudFormation sends them.
  EXPECT_EQ(create["ResourceProperties"], Json::parse(R"({"ServiceToken": ")" + std::string(kToken) +
                                                      R"(", "Count": "3", "Flag": "true",
                                                          "Nested": {"N": "1", "List": ["2", "x"]}})"));
  const std::string url = create["ResponseURL"];
  EXPECT_TRUE(url.starts_with("http://127.0.0.1:4566/cloudformation-custom-resource-response-euwest1/arn%3Aaws%3A"
                              "cloudformation%3Aeu-west-1%3A123456789012%3Astack%2Fseeded%2F"))
      << url;
  EXPECT_NE(url.find("%7CSeed%7C" + create["RequestId"].get<std::string>() + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&"),
            std::string::npos)
      << url;
  EXPECT_NE(url.find("&X-Amz-Expires=7200&X-Amz-SignedHeaders=host&X-Amz-Signature="), std::string::npos) << url;

  const ResponseReceipt receipt =
      Answer(create, {{"Status", "SUCCESS"}, {"PhysicalResourceId", "seed-1"}, {"Data", {{"Greeting", "hello"}}}});
  EXPECT_EQ(receipt.http_status, 200);
  manager_->WaitIdle();
  EXPECT_EQ(Stack("seeded").status, "CREATE_COMPLETE");
  EXPECT_EQ(Output("seeded", "Greeting"), "hello");
  EXPECT_EQ(Output("seeded", "Id"), "seed-1");
  // A second PUT to the same URL is accepted and ignored, as S3 overwrites an object.
  EXPECT_EQ(Answer(create, {{"Status", "FAILED"}, {"Reason", "late"}}).http_status, 200);

  // An update names the physical id and the old properties; a new PhysicalResourceId
  // replaces, so the old one gets a Delete at cleanup.
  StackInput update = Input("seeded", kSeedTemplate);
  update.parameters = {{"Count", "4", false}};
  ASSERT_TRUE(manager_->UpdateStack(update).ok());
  const Json upd = invoker_->Event(1);
  EXPECT_EQ(upd["RequestType"], "Update");
  EXPECT_EQ(upd["PhysicalResourceId"], "seed-1");
  EXPECT_EQ(upd["ResourceProperties"]["Count"], "4");
  EXPECT_EQ(upd["OldResourceProperties"]["Count"], "3");
  EXPECT_NE(upd["RequestId"], create["RequestId"]);
  Answer(upd, {{"Status", "SUCCESS"}, {"PhysicalResourceId", "seed-2"}, {"Data", {{"Greeting", "hi"}}}});
  const Json cleanup = invoker_->Event(2);
  EXPECT_EQ(cleanup["RequestType"], "Delete");
  EXPECT_EQ(cleanup["PhysicalResourceId"], "seed-1");
  EXPECT_EQ(cleanup["ResourceProperties"]["Count"], "3");
  Answer(cleanup, {{"Status", "SUCCESS"}, {"PhysicalResourceId", "seed-1"}});
  manager_->WaitIdle();
  EXPECT_EQ(Stack("seeded").status, "UPDATE_COMPLETE");
  EXPECT_EQ(Output("seeded", "Greeting"), "hi");
  EXPECT_EQ(Output("seeded", "Id"), "seed-2");

  ASSERT_TRUE(manager_->DeleteStack("seeded").ok());
  const Json del = invoker_->Event(3);
  EXPECT_EQ(del["RequestType"], "Delete");
  EXPECT_EQ(del["PhysicalResourceId"], "seed-2");
  EXPECT_FALSE(del.contains("OldResourceProperties"));
  Answer(del, {{"Status", "SUCCESS"}, {"PhysicalResourceId", "seed-2"}});
  manager_->WaitIdle();
  auto gone = manager_->DescribeStacks(*id);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->at(0).status, "DELETE_COMPLETE");
  EXPECT_EQ(invoker_->Count(), 4u);
}

TEST_F(CustomResourceTest, FailedResponseFailsTheResourceWithItsReasonAndRollsBack) {
  ASSERT_TRUE(manager_->CreateStack(Input("refused", kSeedTemplate)).ok());
  const Json create = invoker_->Event(0);
  Answer(create, {{"Status", "FAILED"}, {"Reason", "no seeds today"}, {"PhysicalResourceId", "log-stream-1"}});
  // The rollback deletes what the FAILED response named.
  const Json del = invoker_->Event(1);
  EXPECT_EQ(del["RequestType"], "Delete");
  EXPECT_EQ(del["PhysicalResourceId"], "log-stream-1");
  Answer(del, {{"Status", "SUCCESS"}, {"PhysicalResourceId", "log-stream-1"}});
  manager_->WaitIdle();
  EXPECT_EQ(Stack("refused").status, "ROLLBACK_COMPLETE");
  EXPECT_EQ(Reason("refused", "Seed", "CREATE_FAILED"),
            "Received response status [FAILED] from custom resource. Message returned: no seeds today (RequestId: " +
                create["RequestId"].get<std::string>() + ")");
  EXPECT_EQ(Reason("refused", "refused", "ROLLBACK_IN_PROGRESS"),
            "The following resource(s) failed to create: [Seed]. Rollback requested by user.");
}

TEST_F(CustomResourceTest, NoResponseBeforeTheServiceTimeoutFailsTheResource) {
  const std::string body = R"(Resources:
  Seed:
    Type: AWS::CloudFormation::CustomResource
    Properties: {ServiceToken: arn:aws:lambda:eu-west-1:123456789012:function:seeder, ServiceTimeout: 5}
)";
  ASSERT_TRUE(manager_->CreateStack(Input("silent", body)).ok());
  const Json create = invoker_->Event(0);
  EXPECT_EQ(create["ResourceType"], "AWS::CloudFormation::CustomResource");
  EXPECT_EQ(create["ResourceProperties"]["ServiceTimeout"], "5");
  clock_.Advance(5'000);
  responses_->Wake();
  const Json del = invoker_->Event(1);
  EXPECT_EQ(del["RequestType"], "Delete");
  Answer(del, {{"Status", "SUCCESS"}, {"PhysicalResourceId", del["PhysicalResourceId"]}});
  manager_->WaitIdle();
  EXPECT_EQ(Stack("silent").status, "ROLLBACK_COMPLETE");
  EXPECT_EQ(Reason("silent", "Seed", "CREATE_FAILED"),
            "CloudFormation did not receive a response from your Custom Resource. Please check your logs for "
            "requestId [" + create["RequestId"].get<std::string>() +
                "]. If you are using the Python cfn-response module, you may need to update your Lambda function "
                "code so that CloudFormation can attach the updated version.");
  // The answer that comes too late changes nothing.
  EXPECT_EQ(Answer(create, {{"Status", "SUCCESS"}, {"PhysicalResourceId", "late"}}).http_status, 200);
}

TEST_F(CustomResourceTest, TheDefaultTimeoutAppliesWithoutServiceTimeout) {
  ASSERT_TRUE(manager_->CreateStack(Input("slow", kSeedTemplate)).ok());
  const Json create = invoker_->Event(0);
  clock_.Advance(60'000);  // the provider's default_timeout_ms
  responses_->Wake();
  const Json del = invoker_->Event(1);
  Answer(del, {{"Status", "SUCCESS"}, {"PhysicalResourceId", "x"}});
  manager_->WaitIdle();
  EXPECT_EQ(Stack("slow").status, "ROLLBACK_COMPLETE");
  EXPECT_TRUE(Reason("slow", "Seed", "CREATE_FAILED").starts_with("CloudFormation did not receive a response"));
}

TEST_F(CustomResourceTest, GetAttOfAKeyTheDataLacksFailsTheStackAsCloudFormationWordsIt) {
  const std::string body = R"(Resources:
  Seed:
    Type: Custom::Seed
    Properties: {ServiceToken: arn:aws:lambda:eu-west-1:123456789012:function:seeder}
Outputs:
  Missing: {Value: !GetAtt Seed.Missing}
)";
  auto id = manager_->CreateStack(Input("lacking", body));
  ASSERT_TRUE(id.ok());
  const Json create = invoker_->Event(0);
  Answer(create, {{"Status", "SUCCESS"}, {"PhysicalResourceId", "p"}, {"Data", {{"Other", "1"}}}});
  const Json del = invoker_->Event(1);
  Answer(del, {{"Status", "SUCCESS"}, {"PhysicalResourceId", "p"}});
  manager_->WaitIdle();
  EXPECT_EQ(Stack("lacking").status, "ROLLBACK_COMPLETE");
  EXPECT_EQ(Reason("lacking", "lacking", "ROLLBACK_IN_PROGRESS"),
            "CustomResource attribute error: Vendor response doesn't contain Missing attribute in object " + *id +
                "|Seed|" + create["RequestId"].get<std::string>());
}

TEST_F(CustomResourceTest, NoEchoMasksTheDataInOutputs) {
  ASSERT_TRUE(manager_->CreateStack(Input("secret", kSeedTemplate)).ok());
  Answer(invoker_->Event(0),
         {{"Status", "SUCCESS"}, {"PhysicalResourceId", "s"}, {"NoEcho", true}, {"Data", {{"Greeting", "psst"}}}});
  manager_->WaitIdle();
  EXPECT_EQ(Stack("secret").status, "CREATE_COMPLETE");
  EXPECT_EQ(Output("secret", "Greeting"), "*****");
  EXPECT_EQ(Output("secret", "Id"), "s");
}

TEST_F(CustomResourceTest, MalformedResponsesFailTheResource) {
  const struct {
    std::string response, reason;
  } cases[] = {
      {R"({"Status": "FAILURE"})", "Invalid Response object: 'FAILURE' is not a valid ResponseStatus"},
      {R"({"Status": "SUCCESS"})", "Invalid PhysicalResourceId"},
      {"not json", "Invalid Response object: the response is not a JSON object"},
      {R"({"Status": "SUCCESS", "PhysicalResourceId": "p", "Data": {"Big": ")" + std::string(5000, 'x') + "\"}}",
       "Response object is too long."},
  };
  int n = 0;
  for (const auto& c : cases) {
    const std::string stack = "bad" + std::to_string(n);
    ASSERT_TRUE(manager_->CreateStack(Input(stack, kSeedTemplate)).ok());
    const Json create = invoker_->Event(2 * n);
    const std::string url = create["ResponseURL"];
    const size_t path = url.find('/', url.find("://") + 3);
    responses_->Deliver(url.substr(path, url.find('?') - path), c.response);
    const Json del = invoker_->Event(2 * n + 1);
    Answer(del, {{"Status", "SUCCESS"}, {"PhysicalResourceId", "p"}});
    manager_->WaitIdle();
    EXPECT_EQ(Stack(stack).status, "ROLLBACK_COMPLETE");
    EXPECT_EQ(Reason(stack, "Seed", "CREATE_FAILED"), c.reason);
    ++n;
  }
}

TEST_F(CustomResourceTest, ServiceTokensSluiceCannotInvokeFailAtOnce) {
  const auto reason_for = [&](const std::string& stack, const std::string& token) {
    EXPECT_TRUE(manager_->CreateStack(Input(stack, "Resources: {Seed: {Type: 'Custom::Seed', Properties: "
                                                   "{ServiceToken: '" + token + "'}}}")).ok());
    manager_->WaitIdle();
    EXPECT_EQ(Stack(stack).status, "ROLLBACK_COMPLETE");
    return Reason(stack, "Seed", "CREATE_FAILED");
  };
  EXPECT_EQ(reason_for("sns", "arn:aws:sns:eu-west-1:123456789012:topic"),
            "ServiceToken arn:aws:sns:eu-west-1:123456789012:topic is an SNS topic; sluice runs custom resources "
            "backed by Lambda functions only");
  EXPECT_EQ(reason_for("junk", "seeder"), "Invalid service token: seeder");
  // A function that cannot be invoked: the create fails with Lambda's error and the
  // rollback, with nothing created, deletes nothing.
  invoker_->refuse = "Resource handler returned message: \"Function not found\" (Service: Lambda, Status Code: 404)";
  EXPECT_EQ(reason_for("missing", kToken), invoker_->refuse);
  EXPECT_EQ(invoker_->Count(), 0u);
}

TEST_F(CustomResourceTest, ChangingTheServiceTokenFailsTheUpdateAndSendsNothing) {
  const std::string body = R"(Parameters:
  Token: {Type: String, Default: arn:aws:lambda:eu-west-1:123456789012:function:seeder}
Resources:
  Seed:
    Type: Custom::Seed
    Properties: {ServiceToken: !Ref Token}
)";
  ASSERT_TRUE(manager_->CreateStack(Input("token", body)).ok());
  Answer(invoker_->Event(0), {{"Status", "SUCCESS"}, {"PhysicalResourceId", "t"}});
  manager_->WaitIdle();
  StackInput update = Input("token", body);
  update.parameters = {{"Token", "arn:aws:lambda:eu-west-1:123456789012:function:other", false}};
  ASSERT_TRUE(manager_->UpdateStack(update).ok());
  manager_->WaitIdle();
  EXPECT_EQ(Stack("token").status, "UPDATE_ROLLBACK_COMPLETE");
  EXPECT_EQ(Reason("token", "Seed", "UPDATE_FAILED"), "Modifying service token is not allowed.");
  EXPECT_EQ(invoker_->Count(), 1u);
}

TEST_F(CustomResourceTest, StopLeavesAnOperationCutShortInProgress) {
  ASSERT_TRUE(manager_->CreateStack(Input("cut", kSeedTemplate)).ok());
  invoker_->Event(0);
  manager_->Stop();
  responses_->Shutdown();
  manager_->WaitIdle();
  // Not rolled back: the next start resumes it (as after a crash).
  EXPECT_EQ(Stack("cut").status, "CREATE_IN_PROGRESS");
  EXPECT_EQ(invoker_->Count(), 1u);
}

TEST(CustomResourceResponsesTest, OnlyResponsePathsAreTheirsAndUnknownRequestsAreIgnored) {
  ManualClock clock;
  CustomResourceResponses r({.clock = &clock, .region = "us-east-1"});
  EXPECT_TRUE(r.IsResponsePath("/cloudformation-custom-resource-response-useast1/x"));
  EXPECT_FALSE(r.IsResponsePath("/cloudformation-custom-resource-response-useast1/"));
  EXPECT_FALSE(r.IsResponsePath("/cloudformation-custom-resource-response-euwest1/x"));
  EXPECT_FALSE(r.IsResponsePath("/"));
  EXPECT_EQ(r.Deliver("/other-bucket/x", "{}").http_status, 404);
  EXPECT_EQ(r.Deliver("/cloudformation-custom-resource-response-useast1/nobody", "{}").http_status, 200);
  r.SetEndpoint("http://localhost:9000/", "AKID", "SECRET");
  const std::string url = r.Expect("a|B|c", 1000);
  EXPECT_TRUE(url.starts_with("http://localhost:9000/cloudformation-custom-resource-response-useast1/a%7CB%7Cc?"))
      << url;
  EXPECT_NE(url.find("X-Amz-Credential=AKID%2F20231114%2Fus-east-1%2Fcloudformation%2Faws4_request"),
            std::string::npos)
      << url;
  EXPECT_EQ(r.Deliver("/cloudformation-custom-resource-response-useast1/a%7CB%7Cc", "body").http_status, 200);
  const auto w = r.Wait("a|B|c");
  EXPECT_EQ(w.end, CustomResourceResponses::WaitEnd::kAnswered);
  EXPECT_EQ(w.body, "body");
}

}  // namespace
}  // namespace sluice::stacks
