#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/testing/test_util.h"
#include "functions/functions.h"
#include "internal/package.h"
#include "internal/process_pool.h"
#include "internal/validate.h"
#include "objects/local_store.h"
#include "metrics/testing/recording_registry.h"

namespace sluice::functions {
namespace {

using catalog::testing::TempDir;

struct Entry {
  std::string name;
  std::string data;
  int mode = 0644;
};

// A zip built in memory, with entries named exactly as given (even "../x").
std::string Zip(const std::vector<Entry>& entries) {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_open(
      a, &out, nullptr,
      [](archive*, void* user, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(user)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  for (const Entry& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, e.mode);
    archive_write_header(a, entry);
    archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

TEST(PackageTest, UnpacksFilesKeepingTheExecutableBit) {
  TempDir dir;
  const std::string dest = dir.File("pkg");
  auto r = UnpackZip(Zip({{"bootstrap", "#!/bin/sh\n", 0755}, {"lib/a.py", "x = 1\n"}}), dest);
  ASSERT_TRUE(r.ok()) << r.error().message;
  struct stat st {};
  ASSERT_EQ(stat((dest + "/bootstrap").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR);
  std::ifstream in(dest + "/lib/a.py");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "x = 1\n");
}

TEST(PackageTest, ZipFilesIsAPackageUnpackZipReads) {
  TempDir dir;
  const std::string dest = dir.File("pkg");
  auto zip = ZipFiles({{"index.py", "def handler(e, c):\n    return 1\n"}});
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  auto r = UnpackZip(*zip, dest);
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::ifstream in(dest + "/index.py");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "def handler(e, c):\n    return 1\n");
}

TEST(PackageTest, EntryClimbingOutOfThePackageRefusesTheWholeZip) {
  TempDir dir;
  const std::string dest = dir.File("pkg");
  auto r = UnpackZip(Zip({{"ok.py", "1"}, {"../evil.py", "2"}}), dest);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, LambdaError::kInvalidParameterValue);
  EXPECT_EQ(r.error().message, "Could not unzip uploaded file. Please check your file, then try to upload again.");
  EXPECT_FALSE(std::filesystem::exists(dir.File("evil.py")));
  EXPECT_FALSE(std::filesystem::exists(dest));
}

TEST(PackageTest, AbsoluteEntryAndNonZipAreRefused) {
  TempDir dir;
  EXPECT_FALSE(UnpackZip(Zip({{"/tmp/sluice-zip-slip-abs", "x"}}), dir.File("a")).ok());
  EXPECT_FALSE(std::filesystem::exists("/tmp/sluice-zip-slip-abs"));
  auto r = UnpackZip("this is not a zip", dir.File("b"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, LambdaError::kInvalidParameterValue);
}

TEST(ValidateTest, FunctionReferencesResolveToNameAndQualifier) {
  auto a = ParseFunctionRef("arn:aws:lambda:us-east-1:123456789012:function:my-fn:$LATEST");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "my-fn");
  EXPECT_EQ(a->qualifier, "$LATEST");
  auto b = ParseFunctionRef("123456789012:function:fn_2");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->name, "fn_2");
  EXPECT_TRUE(b->qualifier.empty());
  EXPECT_FALSE(ParseFunctionRef("bad name"));
  EXPECT_FALSE(ParseFunctionRef("a:b:c"));
}

TEST(ValidateTest, ReservedEnvironmentKeysAreRefusedByName) {
  auto e = CheckEnvironment({{"AWS_REGION", "x"}, {"MINE", "y"}});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, LambdaError::kInvalidParameterValue);
  EXPECT_TRUE(e->message.ends_with("Reserved keys used in this request: AWS_REGION")) << e->message;
  EXPECT_FALSE(CheckEnvironment({{"MINE", "y"}}));
}

class ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(false); }
  void Open(bool strict) {
    manager_.reset();
    logs_.reset();
    catalog_.reset();
    auto c = catalog::Catalog::Open(dir_.File("catalog.db"));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    catalog_ = std::move(*c);
    if (!store_) {
      auto s = objects::LocalObjectStore::Open({.dir = dir_.path().string(), .sync = false});
      ASSERT_TRUE(s.ok());
      store_ = std::move(*s);
    }
    auto logs = LogStore::Open({.dir = dir_.File("logs")}, *catalog_);
    ASSERT_TRUE(logs.ok()) << logs.status().ToString();
    logs_ = std::move(*logs);
    FunctionManagerOptions o{.dir = dir_.File("functions")};
    o.logs = logs_.get();
    o.strict_runtimes = strict;
    o.metrics = registry_;
    auto m = FunctionManager::Open(o, *catalog_, *store_);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    manager_ = std::move(*m);
  }
  CreateFunctionInput Input(const std::string& name, const std::string& runtime = "python3.12") {
    CreateFunctionInput in;
    in.config.name = name;
    in.config.runtime = runtime;
    in.config.handler = "app.handler";
    in.config.role = "arn:aws:iam::123456789012:role/r";
    in.code.zip = Zip({{"app.py", "def handler(e, c):\n    return e\n"}});
    return in;
  }
  TempDir dir_;
  metrics::testing::RecordingRegistry registry_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<objects::LocalObjectStore> store_;
  std::unique_ptr<LogStore> logs_;
  std::unique_ptr<FunctionManager> manager_;
};

TEST_F(ManagerTest, CreatedFunctionSurvivesReopenAndIsListedInPages) {
  for (const char* n : {"a", "b", "c"}) ASSERT_TRUE(manager_->Create(Input(n)).ok());
  Open(false);
  auto got = manager_->Get("arn:aws:lambda:us-east-1:000000000000:function:b", "");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(got->handler, "app.handler");
  EXPECT_EQ(got->state, "Active");
  auto page = manager_->List("", 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->functions.size(), 2u);
  EXPECT_EQ(page->next_marker, "c");
  auto rest = manager_->List(page->next_marker, 2);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->functions.size(), 1u);
  EXPECT_TRUE(rest->next_marker.empty());
}

TEST_F(ManagerTest, DuplicateAndMissingFunctionsGetLambdasErrors) {
  ASSERT_TRUE(manager_->Create(Input("f")).ok());
  auto dup = manager_->Create(Input("f"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, LambdaError::kResourceConflict);
  EXPECT_EQ(dup.error().message, "Function already exist: f");
  auto missing = manager_->Get("nope", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, LambdaError::kResourceNotFound);
  EXPECT_EQ(missing.error().message, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
}

TEST_F(ManagerTest, DeprecatedRuntimeIsAcceptedUnlessStrict) {
  EXPECT_TRUE(manager_->Create(Input("old", "python3.6")).ok());
  Open(true);
  auto refused = manager_->Create(Input("old2", "python3.6"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, LambdaError::kInvalidParameterValue);
  EXPECT_EQ(refused.error().message,
            "The runtime parameter of python3.6 is no longer supported for creating or updating AWS Lambda "
            "functions. We recommend you use the new runtime (python3.13) while creating or updating functions.");
}

TEST_F(ManagerTest, CodeFromAMissingS3ObjectIsRefusedAndNothingIsCreated) {
  ASSERT_TRUE(store_->CreateBucket("code").ok());
  CreateFunctionInput in = Input("s3fn");
  in.code = CodeSource{.zip = std::nullopt, .s3_bucket = "code", .s3_key = "missing.zip"};
  auto r = manager_->Create(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, LambdaError::kInvalidParameterValue);
  EXPECT_FALSE(manager_->Get("s3fn", "").ok());
  const std::string zip = *Input("x").code.zip;
  ASSERT_TRUE(store_->Put("code", "fn.zip", zip, {}).ok());
  in.code.s3_key = "fn.zip";
  EXPECT_TRUE(manager_->Create(in).ok());
}

TEST_F(ManagerTest, ConfigurationChangesKeepRunningTheInstalledPackage) {
  ASSERT_TRUE(manager_->Create(Input("cfg")).ok());
  ConfigUpdate u;
  u.timeout_s = 10;
  auto up = manager_->UpdateConfig("cfg", u);
  ASSERT_TRUE(up.ok()) << up.error().message;
  ASSERT_TRUE(manager_->PutConcurrency("cfg", 2).ok());
  auto got = manager_->Get("cfg", "");
  ASSERT_TRUE(got.ok());
  EXPECT_GT(got->generation, got->package);
  EXPECT_TRUE(std::filesystem::exists(dir_.File("functions/packages/cfg/" + std::to_string(got->package) + "/app.py")));
}

TEST_F(ManagerTest, BuiltinHandlersRunInProcessThroughTheInvoker) {
  ASSERT_TRUE(store_->CreateBucket("out").ok());
  CreateFunctionInput in = Input("w2s3");
  in.config.handler = "sluice.builtin.write_to_s3";
  in.config.environment = {{"OUTPUT_BUCKET", "out"}};
  ASSERT_TRUE(manager_->Create(in).ok());
  Invoker& invoker = *manager_;
  auto resolved = invoker.Resolve("w2s3");
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->handler, "sluice.builtin.write_to_s3");
  const std::string event = R"({"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"k",)"
                            R"("sequenceNumber":"49001","data":"eyJhIjoxfQ==","approximateArrivalTimestamp":1700000000.5},)"
                            R"("eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"shardId-000000000000:49001",)"
                            R"("eventName":"aws:kinesis:record","invokeIdentityArn":"arn:aws:iam::000000000000:role/r",)"
                            R"("awsRegion":"us-east-1","eventSourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s"}]})";
  auto out = invoker.Invoke({"w2s3", event});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->function_error, FunctionError::kNone) << out->payload;
  EXPECT_EQ(out->function_arn, "arn:aws:lambda:us-east-1:000000000000:function:w2s3");
  auto listed = store_->List("out", {});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->objects.size(), 1u);
  auto missing = invoker.Invoke({"nope", "{}"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, InvokeErrorType::kResourceNotFound);
}

TEST_F(ManagerTest, BuiltinInvocationsWriteLambdasLogLinesToTheFunctionsGroup) {
  ASSERT_TRUE(store_->CreateBucket("out").ok());
  CreateFunctionInput in = Input("w2s3");
  in.config.handler = "sluice.builtin.write_to_s3";
  in.config.memory_mb = 512;
  in.config.environment = {{"OUTPUT_BUCKET", "out"}};
  ASSERT_TRUE(manager_->Create(in).ok());
  Invoker& invoker = *manager_;
  ASSERT_EQ(invoker.Invoke({"w2s3", R"({"Records":[]})"})->function_error, FunctionError::kNone);
  ASSERT_EQ(invoker.Invoke({"w2s3", "not an event"})->function_error, FunctionError::kUnhandled);
  auto streams = logs_->DescribeStreams({.group = "/aws/lambda/w2s3"});
  ASSERT_TRUE(streams.ok()) << streams.error().message;
  ASSERT_EQ(streams->streams.size(), 1u);
  auto events = logs_->GetEvents({.group = "/aws/lambda/w2s3", .stream = streams->streams[0].name,
                                  .start_from_head = true});
  ASSERT_TRUE(events.ok()) << events.error().message;
  std::vector<std::string> lines;
  for (const LogEvent& e : events->events) lines.push_back(e.message);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_TRUE(lines[0].starts_with("START RequestId: ")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with("END RequestId: ")) << lines[1];
  EXPECT_TRUE(lines[2].starts_with("REPORT RequestId: ")) << lines[2];
  EXPECT_NE(lines[2].find("\tMemory Size: 512 MB\tMax Memory Used: 0 MB\t"), std::string::npos) << lines[2];
  EXPECT_TRUE(lines[4].starts_with("[ERROR] ValueError: ")) << lines[4];
  EXPECT_TRUE(lines[5].starts_with("END RequestId: ")) << lines[5];
}

TEST_F(ManagerTest, InvocationsErrorsAndThrottlesAreReportedAsAwsLambdaMetrics) {
  ASSERT_TRUE(store_->CreateBucket("out").ok());
  CreateFunctionInput ok = Input("good");
  ok.config.handler = "sluice.builtin.write_to_s3";
  ok.config.environment = {{"OUTPUT_BUCKET", "out"}};
  ASSERT_TRUE(manager_->Create(ok).ok());
  CreateFunctionInput bad = Input("bad");
  bad.config.handler = "sluice.builtin.no_such_builtin";
  ASSERT_TRUE(manager_->Create(bad).ok());
  ASSERT_TRUE(manager_->Create(Input("held")).ok());
  ASSERT_TRUE(manager_->PutConcurrency("held", 0).ok());
  Invoker& invoker = *manager_;
  ASSERT_EQ(invoker.Invoke({"good", R"({"Records":[]})"})->function_error, FunctionError::kNone);
  ASSERT_EQ(invoker.Invoke({"bad", "{}"})->function_error, FunctionError::kUnhandled);
  auto held = invoker.Invoke({"held", "{}"});
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.error().code, InvokeErrorType::kTooManyRequests);
  auto id = [](const char* name, const char* fn) {
    std::vector<metrics::Dimension> d;
    if (fn != nullptr) d.push_back({"FunctionName", fn});
    return metrics::MakeId("AWS/Lambda", name, std::move(d));
  };
  EXPECT_EQ(registry_.Samples(id("Invocations", "good")), (std::vector<double>{1}));
  EXPECT_EQ(registry_.Samples(id("Errors", "good")), (std::vector<double>{0}));
  EXPECT_EQ(registry_.Samples(id("Errors", "bad")), (std::vector<double>{1}));
  EXPECT_EQ(registry_.Samples(id("Duration", "good")).size(), 1u);
  EXPECT_EQ(registry_.Samples(id("Throttles", "held")), (std::vector<double>{1}));
  EXPECT_TRUE(registry_.Samples(id("Invocations", "held")).empty());
  EXPECT_EQ(registry_.Samples(id("Invocations", nullptr)), (std::vector<double>{1, 1}));
  EXPECT_EQ(registry_.Samples(id("Throttles", nullptr)), (std::vector<double>{1}));
  EXPECT_EQ(registry_.Samples(id("ConcurrentExecutions", nullptr)), (std::vector<double>{1, 1, 1}));
}

TEST_F(ManagerTest, ConcurrentCodeUpdatesLeaveTheRecordedPackageOnDisk) {
  ASSERT_TRUE(manager_->Create(Input("busy")).ok());
  auto update = [this](const std::string& text) {
    for (int i = 0; i < 10; ++i) {
      CodeSource code;
      code.zip = Zip({{"app.py", text}});
      ASSERT_TRUE(manager_->UpdateCode("busy", code, std::nullopt).ok());
    }
  };
  std::thread a(update, "A = 1\n");
  std::thread b(update, "B = 2\n");
  a.join();
  b.join();
  auto got = manager_->Get("busy", "");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->generation, 21);
  std::ifstream in(dir_.File("functions/packages/busy/" + std::to_string(got->package) + "/app.py"));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(text == "A = 1\n" || text == "B = 2\n") << text;
  // The recorded hash is the hash of the package that is on disk.
  EXPECT_EQ(CodeSha256(Zip({{"app.py", text}})), got->code_sha256);
}

// The pool without the runtime API: processes that never ask for work.
LambdaResult<InvokeResult> RunOnce(ProcessPool& pool, std::shared_ptr<const LaunchSpec> spec) {
  std::promise<LambdaResult<InvokeResult>> p;
  pool.Invoke(std::move(spec), "req-1", "{}", [&p](LambdaResult<InvokeResult> r) { p.set_value(std::move(r)); });
  return p.get_future().get();
}

std::shared_ptr<LaunchSpec> ShellSpec(const std::string& script, int64_t timeout_ms) {
  auto spec = std::make_shared<LaunchSpec>();
  spec->function_name = "sh";
  spec->timeout_ms = timeout_ms;
  spec->init_timeout_ms = 0;
  spec->spawn.argv = {"/bin/sh", "-c", script};
  return spec;
}

TEST(ProcessPoolTest, CrashingRuntimeIsAnUnhandledExitError) {
  ProcessPool pool(4);
  auto r = RunOnce(pool, ShellSpec("echo dying; exit 3", 60'000));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->function_error);
  EXPECT_EQ(r->payload,
            R"({"errorMessage":"RequestId: req-1 Error: Runtime exited with error: exit status 3","errorType":"Runtime.ExitError"})");
  EXPECT_NE(r->log_tail.find("dying"), std::string::npos);
}

TEST(ProcessPoolTest, TimeoutKillsTheProcessAndReportsLambdasMessage) {
  ProcessPool pool(4);
  auto r = RunOnce(pool, ShellSpec("exec sleep 600", 50));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->function_error);
  EXPECT_EQ(r->payload,
            R"({"errorMessage":"RequestId: req-1 Error: Task timed out after 0.05 seconds","errorType":"Sandbox.Timedout"})");
}

TEST(ProcessPoolTest, ReservedConcurrencyZeroThrottles) {
  ProcessPool pool(4);
  auto spec = ShellSpec("exit 0", 1000);
  spec->reserved_concurrency = 0;
  auto r = RunOnce(pool, spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, LambdaError::kTooManyRequests);
}

}  // namespace
}  // namespace sluice::functions
