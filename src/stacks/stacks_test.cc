#include "stacks/stacks.h"

#include <gtest/gtest.h>

#include <set>

#include "catalog/stacks.h"
#include "catalog/testing/test_util.h"

namespace sluice::stacks {
namespace {

using catalog::testing::TempDir;

// A provider that records what it is asked and fails on demand.
class FakeProvider : public ResourceProvider {
 public:
  explicit FakeProvider(std::string type) : type_(std::move(type)) {}
  std::string_view Type() const override { return type_; }

  StackResult<ProvisionedResource> Create(const ResourceRequest& r) override {
    const MutexLock lock(mu_);
    const std::string name = r.properties.contains("Name") ? r.properties["Name"].get<std::string>() : r.physical_name;
    if (fail_create.count(name)) return ValidationError("Resource handler returned message: \"" + name + " refused\"");
    live.insert(name);
    log.push_back("create " + name);
    return ProvisionedResource{name, Json{{"Arn", "arn:fake:" + name}}};
  }
  UpdateKind Classify(const Json& a, const Json& b) const override {
    if (a == b) return UpdateKind::kNone;
    return SameProperties(a, b, {"Name"}) ? UpdateKind::kInPlace : UpdateKind::kReplacement;
  }
  StackResult<ProvisionedResource> Update(const ResourceRequest& r, const ProvisionedResource& current,
                                          const Json&) override {
    const MutexLock lock(mu_);
    if (r.properties.contains("Size") && r.properties["Size"] == Json("99")) {
      return ValidationError("Resource handler returned message: \"Size 99 refused\"");
    }
    log.push_back("update " + current.physical_id + " " + r.properties.value("Size", std::string("0")));
    return current;
  }
  StackStatus Delete(const ResourceRequest& r, const ProvisionedResource& current) override {
    const MutexLock lock(mu_);
    std::string name = current.physical_id;
    if (name.empty()) name = r.properties.contains("Name") ? r.properties["Name"].get<std::string>() : r.physical_name;
    if (fail_delete.count(name)) return ValidationError("cannot delete " + name);
    live.erase(name);
    log.push_back("delete " + name);
    return Done{};
  }

  std::set<std::string> Live() {
    const MutexLock lock(mu_);
    return live;
  }
  std::vector<std::string> Log() {
    const MutexLock lock(mu_);
    return log;
  }

  std::set<std::string> fail_create, fail_delete;

 private:
  Mutex mu_;
  std::string type_;
  std::set<std::string> live GUARDED_BY(mu_);
  std::vector<std::string> log GUARDED_BY(mu_);
};

constexpr const char* kTemplate = R"(Parameters:
  Stage: {Type: String, Default: dev}
  Size: {Type: Number, Default: 1}
Resources:
  Bucket:
    Type: Test::Thing
    Properties: {Name: !Sub "${Stage}-bucket", Size: !Ref Size}
  Stream:
    Type: Test::Thing
    Properties: {Name: !Sub "${Stage}-stream", Source: !GetAtt Bucket.Arn}
Outputs:
  BucketArn:
    Value: !GetAtt Bucket.Arn
    Export: {Name: !Sub "${AWS::StackName}:BucketArn"}
)";

class StacksTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    manager_.reset();
    catalog_.reset();
    auto c = catalog::Catalog::Open(dir_.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
    if (providers_ == nullptr) {
      providers_ = std::make_unique<ResourceProviders>();
      auto p = std::make_unique<FakeProvider>("Test::Thing");
      fake_ = p.get();
      providers_->Add(std::move(p));
    }
    StackOptions o;
    o.catalog = catalog_.get();
    o.providers = providers_.get();
    o.region = "eu-west-1";
    o.account_id = "123456789012";
    auto m = StackManager::Open(o);
    ASSERT_TRUE(m.ok()) << m.error().message;
    manager_ = std::move(*m);
  }

  StackInput Input(const std::string& name, const std::string& body,
                   std::vector<ParameterInput> params = {}) {
    StackInput in;
    in.stack_name = name;
    in.template_body = body;
    in.parameters = std::move(params);
    return in;
  }

  StackInfo Stack(const std::string& name) {
    auto d = manager_->DescribeStacks(name);
    EXPECT_TRUE(d.ok()) << d.error().message;
    return d.ok() ? d->at(0) : StackInfo{};
  }

  std::vector<std::string> ResourceStatuses(const std::string& name) {
    std::vector<std::string> out;
    auto events = manager_->DescribeStackEvents(name);
    for (auto it = events->rbegin(); it != events->rend(); ++it) out.push_back(it->logical_id + " " + it->status);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<ResourceProviders> providers_;
  FakeProvider* fake_ = nullptr;
  std::unique_ptr<StackManager> manager_;
};

TEST_F(StacksTest, CreateResolvesInDependencyOrderAndExportsOutputs) {
  auto id = manager_->CreateStack(Input("data", kTemplate));
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(id->rfind("arn:aws:cloudformation:eu-west-1:123456789012:stack/data/", 0), 0u);
  manager_->WaitIdle();
  StackInfo s = Stack("data");
  EXPECT_EQ(s.status, "CREATE_COMPLETE");
  EXPECT_EQ(fake_->Log(), (std::vector<std::string>{"create dev-bucket", "create dev-stream"}));
  ASSERT_EQ(s.outputs.size(), 1u);
  EXPECT_EQ(s.outputs[0].value, "arn:fake:dev-bucket");
  EXPECT_EQ(s.outputs[0].export_name, "data:BucketArn");
  auto exports = manager_->ListExports();
  ASSERT_EQ(exports.size(), 1u);
  EXPECT_EQ(exports[0].name, "data:BucketArn");
  auto resources = manager_->DescribeStackResources("data", "");
  ASSERT_TRUE(resources.ok());
  ASSERT_EQ(resources->size(), 2u);
  EXPECT_EQ((*resources)[1].physical_id, "dev-stream");
  EXPECT_EQ((*resources)[1].status, "CREATE_COMPLETE");
  // A second stack of the same name is refused, with AWS's error.
  auto again = manager_->CreateStack(Input("data", kTemplate));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, StackErrorType::kAlreadyExistsException);
  EXPECT_EQ(again.error().message, "Stack [data] already exists");
}

TEST_F(StacksTest, AFailedCreateRollsBackWhatWasCreated) {
  fake_->fail_create.insert("dev-stream");
  ASSERT_TRUE(manager_->CreateStack(Input("data", kTemplate)).ok());
  manager_->WaitIdle();
  StackInfo s = Stack("data");
  EXPECT_EQ(s.status, "ROLLBACK_COMPLETE");
  EXPECT_TRUE(fake_->Live().empty());
  auto events = ResourceStatuses("data");
  const std::vector<std::string> expected = {
      "data CREATE_IN_PROGRESS",    "Bucket CREATE_IN_PROGRESS", "Bucket CREATE_IN_PROGRESS",
      "Bucket CREATE_COMPLETE",     "Stream CREATE_IN_PROGRESS", "Stream CREATE_FAILED",
      "data ROLLBACK_IN_PROGRESS",  "Stream DELETE_IN_PROGRESS", "Stream DELETE_COMPLETE",
      "Bucket DELETE_IN_PROGRESS",  "Bucket DELETE_COMPLETE",    "data ROLLBACK_COMPLETE"};
  EXPECT_EQ(events, expected);
  auto all = manager_->DescribeStackEvents("data");
  bool found = false;
  for (const EventInfo& e : *all) {
    if (e.status == "ROLLBACK_IN_PROGRESS") {
      EXPECT_EQ(e.reason, "The following resource(s) failed to create: [Stream]. Rollback requested by user.");
      found = true;
    }
    if (e.status == "CREATE_FAILED") {
      EXPECT_EQ(e.reason, "Resource handler returned message: \"dev-stream refused\"");
    }
  }
  EXPECT_TRUE(found);
  // An unsupported type fails the stack with a reason naming it.
  ASSERT_TRUE(manager_->CreateStack(Input("other", "Resources: {X: {Type: 'AWS::EC2::VPC'}}")).ok());
  manager_->WaitIdle();
  EXPECT_EQ(Stack("other").status, "ROLLBACK_COMPLETE");
  auto ev = manager_->DescribeStackEvents("other");
  bool named = false;
  for (const EventInfo& e : *ev) {
    named = named || (e.status == "CREATE_FAILED" &&
                      e.reason.rfind("Resource type AWS::EC2::VPC is not supported by sluice", 0) == 0);
  }
  EXPECT_TRUE(named);
  // So does a custom resource when no provider of custom resources is registered.
  ASSERT_TRUE(manager_->CreateStack(Input("custom", "Resources: {X: {Type: 'Custom::Seed', "
                                                    "Properties: {ServiceToken: arn}}}")).ok());
  manager_->WaitIdle();
  EXPECT_EQ(Stack("custom").status, "ROLLBACK_COMPLETE");
  named = false;
  auto custom_events = manager_->DescribeStackEvents("custom");
  ASSERT_TRUE(custom_events.ok());
  for (const EventInfo& e : *custom_events) {
    named = named || (e.status == "CREATE_FAILED" &&
                      e.reason.rfind("Resource type Custom::Seed is not supported by sluice", 0) == 0);
  }
  EXPECT_TRUE(named);
}

TEST_F(StacksTest, UpdatesInPlaceReplaceAndSayWhenNothingChanges) {
  ASSERT_TRUE(manager_->CreateStack(Input("data", kTemplate)).ok());
  manager_->WaitIdle();
  auto none = manager_->UpdateStack(Input("data", kTemplate));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message, "No updates are to be performed.");
  // Size changes in place; Stage renames both resources: replacement.
  ASSERT_TRUE(manager_->UpdateStack(Input("data", kTemplate, {{"Size", "5"}})).ok());
  manager_->WaitIdle();
  EXPECT_EQ(Stack("data").status, "UPDATE_COMPLETE");
  EXPECT_EQ(fake_->Log().back(), "update dev-bucket 5");
  ASSERT_TRUE(manager_->UpdateStack(Input("data", kTemplate, {{"Stage", "prod"}, {"Size", "5"}})).ok());
  manager_->WaitIdle();
  EXPECT_EQ(Stack("data").status, "UPDATE_COMPLETE");
  EXPECT_EQ(fake_->Live(), (std::set<std::string>{"prod-bucket", "prod-stream"}));
  EXPECT_EQ(Stack("data").outputs[0].value, "arn:fake:prod-bucket");
}

TEST_F(StacksTest, AFailedUpdateRollsBackToThePreviousResources) {
  ASSERT_TRUE(manager_->CreateStack(Input("data", kTemplate)).ok());
  manager_->WaitIdle();
  fake_->fail_create.insert("test-stream");
  ASSERT_TRUE(manager_->UpdateStack(Input("data", kTemplate, {{"Stage", "test"}})).ok());
  manager_->WaitIdle();
  StackInfo s = Stack("data");
  EXPECT_EQ(s.status, "UPDATE_ROLLBACK_COMPLETE");
  EXPECT_EQ(fake_->Live(), (std::set<std::string>{"dev-bucket", "dev-stream"}));
  EXPECT_EQ(s.outputs[0].value, "arn:fake:dev-bucket");
  bool stage_is_dev = false;
  for (const auto& p : s.parameters) stage_is_dev = stage_is_dev || (p.key == "Stage" && p.value == "dev");
  EXPECT_TRUE(stage_is_dev);
  // An in-place update that fails is undone with the old properties.
  ASSERT_TRUE(manager_->UpdateStack(Input("data", kTemplate, {{"Size", "99"}})).ok());
  manager_->WaitIdle();
  EXPECT_EQ(Stack("data").status, "UPDATE_ROLLBACK_COMPLETE");
  EXPECT_EQ(fake_->Log().back(), "update dev-bucket 1");
}

TEST_F(StacksTest, ExportsInUseBlockDeletionAndRetainIsHonoured) {
  ASSERT_TRUE(manager_->CreateStack(Input("data", kTemplate)).ok());
  manager_->WaitIdle();
  const char* importer = R"(Resources:
  Queue:
    Type: Test::Thing
    DeletionPolicy: Retain
    Properties: {Name: consumer, Source: !ImportValue "data:BucketArn"}
)";
  ASSERT_TRUE(manager_->CreateStack(Input("consumer", importer)).ok());
  manager_->WaitIdle();
  EXPECT_EQ(Stack("consumer").status, "CREATE_COMPLETE");
  auto imports = manager_->ListImports("data:BucketArn");
  ASSERT_TRUE(imports.ok());
  EXPECT_EQ(*imports, std::vector<std::string>{"consumer"});
  ASSERT_TRUE(manager_->DeleteStack("data").ok());
  manager_->WaitIdle();
  EXPECT_EQ(Stack("data").status, "DELETE_FAILED");
  EXPECT_EQ(Stack("data").status_reason, "Export data:BucketArn cannot be deleted as it is in use by consumer");
  ASSERT_TRUE(manager_->DeleteStack("consumer").ok());
  manager_->WaitIdle();
  EXPECT_TRUE(fake_->Live().count("consumer"));  // retained
  ASSERT_TRUE(manager_->DeleteStack("data").ok());
  manager_->WaitIdle();
  EXPECT_FALSE(manager_->DescribeStacks("data").ok());
  EXPECT_EQ(manager_->DescribeStacks("data").error().message, "Stack with id data does not exist");
  EXPECT_EQ(fake_->Live(), std::set<std::string>{"consumer"});
  EXPECT_TRUE(manager_->DeleteStack("never-was").ok());  // as CloudFormation: not an error
  auto listed = manager_->ListStacks({"DELETE_COMPLETE"});
  EXPECT_EQ(listed.size(), 2u);
}

TEST_F(StacksTest, ChangeSetsPlanCreateAndUpdateAndReportNoChanges) {
  auto cs = manager_->CreateChangeSet(Input("data", kTemplate), "first", "CREATE");
  ASSERT_TRUE(cs.ok()) << cs.error().message;
  EXPECT_EQ(Stack("data").status, "REVIEW_IN_PROGRESS");
  auto d = manager_->DescribeChangeSet("first", "data");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, "CREATE_COMPLETE");
  EXPECT_EQ(d->execution_status, "AVAILABLE");
  ASSERT_EQ(d->changes.size(), 2u);
  EXPECT_EQ(d->changes[0].action, "Add");
  ASSERT_TRUE(manager_->ExecuteChangeSet(cs->first, "").ok());
  manager_->WaitIdle();
  EXPECT_EQ(Stack("data").status, "CREATE_COMPLETE");

  auto empty = manager_->CreateChangeSet(Input("data", kTemplate), "same", "UPDATE");
  ASSERT_TRUE(empty.ok());
  auto e = manager_->DescribeChangeSet("same", "data");
  EXPECT_EQ(e->status, "FAILED");
  EXPECT_EQ(e->status_reason,
            "The submitted information didn't contain changes. Submit different information to create a change set.");
  auto refused = manager_->ExecuteChangeSet("same", "data");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, StackErrorType::kInvalidChangeSetStatusException);

  auto change = manager_->CreateChangeSet(Input("data", kTemplate, {{"Size", "3"}, {"Stage", "qa"}}), "more", "UPDATE");
  ASSERT_TRUE(change.ok());
  auto m = manager_->DescribeChangeSet("more", "data");
  ASSERT_EQ(m->changes.size(), 2u);
  EXPECT_EQ(m->changes[0].action, "Modify");
  EXPECT_EQ(m->changes[0].replacement, "True");
  auto missing = manager_->DescribeChangeSet("nope", "data");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, StackErrorType::kChangeSetNotFoundException);
  EXPECT_EQ(missing.error().message, "ChangeSet [nope] does not exist");
  ASSERT_TRUE(manager_->ExecuteChangeSet("more", "data").ok());
  manager_->WaitIdle();
  EXPECT_EQ(Stack("data").status, "UPDATE_COMPLETE");
  EXPECT_EQ(fake_->Live(), (std::set<std::string>{"qa-bucket", "qa-stream"}));
  // Executing "more" removed the stale "same".
  EXPECT_FALSE(manager_->DescribeChangeSet("same", "data").ok());
}

TEST_F(StacksTest, BadInputIsRefusedBeforeAnythingIsCreated) {
  auto bad_name = manager_->CreateStack(Input("1bad", kTemplate));
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.error().message,
            "1 validation error detected: Value '1bad' at 'stackName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*");
  auto bad_param = manager_->CreateStack(Input("data", kTemplate, {{"Nope", "x"}}));
  ASSERT_FALSE(bad_param.ok());
  EXPECT_EQ(bad_param.error().message, "Parameters: [Nope] do not exist in the template");
  auto iam = manager_->CreateStack(Input("roles", "Resources: {R: {Type: 'AWS::IAM::Role'}}"));
  ASSERT_FALSE(iam.ok());
  EXPECT_EQ(iam.error().code, StackErrorType::kInsufficientCapabilitiesException);
  EXPECT_EQ(iam.error().message, "Requires capabilities : [CAPABILITY_IAM]");
  StackInput named = Input("roles", "Resources: {R: {Type: 'AWS::IAM::Role', Properties: {RoleName: r}}}");
  named.capabilities = {"CAPABILITY_IAM"};
  auto n = manager_->CreateStack(named);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().message, "Requires capabilities : [CAPABILITY_NAMED_IAM]");
  EXPECT_TRUE(manager_->ListStacks({}).empty());
  auto v = manager_->ValidateTemplate("Resources: {R: {Type: 'AWS::IAM::Role'}}");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->capabilities, std::vector<std::string>{"CAPABILITY_IAM"});
  EXPECT_EQ(v->capabilities_reason, "The following resource(s) require capabilities: [R]");
}

TEST_F(StacksTest, ARestartRollsBackACreateItInterrupted) {
  ASSERT_TRUE(manager_->CreateStack(Input("data", kTemplate)).ok());
  manager_->WaitIdle();
  // Make the record look as a kill -9 in the middle of the create leaves it: the stack
  // CREATE_IN_PROGRESS, the second resource begun but not recorded as created.
  auto rows = catalog::LoadStacks(*catalog_);
  ASSERT_TRUE(rows.ok());
  Json record = Json::parse((*rows)[0].record);
  record["status"] = "CREATE_IN_PROGRESS";
  record["resources"][1]["status"] = "CREATE_IN_PROGRESS";
  record["resources"][1]["physical_id"] = "";
  record["outputs"] = Json::array();
  (*rows)[0].record = record.dump();
  ASSERT_TRUE(catalog::PutStack(*catalog_, (*rows)[0]).ok());
  Reopen();
  manager_->WaitIdle();
  EXPECT_EQ(Stack("data").status, "ROLLBACK_COMPLETE");
  // The half-created stream was found by the name chosen before its create ran.
  EXPECT_TRUE(fake_->Live().empty());
}

}  // namespace
}  // namespace sluice::stacks
