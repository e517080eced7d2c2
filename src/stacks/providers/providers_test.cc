// The built-in providers against the real domain modules in a scratch directory:
// what Create makes and what Ref/GetAtt give, in-place updates against replacements,
// deletes (and deleting what is already gone), and the reasons failures carry.
#include "stacks/providers.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "catalog/catalog.h"
#include "catalog/testing/test_util.h"
#include "delivery/delivery.h"
#include "functions/event_source_mappings.h"
#include "functions/functions.h"
#include "functions/logs.h"
#include "objects/local_store.h"
#include "stream/stream_manager.h"

namespace sluice::stacks {
namespace {

constexpr const char* kAccount = "123456789012";

class ProvidersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"objects", "streams", "functions", "delivery", "logs"}) {
      std::filesystem::create_directories(dir_.File(d));
    }
    catalog_ = catalog::Catalog::Open(dir_.File("catalog.db")).value();
    store_ = objects::LocalObjectStore::Open({.dir = dir_.File("objects"), .sync = false}).value();
    stream::StreamManagerOptions so;
    so.dir = dir_.File("streams");
    so.account_id = kAccount;
    so.fsync = log::FsyncPolicy::kNever;
    streams_ = stream::StreamManager::Open(so, *catalog_).value();
    functions::FunctionManagerOptions fo;
    fo.dir = dir_.File("functions");
    fo.account = kAccount;
    functions_ = functions::FunctionManager::Open(fo, *catalog_, *store_).value();
    functions::MappingManager::Options mo;
    mo.account_id = kAccount;
    mo.idle_poll_ms = 5;  // a deleted mapping is removed by its poller
    mo.store = store_.get();
    mappings_ = functions::MappingManager::Open(mo, *catalog_, *streams_, *functions_).value();
    delivery::DeliveryOptions d;
    d.dir = dir_.File("delivery");
    d.account_id = kAccount;
    d.start_thread = false;
    d.fsync = log::FsyncPolicy::kNever;
    d.streams = streams_.get();
    delivery_ = delivery::DeliveryManager::Open(d, *catalog_, *store_).value();
    logs_ = functions::LogStore::Open({.dir = dir_.File("logs"), .account = kAccount}, *catalog_).value();
    ProviderDeps deps;
    deps.logs = logs_.get();
    deps.objects = store_.get();
    deps.streams = streams_.get();
    deps.delivery = delivery_.get();
    deps.functions = functions_.get();
    deps.mappings = mappings_.get();
    deps.account_id = kAccount;
    AddBuiltinProviders(providers_, deps);
  }

  void TearDown() override {
    mappings_.reset();
    delivery_.reset();
    if (functions_) functions_->Shutdown();
  }

  ResourceProvider& P(std::string_view type) {
    ResourceProvider* p = providers_.Find(type);
    EXPECT_NE(p, nullptr) << type;
    return *p;
  }

  static ResourceRequest Request(std::string logical, Json properties, std::string physical_name = "") {
    ResourceRequest r;
    r.stack_name = "st";
    r.logical_id = std::move(logical);
    r.properties = std::move(properties);
    r.physical_name = physical_name.empty() ? "st-" + r.logical_id + "-ABCDEFGHIJKLM" : physical_name;
    return r;
  }

  static std::string Failure(const StackResult<ProvisionedResource>& r) {
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error().message;
  }

  std::string PythonFunction(const std::string& name) {
    auto r = P("AWS::Lambda::Function")
                 .Create(Request("Fn", {{"FunctionName", name},
                                        {"Runtime", "python3.12"},
                                        {"Handler", "index.handler"},
                                        {"Role", "arn:aws:iam::123456789012:role/r"},
                                        {"Code", {{"ZipFile", "def handler(e, c):\n  return e\n"}}}}));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->attributes["Arn"].get<std::string>() : "";
  }

  catalog::testing::TempDir dir_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<objects::LocalObjectStore> store_;
  std::unique_ptr<stream::StreamManager> streams_;
  std::unique_ptr<functions::FunctionManager> functions_;
  std::unique_ptr<functions::MappingManager> mappings_;
  std::unique_ptr<delivery::DeliveryManager> delivery_;
  std::unique_ptr<functions::LogStore> logs_;
  ResourceProviders providers_;
};

TEST_F(ProvidersTest, S3BucketCreatesRefsUpdatesAndDeletes) {
  auto& p = P("AWS::S3::Bucket");
  auto r = p.Create(Request("B", {{"BucketName", "lake"}}));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(store_->HeadBucket("lake").ok());
  EXPECT_EQ(r->physical_id, "lake");
  EXPECT_EQ(r->attributes["Arn"], "arn:aws:s3:::lake");
  EXPECT_EQ(r->attributes["DomainName"], "lake.s3.amazonaws.com");
  EXPECT_EQ(r->attributes["RegionalDomainName"], "lake.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(Failure(p.Create(Request("B", {{"BucketName", "lake"}}))), "lake already exists");
  // Without a name, the engine's chosen one.
  auto unnamed = p.Create(Request("Other", Json::object(), "st-other-abcdefghijklm"));
  ASSERT_TRUE(unnamed.ok());
  EXPECT_EQ(unnamed->physical_id, "st-other-abcdefghijklm");

  const Json before{{"BucketName", "lake"}};
  EXPECT_EQ(p.Classify(before, before), UpdateKind::kNone);
  EXPECT_EQ(p.Classify(before, {{"BucketName", "lake"}, {"Tags", Json::array()}}), UpdateKind::kInPlace);
  EXPECT_EQ(p.Classify(before, {{"BucketName", "lake2"}}), UpdateKind::kReplacement);

  ASSERT_TRUE(store_->Put("lake", "k", "v", {}).ok());
  auto busy = p.Delete(Request("B", before), *r);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().message,
            "Resource handler returned message: \"The bucket you tried to delete is not empty\" (Service: S3, Status Code: 409)");
  ASSERT_TRUE(store_->Delete("lake", "k").ok());
  EXPECT_TRUE(p.Delete(Request("B", before), *r).ok());
  EXPECT_FALSE(store_->HeadBucket("lake").ok());
  EXPECT_TRUE(p.Delete(Request("B", before), *r).ok());  // already gone
}

TEST_F(ProvidersTest, KinesisStreamResizesInPlaceAndReplacesOnName) {
  auto& p = P("AWS::Kinesis::Stream");
  const Json props{{"Name", "ingress"}, {"ShardCount", 2}, {"RetentionPeriodHours", 48}};
  auto r = p.Create(Request("S", props));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->physical_id, "ingress");
  EXPECT_EQ(r->attributes["Arn"], streams_->ArnFor("ingress"));
  auto d = streams_->DescribeStream("ingress");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->open_shard_count, 2);
  EXPECT_EQ(d->retention_hours, 48);

  Json bigger = props;
  bigger["ShardCount"] = "4";  // parameters arrive as text
  EXPECT_EQ(p.Classify(props, bigger), UpdateKind::kInPlace);
  auto u = p.Update(Request("S", bigger), *r, props);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(streams_->DescribeStream("ingress")->open_shard_count, 4);
  Json renamed = props;
  renamed["Name"] = "ingress2";
  EXPECT_EQ(p.Classify(props, renamed), UpdateKind::kReplacement);

  EXPECT_EQ(Failure(p.Create(Request("Zero", {{"Name", "z"}, {"ShardCount", 0}}))),
            "Properties validation failed for resource Zero with message: #/ShardCount: expected minimum value: 1");
  EXPECT_EQ(Failure(p.Create(Request("S", props))).rfind("Resource handler returned message: \"Stream ingress under account", 0), 0u);

  ASSERT_TRUE(p.Delete(Request("S", bigger), *u).ok());
  EXPECT_FALSE(streams_->DescribeStream("ingress").ok());
  EXPECT_TRUE(p.Delete(Request("S", bigger), *u).ok());
}

TEST_F(ProvidersTest, LambdaFunctionFromZipFileAndFromAMissingS3Key) {
  auto& p = P("AWS::Lambda::Function");
  const std::string arn = PythonFunction("fn");
  EXPECT_EQ(arn, "arn:aws:lambda:us-east-1:123456789012:function:fn");
  auto got = functions_->Get("fn", "");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->handler, "index.handler");

  const Json props{{"FunctionName", "fn"}, {"Runtime", "python3.12"}, {"Handler", "index.handler"},
                   {"Role", "arn:aws:iam::123456789012:role/r"}, {"Code", {{"ZipFile", "x = 1\n"}}}};
  Json longer = props;
  longer["Timeout"] = 30;
  EXPECT_EQ(p.Classify(props, longer), UpdateKind::kInPlace);
  Json renamed = props;
  renamed["FunctionName"] = "fn2";
  EXPECT_EQ(p.Classify(props, renamed), UpdateKind::kReplacement);
  auto u = p.Update(Request("Fn", longer), {"fn", {{"Arn", arn}}}, props);
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(functions_->Get("fn", "")->timeout_s, 30);

  ASSERT_TRUE(store_->CreateBucket("deploy").ok());
  const std::string missing = Failure(p.Create(Request(
      "Other", {{"FunctionName", "other"}, {"Runtime", "python3.12"}, {"Handler", "h.h"},
                {"Role", "arn:aws:iam::123456789012:role/r"}, {"Code", {{"S3Bucket", "deploy"}, {"S3Key", "code/v1.zip"}}}})));
  EXPECT_NE(missing.find("NoSuchKey"), std::string::npos) << missing;
  EXPECT_NE(missing.find("code/v1.zip"), std::string::npos) << missing;
  EXPECT_EQ(Failure(p.Create(Request("J", {{"FunctionName", "j"}, {"Runtime", "java17"}, {"Handler", "h"},
                                          {"Role", "arn:aws:iam::123456789012:role/r"}, {"Code", {{"ZipFile", "x"}}}}))),
            "Resource handler returned message: \"ZipFile can only be used when Runtime is set to either of nodejs or "
            "python runtimes\" (Service: Lambda, Status Code: 400)");
  EXPECT_EQ(Failure(p.Create(Request("NoCode", {{"Runtime", "python3.12"}}))),
            "Properties validation failed for resource NoCode with message: #: required key [Code] not found");

  ASSERT_TRUE(p.Delete(Request("Fn", longer), *u).ok());
  EXPECT_FALSE(functions_->Get("fn", "").ok());
  EXPECT_TRUE(p.Delete(Request("Fn", longer), *u).ok());
}

TEST_F(ProvidersTest, LambdaPermissionIsAStatementOfTheFunctionsPolicy) {
  auto& p = P("AWS::Lambda::Permission");
  const std::string arn = PythonFunction("fn");
  const Json props{{"FunctionName", arn}, {"Action", "lambda:InvokeFunction"}, {"Principal", "s3.amazonaws.com"}};
  auto r = p.Create(Request("Perm", props, "st-Perm-XYZ"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->physical_id, "st-Perm-XYZ");
  EXPECT_EQ(r->attributes["Id"], "st-Perm-XYZ");
  Json other = props;
  other["Principal"] = "sns.amazonaws.com";
  EXPECT_EQ(p.Classify(props, other), UpdateKind::kReplacement);
  EXPECT_EQ(Failure(p.Create(Request("Bad", {{"FunctionName", arn}, {"Action", "lambda:InvokeFunction"}}))),
            "Properties validation failed for resource Bad with message: #: required key [Principal] not found");
  const std::string gone = Failure(p.Create(Request("Gone", {{"FunctionName", "nope"}, {"Action", "lambda:InvokeFunction"},
                                                            {"Principal", "s3.amazonaws.com"}})));
  EXPECT_NE(gone.find("Function not found"), std::string::npos) << gone;
  EXPECT_TRUE(p.Delete(Request("Perm", props), *r).ok());
  EXPECT_TRUE(p.Delete(Request("Perm", props), *r).ok());
}

TEST_F(ProvidersTest, EventSourceMappingRefIsTheUuidAndUpdatesInPlace) {
  auto& p = P("AWS::Lambda::EventSourceMapping");
  ASSERT_TRUE(streams_->CreateStream("ingress", 1, "PROVISIONED", {}).ok());
  const std::string fn = PythonFunction("consumer");
  const Json props{{"EventSourceArn", streams_->ArnFor("ingress")}, {"FunctionName", fn}, {"BatchSize", 1000},
                   {"StartingPosition", "LATEST"}};
  auto r = p.Create(Request("Map", props));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->physical_id.size(), 36u);
  EXPECT_EQ(r->attributes["Id"], r->physical_id);
  EXPECT_EQ(r->attributes["EventSourceMappingArn"],
            "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:" + r->physical_id);
  EXPECT_EQ(mappings_->Get(r->physical_id)->config.batch_size, 1000);

  Json smaller = props;
  smaller["BatchSize"] = 10;
  EXPECT_EQ(p.Classify(props, smaller), UpdateKind::kInPlace);
  ASSERT_TRUE(p.Update(Request("Map", smaller), *r, props).ok());
  EXPECT_EQ(mappings_->Get(r->physical_id)->config.batch_size, 10);
  // A property the template no longer has returns to Lambda's default.
  Json plain = smaller;
  plain.erase("BatchSize");
  ASSERT_TRUE(p.Update(Request("Map", plain), *r, smaller).ok());
  EXPECT_EQ(mappings_->Get(r->physical_id)->config.batch_size, 100);
  Json trim = props;
  trim["StartingPosition"] = "TRIM_HORIZON";
  EXPECT_EQ(p.Classify(props, trim), UpdateKind::kReplacement);

  Json no_stream = props;
  no_stream["EventSourceArn"] = streams_->ArnFor("missing");
  const std::string why = Failure(p.Create(Request("Bad", no_stream)));
  EXPECT_EQ(why.rfind("Resource handler returned message: ", 0), 0u) << why;
  EXPECT_NE(why.find("(Service: Lambda, Status Code: 400)"), std::string::npos) << why;

  ASSERT_TRUE(p.Delete(Request("Map", plain), *r).ok());
  EXPECT_FALSE(mappings_->Get(r->physical_id).ok());
  EXPECT_TRUE(p.Delete(Request("Map", plain), *r).ok());
}

TEST_F(ProvidersTest, DeliveryStreamDestinationUpdatesInPlace) {
  auto& p = P("AWS::KinesisFirehose::DeliveryStream");
  ASSERT_TRUE(store_->CreateBucket("out").ok());
  const Json props{{"DeliveryStreamName", "to-lake"},
                   {"DeliveryStreamType", "DirectPut"},
                   {"S3DestinationConfiguration",
                    {{"BucketARN", "arn:aws:s3:::out"},
                     {"RoleARN", "arn:aws:iam::123456789012:role/f"},
                     {"Prefix", "context=firehose_delivery/"},
                     {"CompressionFormat", "UNCOMPRESSED"},
                     {"BufferingHints", {{"IntervalInSeconds", 300}, {"SizeInMBs", 5}}}}}};
  auto r = p.Create(Request("D", props));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->physical_id, "to-lake");
  EXPECT_EQ(r->attributes["Arn"], "arn:aws:firehose:us-east-1:123456789012:deliverystream/to-lake");
  auto info = delivery_->Describe("to-lake");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->config.destination.prefix, "context=firehose_delivery/");

  Json faster = props;
  faster["S3DestinationConfiguration"]["BufferingHints"]["IntervalInSeconds"] = "60";
  EXPECT_EQ(p.Classify(props, faster), UpdateKind::kInPlace);
  ASSERT_TRUE(p.Update(Request("D", faster), *r, props).ok());
  EXPECT_EQ(delivery_->Describe("to-lake")->config.destination.hints.interval_s, 60);
  Json renamed = props;
  renamed["DeliveryStreamName"] = "other";
  EXPECT_EQ(p.Classify(props, renamed), UpdateKind::kReplacement);

  const std::string redshift =
      Failure(p.Create(Request("R", {{"DeliveryStreamName", "r"}, {"RedshiftDestinationConfiguration", Json::object()}})));
  EXPECT_NE(redshift.find("InvalidArgumentException: sluice delivers only to S3"), std::string::npos) << redshift;

  ASSERT_TRUE(p.Delete(Request("D", faster), *r).ok());
  EXPECT_FALSE(delivery_->Describe("to-lake").ok());
  EXPECT_TRUE(p.Delete(Request("D", faster), *r).ok());
}

TEST_F(ProvidersTest, RecordedTypesReturnAwsIdentifiers) {
  auto role = P("AWS::IAM::Role").Create(Request("Role", {{"Path", "/service/"}}, "st-Role-ABC"));
  ASSERT_TRUE(role.ok());
  EXPECT_EQ(role->physical_id, "st-Role-ABC");
  EXPECT_EQ(role->attributes["Arn"], "arn:aws:iam::123456789012:role/service/st-Role-ABC");
  const std::string role_id = role->attributes["RoleId"];
  EXPECT_EQ(role_id.size(), 21u);
  EXPECT_EQ(role_id.rfind("AROA", 0), 0u);
  EXPECT_EQ(P("AWS::IAM::Role").Classify({{"RoleName", "a"}}, {{"RoleName", "b"}}), UpdateKind::kReplacement);
  EXPECT_EQ(P("AWS::IAM::Role").Classify({{"RoleName", "a"}}, {{"RoleName", "a"}, {"Policies", Json::array()}}),
            UpdateKind::kInPlace);

  auto managed = P("AWS::IAM::ManagedPolicy").Create(Request("MP", {{"ManagedPolicyName", "read"}}));
  ASSERT_TRUE(managed.ok());
  EXPECT_EQ(managed->physical_id, "arn:aws:iam::123456789012:policy/read");
  EXPECT_EQ(managed->attributes["PolicyArn"], managed->physical_id);
}

TEST_F(ProvidersTest, LogGroupIsARealGroupWithRetention) {
  auto& p = P("AWS::Logs::LogGroup");
  const auto group = [&](const std::string& name) -> std::optional<functions::LogGroupInfo> {
    auto page = logs_->DescribeGroups(name, "", 50);
    for (const auto& g : page->groups) {
      if (g.name == name) return g;
    }
    return std::nullopt;
  };
  const Json props{{"LogGroupName", "/aws/lambda/fn"}, {"RetentionInDays", 7}};
  auto created = p.Create(Request("LG", props));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->physical_id, "/aws/lambda/fn");
  EXPECT_EQ(created->attributes["Arn"], "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*");
  ASSERT_TRUE(group("/aws/lambda/fn"));
  EXPECT_EQ(group("/aws/lambda/fn")->retention_days, 7);
  EXPECT_EQ(group("/aws/lambda/fn")->arn, created->attributes["Arn"].get<std::string>());

  // Without a name: the engine's; without RetentionInDays: events never expire.
  auto unnamed = p.Create(Request("Other", Json::object()));
  ASSERT_TRUE(unnamed.ok());
  EXPECT_EQ(unnamed->physical_id, "st-Other-ABCDEFGHIJKLM");
  EXPECT_EQ(group("st-Other-ABCDEFGHIJKLM")->retention_days, std::nullopt);

  EXPECT_EQ(Failure(p.Create(Request("Again", {{"LogGroupName", "/aws/lambda/fn"}}))),
            "Resource handler returned message: \"Resource of type 'AWS::Logs::LogGroup' with identifier "
            "'{\"/properties/LogGroupName\":\"/aws/lambda/fn\"}' already exists.\" (HandlerErrorCode: AlreadyExists)");
  EXPECT_EQ(Failure(p.Create(Request("Bad", {{"LogGroupName", "no spaces"}}))),
            "Resource handler returned message: \"1 validation error detected: Value 'no spaces' at 'logGroupName' "
            "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+\" "
            "(Service: CloudWatchLogs, Status Code: 400)");
  // A retention Logs refuses fails the create whole.
  EXPECT_NE(Failure(p.Create(Request("Odd", {{"LogGroupName", "odd"}, {"RetentionInDays", 8}}))).find(
                "Value '8' at 'retentionInDays' failed to satisfy constraint"),
            std::string::npos);
  EXPECT_FALSE(group("odd"));

  // RetentionInDays in place, the name replaces.
  Json longer = props;
  longer["RetentionInDays"] = 30;
  EXPECT_EQ(p.Classify(props, longer), UpdateKind::kInPlace);
  Json renamed = props;
  renamed["LogGroupName"] = "/aws/lambda/other";
  EXPECT_EQ(p.Classify(props, renamed), UpdateKind::kReplacement);
  ASSERT_TRUE(p.Update(Request("LG", longer), *created, props).ok());
  EXPECT_EQ(group("/aws/lambda/fn")->retention_days, 30);
  ASSERT_TRUE(p.Update(Request("LG", {{"LogGroupName", "/aws/lambda/fn"}}), *created, longer).ok());
  EXPECT_EQ(group("/aws/lambda/fn")->retention_days, std::nullopt);

  // A create that failed (no physical id) never deletes a group of that name: it may be
  // another stack's. A generated name is this stack's.
  ASSERT_TRUE(p.Delete(Request("Again", {{"LogGroupName", "/aws/lambda/fn"}}), {}).ok());
  EXPECT_TRUE(group("/aws/lambda/fn"));
  ASSERT_TRUE(p.Delete(Request("Other", Json::object()), {}).ok());
  EXPECT_FALSE(group("st-Other-ABCDEFGHIJKLM"));
  ASSERT_TRUE(p.Delete(Request("LG", props), *created).ok());
  EXPECT_FALSE(group("/aws/lambda/fn"));
  EXPECT_TRUE(p.Delete(Request("LG", props), *created).ok());  // already gone
}

}  // namespace
}  // namespace sluice::stacks
