// The S3 operations (internal/ops.h) over a local store on a fault-injecting file
// system: the answers a client reads for odd headers and for failures of the disk.
#include <unistd.h>

#include <filesystem>
#include <tuple>

#include <gtest/gtest.h>

#include "base/base64.h"
#include "base/hash.h"
#include "base/testing/fault_file_system.h"
#include "internal/ops.h"
#include "objects/local_store.h"

namespace sluice::frontends::s3 {
namespace {

namespace stdfs = std::filesystem;
using sluice::testing::FaultFileSystem;

class S3OpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (stdfs::temp_directory_path() /
            ("sluice-s3ops-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
               .string();
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
    auto s = objects::LocalObjectStore::Open({.dir = dir_, .file_system = &files_});
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->CreateBucket("bkt").ok());
  }
  void TearDown() override {
    store_.reset();
    stdfs::remove_all(dir_);
  }

  Request Req(std::string method, std::string target, Headers headers = {}, std::string body = {}) {
    Request r;
    r.head.method = std::move(method);
    r.head.target = std::move(target);
    r.head.host = "localhost";
    r.head.headers = std::move(headers);
    r.body = std::move(body);
    return r;
  }
  Call CallFor(Request& r) {
    return Call{r, *store_, ParseS3Address(r.head), ParseQuery(r.head.Query()), "REQ"};
  }
  Response Put(const std::string& key, std::string body, Headers headers = {}) {
    Request r = Req("PUT", "/bkt/" + key, std::move(headers), std::move(body));
    Call c = CallFor(r);
    return Upload::Whole(c);
  }
  Response Get(const std::string& key, Headers headers = {}, bool head_only = false) {
    Request r = Req(head_only ? "HEAD" : "GET", "/bkt/" + key, std::move(headers));
    Call c = CallFor(r);
    return GetObject(c, head_only);
  }
  static std::string HeaderOf(const Response& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "<none>";
  }
  static std::string BodyOf(const Response& r) {
    if (!r.file) return r.body;
    std::string out(r.file->length(), '\0');
    EXPECT_EQ(r.file->ReadAt(0, out.data(), out.size()), static_cast<long>(out.size()));
    return out;
  }

  std::string dir_;
  FaultFileSystem files_{FileSystem::Posix()};
  std::unique_ptr<objects::LocalObjectStore> store_;
};

TEST_F(S3OpsTest, EmptyContentMd5IsInvalidDigestAndStoresNothing) {
  const Response r = Put("k", "data", {{"content-md5", ""}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>InvalidDigest</Code>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Message>The Content-MD5 you specified was invalid.</Message>"), std::string::npos);
  EXPECT_EQ(store_->Head("bkt", "k").error().code, objects::S3Error::kNoSuchKey);
  // Absent is still fine.
  EXPECT_EQ(Put("k", "data").status, 200);
}

TEST_F(S3OpsTest, TwentyDigitRangeEndServesToTheLastByte) {
  std::string data(1024, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i);
  ASSERT_EQ(Put("r", data).status, 200);
  for (const bool head : {false, true}) {
    const Response r = Get("r", {{"range", "bytes=0-99999999999999999999"}}, head);
    EXPECT_EQ(r.status, 206) << head;
    EXPECT_EQ(HeaderOf(r, "content-range"), "bytes 0-1023/1024");
    if (!head) {
      EXPECT_EQ(BodyOf(r), data);
    }
  }
  const Response tail = Get("r", {{"range", "bytes=1000-18446744073709551616"}});
  EXPECT_EQ(tail.status, 206);
  EXPECT_EQ(BodyOf(tail), data.substr(1000));
  // A start past the end, however many digits, is InvalidRange.
  const Response past = Get("r", {{"range", "bytes=99999999999999999999-"}});
  EXPECT_EQ(past.status, 416);
  EXPECT_NE(past.body.find("<Code>InvalidRange</Code>"), std::string::npos);
  EXPECT_EQ(HeaderOf(past, "content-range"), "bytes */1024");
}

TEST_F(S3OpsTest, InternalErrorAnswersNeverShowServerPaths) {
  files_.FailRenamesTo(dir_ + "/objects/bkt/");
  const Response r = Put("k", "data");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("<Code>InternalError</Code>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Message>We encountered an internal error. Please try again.</Message>"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(r.body.find(dir_), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("objects-tmp"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("Input/output error"), std::string::npos) << r.body;
}

TEST_F(S3OpsTest, DeleteObjectsEntriesHideInternalDetailToo) {
  // The key's metadata file replaced by a non-empty directory: removing it fails with
  // an errno that is not "missing", an internal error naming the path.
  ASSERT_EQ(Put("k", "x").status, 200);
  const std::string h = Sha256Hex("k");
  stdfs::remove(dir_ + "/objects-meta/bkt/keys/" + h.substr(0, 2) + "/" + h + ".json");
  stdfs::create_directories(dir_ + "/objects-meta/bkt/keys/" + h.substr(0, 2) + "/" + h + ".json/x");
  Request r = Req("POST", "/bkt?delete", {}, "<Delete><Object><Key>k</Key></Object></Delete>");
  Call c = CallFor(r);
  const Response answer = DeleteObjects(c);
  EXPECT_EQ(answer.status, 200);
  EXPECT_NE(answer.body.find("<Code>InternalError</Code>"), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find("We encountered an internal error. Please try again."), std::string::npos);
  EXPECT_EQ(answer.body.find(dir_), std::string::npos) << answer.body;
}

// The value of <Name>...</Name> in an XML body, or "<none>".
std::string Element(const std::string& body, const std::string& name) {
  const size_t open = body.find("<" + name + ">");
  if (open == std::string::npos) return "<none>";
  const size_t from = open + name.size() + 2;
  return body.substr(from, body.find("</" + name + ">", from) - from);
}

TEST_F(S3OpsTest, MultipartChecksumsAreCheckedPerPartAndCombinedAtComplete) {
  const auto call = [&](std::string method, std::string target, Headers headers, std::string body,
                        Response (*op)(Call&)) {
    Request r = Req(std::move(method), std::move(target), std::move(headers), std::move(body));
    Call c = CallFor(r);
    return op(c);
  };
  // SHA256 is composite only.
  const Response refused = call("POST", "/bkt/mp?uploads",
                                {{"x-amz-checksum-algorithm", "SHA256"}, {"x-amz-checksum-type", "FULL_OBJECT"}}, "",
                                &CreateMultipartUpload);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm."),
            std::string::npos)
      << refused.body;

  const Response created =
      call("POST", "/bkt/mp?uploads", {{"x-amz-checksum-algorithm", "SHA256"}}, "", &CreateMultipartUpload);
  ASSERT_EQ(created.status, 200);
  EXPECT_EQ(HeaderOf(created, "x-amz-checksum-type"), "COMPOSITE");
  const std::string id = Element(created.body, "UploadId");
  const std::string p1(objects::kMinPartBytes, 'a'), p2 = "tail";
  const auto sha = [](const std::string& d) { return objects::ComputeChecksum(objects::ChecksumAlgorithm::kSha256, d); };

  // A part sent with another algorithm, or (COMPOSITE) with none, is refused.
  const Response mismatch = call("PUT", "/bkt/mp?partNumber=1&uploadId=" + id,
                                 {{"x-amz-checksum-crc32", "AAAAAA=="}}, p1, &Upload::Whole);
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_NE(mismatch.body.find("Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum "
                               "Type: crc32"),
            std::string::npos)
      << mismatch.body;
  const Response none = call("PUT", "/bkt/mp?partNumber=1&uploadId=" + id, {}, p1, &Upload::Whole);
  EXPECT_EQ(none.status, 400);
  EXPECT_NE(none.body.find("expected checksum Type: sha256, actual checksum Type: null"), std::string::npos);
  const Response part1 = call("PUT", "/bkt/mp?partNumber=1&uploadId=" + id,
                              {{"x-amz-checksum-sha256", Base64Encode(sha(p1))}}, p1, &Upload::Whole);
  ASSERT_EQ(part1.status, 200);
  EXPECT_EQ(HeaderOf(part1, "x-amz-checksum-sha256"), Base64Encode(sha(p1)));
  const Response part2 = call("PUT", "/bkt/mp?partNumber=2&uploadId=" + id,
                              {{"x-amz-checksum-sha256", Base64Encode(sha(p2))}}, p2, &Upload::Whole);
  ASSERT_EQ(part2.status, 200);

  const auto complete_xml = [&](bool with_sums) {
    std::string xml = "<CompleteMultipartUpload>";
    for (const auto& [n, r, d] : {std::tuple{1, &part1, &p1}, std::tuple{2, &part2, &p2}}) {
      xml += "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>" + HeaderOf(*r, "etag") + "</ETag>";
      if (with_sums) xml += "<ChecksumSHA256>" + Base64Encode(sha(*d)) + "</ChecksumSHA256>";
      xml += "</Part>";
    }
    return xml + "</CompleteMultipartUpload>";
  };
  const Response missing = call("POST", "/bkt/mp?uploadId=" + id, {}, complete_xml(false), &CompleteMultipartUpload);
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Element(missing.body, "Code"), "InvalidRequest");
  const Response done = call("POST", "/bkt/mp?uploadId=" + id, {}, complete_xml(true), &CompleteMultipartUpload);
  ASSERT_EQ(done.status, 200) << done.body;
  const std::string want = Base64Encode(sha(sha(p1) + sha(p2))) + "-2";
  EXPECT_EQ(Element(done.body, "ChecksumSHA256"), want);
  EXPECT_EQ(Element(done.body, "ChecksumType"), "COMPOSITE");
  const Response head = Get("mp", {{"x-amz-checksum-mode", "ENABLED"}}, true);
  EXPECT_EQ(HeaderOf(head, "x-amz-checksum-sha256"), want);
  EXPECT_EQ(HeaderOf(head, "x-amz-checksum-type"), "COMPOSITE");
}

}  // namespace
}  // namespace sluice::frontends::s3
