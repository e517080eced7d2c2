#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::aws {
namespace {

// The AWS SigV4 test suite's fixed inputs: example keys, us-east-1, a service named
// "service", signed at 2015-08-30T12:36:00Z. Expected strings below are the suite's
// .creq / .sts / .authz contents for each case.
constexpr int64_t kSuiteTime = 1440938160;
const Credentials kSuiteCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const SigningScope kSuiteScope{"us-east-1", "service"};
constexpr std::string_view kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr std::string_view kCredentialPrefix =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";

HttpRequest SuiteRequest(std::string method, std::string path, std::string query = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.endpoint = "https://example.amazonaws.com";
  r.path = std::move(path);
  r.query = std::move(query);
  r.headers.push_back({"Host", "example.amazonaws.com"});
  return r;
}

std::string SignedAuthorization(HttpRequest r, const Credentials& creds = kSuiteCreds) {
  const Status st = SignRequest(r, creds, kSuiteScope, kSuiteTime);
  EXPECT_TRUE(st.ok()) << st.ToString();
  const std::string* a = r.FindHeader("Authorization");
  return a ? *a : std::string();
}

std::string Join(std::initializer_list<std::string_view> lines) {
  std::string out;
  for (const std::string_view l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

TEST(SigV4, GetVanillaMatchesCanonicalRequestStringToSignAndAuthorization) {
  HttpRequest r = SuiteRequest("GET", "/");
  r.headers.push_back({"X-Amz-Date", "20150830T123600Z"});
  const std::string creq = CanonicalRequest(r, kEmptyHash, PathCanonicalization::kNormalizeAndEncode);
  EXPECT_EQ(creq, Join({"GET", "/", "", "host:example.amazonaws.com", "x-amz-date:20150830T123600Z", "",
                        "host;x-amz-date", kEmptyHash}));
  const std::string sts = StringToSign("20150830T123600Z", CredentialScope("20150830T123600Z", kSuiteScope), creq);
  EXPECT_EQ(sts, Join({"AWS4-HMAC-SHA256", "20150830T123600Z", "20150830/us-east-1/service/aws4_request",
                       "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"}));
  EXPECT_EQ(SignedAuthorization(SuiteRequest("GET", "/")),
            std::string(kCredentialPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, GetVanillaQueryOrderKeyCaseSortsParametersByName) {
  HttpRequest r = SuiteRequest("GET", "/", "Param2=value2&Param1=value1");
  r.headers.push_back({"X-Amz-Date", "20150830T123600Z"});
  const std::string creq = CanonicalRequest(r, kEmptyHash, PathCanonicalization::kNormalizeAndEncode);
  EXPECT_EQ(creq, Join({"GET", "/", "Param1=value1&Param2=value2", "host:example.amazonaws.com",
                        "x-amz-date:20150830T123600Z", "", "host;x-amz-date", kEmptyHash}));
  EXPECT_EQ(Sha256Hex(creq), "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
  EXPECT_EQ(SignedAuthorization(SuiteRequest("GET", "/", "Param2=value2&Param1=value1")),
            std::string(kCredentialPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4, PostXWwwFormUrlencodedSignsContentTypeAndBodyHash) {
  HttpRequest r = SuiteRequest("POST", "/");
  r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  r.body = "Param1=value1";
  HttpRequest dated = r;
  dated.headers.push_back({"X-Amz-Date", "20150830T123600Z"});
  const std::string creq =
      CanonicalRequest(dated, Sha256Hex(dated.body), PathCanonicalization::kNormalizeAndEncode);
  EXPECT_EQ(creq, Join({"POST", "/", "", "content-type:application/x-www-form-urlencoded",
                        "host:example.amazonaws.com", "x-amz-date:20150830T123600Z", "",
                        "content-type;host;x-amz-date",
                        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"}));
  EXPECT_EQ(StringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq),
            Join({"AWS4-HMAC-SHA256", "20150830T123600Z", "20150830/us-east-1/service/aws4_request",
                  "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281"}));
  EXPECT_EQ(SignedAuthorization(r),
            std::string(kCredentialPrefix) +
                "SignedHeaders=content-type;host;x-amz-date, "
                "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(SigV4, GetHeaderValueTrimCollapsesInnerSpacesEvenInsideQuotes) {
  HttpRequest r = SuiteRequest("GET", "/");
  r.headers.push_back({"My-Header1", " value1"});
  r.headers.push_back({"My-Header2", " \"a   b   c\""});
  HttpRequest dated = r;
  dated.headers.push_back({"X-Amz-Date", "20150830T123600Z"});
  const std::string creq = CanonicalRequest(dated, kEmptyHash, PathCanonicalization::kNormalizeAndEncode);
  EXPECT_EQ(creq, Join({"GET", "/", "", "host:example.amazonaws.com", "my-header1:value1",
                        "my-header2:\"a b c\"", "x-amz-date:20150830T123600Z", "",
                        "host;my-header1;my-header2;x-amz-date", kEmptyHash}));
  EXPECT_EQ(SignedAuthorization(r),
            std::string(kCredentialPrefix) +
                "SignedHeaders=host;my-header1;my-header2;x-amz-date, "
                "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

TEST(SigV4, NormalizePathSlashDotSlashSignsLikeTheRoot) {
  EXPECT_EQ(SignedAuthorization(SuiteRequest("GET", "/./")),
            std::string(kCredentialPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, NormalizePathRelativeRelativeSignsLikeTheRoot) {
  EXPECT_EQ(SignedAuthorization(SuiteRequest("GET", "/example1/example2/../..")),
            SignedAuthorization(SuiteRequest("GET", "/")));
}

TEST(SigV4, NormalizePathCollapsesDuplicateSlashes) {
  HttpRequest r = SuiteRequest("GET", "//example//");
  r.headers.push_back({"X-Amz-Date", "20150830T123600Z"});
  EXPECT_EQ(CanonicalRequest(r, kEmptyHash, PathCanonicalization::kNormalizeAndEncode).substr(0, 14),
            "GET\n/example/\n");
  EXPECT_EQ(SignedAuthorization(SuiteRequest("GET", "//example//")),
            std::string(kCredentialPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84");
}

TEST(SigV4, NormalizePathEncodesASpace) {
  EXPECT_EQ(SignedAuthorization(SuiteRequest("GET", "/example space/")),
            std::string(kCredentialPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741");
}

TEST(SigV4, PostStsTokenSignsTheSecurityTokenHeader) {
  const std::string token =
      "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8Y"
      "UuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6f"
      "E8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj"
      "2ICCR/oLxBA==";
  Credentials creds = kSuiteCreds;
  creds.session_token = token;
  HttpRequest r = SuiteRequest("POST", "/");
  ASSERT_TRUE(SignRequest(r, creds, kSuiteScope, kSuiteTime).ok());
  ASSERT_NE(r.FindHeader("X-Amz-Security-Token"), nullptr);
  EXPECT_EQ(*r.FindHeader("X-Amz-Security-Token"), token);
  EXPECT_EQ(*r.FindHeader("Authorization"),
            std::string(kCredentialPrefix) +
                "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
}

TEST(SigV4, S3ModeKeepsThePathAndSignsContentSha256) {
  // The Amazon S3 API reference's GET Object example (examplebucket, Range bytes=0-9).
  HttpRequest r;
  r.method = "GET";
  r.endpoint = "https://examplebucket.s3.amazonaws.com";
  r.path = "/test.txt";
  r.headers.push_back({"Range", "bytes=0-9"});
  const SigningScope s3{"us-east-1", "s3", PathCanonicalization::kAsIs, true};
  const Credentials creds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  ASSERT_TRUE(SignRequest(r, creds, s3, 1369353600).ok());
  EXPECT_EQ(*r.FindHeader("x-amz-content-sha256"), kEmptyHash);
  EXPECT_EQ(*r.FindHeader("Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, S3ModeDoesNotNormalizeOrReencodeThePath) {
  HttpRequest r = SuiteRequest("GET", "/a//b/../c%20d");
  EXPECT_EQ(CanonicalRequest(r, kEmptyHash, PathCanonicalization::kAsIs).substr(0, 19), "GET\n/a//b/../c%20d\n");
  EXPECT_EQ(CanonicalRequest(r, kEmptyHash, PathCanonicalization::kNormalizeAndEncode).substr(0, 15),
            "GET\n/a/c%2520d\n");
}

TEST(SigV4, ResigningReplacesDateAndAuthorizationInsteadOfDuplicating) {
  HttpRequest r = SuiteRequest("GET", "/");
  ASSERT_TRUE(SignRequest(r, kSuiteCreds, kSuiteScope, kSuiteTime - 100).ok());
  ASSERT_TRUE(SignRequest(r, kSuiteCreds, kSuiteScope, kSuiteTime).ok());
  int authz = 0, dates = 0;
  for (const HttpHeader& h : r.headers) {
    authz += HeaderNameEquals(h.name, "authorization");
    dates += HeaderNameEquals(h.name, "x-amz-date");
  }
  EXPECT_EQ(authz, 1);
  EXPECT_EQ(dates, 1);
  EXPECT_EQ(*r.FindHeader("Authorization"), SignedAuthorization(SuiteRequest("GET", "/")));
}

TEST(SigV4, HostIsTakenFromTheEndpointWhenAbsent) {
  HttpRequest r;
  r.method = "POST";
  r.endpoint = "http://127.0.0.1:4567";
  ASSERT_TRUE(SignRequest(r, kSuiteCreds, kSuiteScope, kSuiteTime).ok());
  EXPECT_EQ(*r.FindHeader("host"), "127.0.0.1:4567");
}

TEST(SigV4, EmptyCredentialsAreRefused) {
  HttpRequest r = SuiteRequest("GET", "/");
  EXPECT_EQ(SignRequest(r, Credentials{}, kSuiteScope, kSuiteTime).code(), StatusCode::kInvalidArgument);
}

TEST(SigV4, QueryValuesAreDecodedThenEncodedStrictly) {
  HttpRequest r = SuiteRequest("GET", "/", "b=a%20b&a=x+y&c&d=~");
  const std::string creq = CanonicalRequest(r, kEmptyHash, PathCanonicalization::kNormalizeAndEncode);
  EXPECT_NE(creq.find("\na=x%2By&b=a%20b&c=&d=~\n"), std::string::npos) << creq;
}

TEST(SigV4, FormatAmzDateIsBasicIso8601InUtc) {
  EXPECT_EQ(FormatAmzDate(kSuiteTime), "20150830T123600Z");
  EXPECT_EQ(FormatAmzDate(0), "19700101T000000Z");
}

TEST(SigV4, UriEncodeKeepsUnreservedAndUppercasesHex) {
  EXPECT_EQ(UriEncode("a-b_c.d~e f/g", false), "a-b_c.d~e%20f/g");
  EXPECT_EQ(UriEncode("a/b", true), "a%2Fb");
  EXPECT_EQ(UriEncode("\xc3\xbc", true), "%C3%BC");
  EXPECT_EQ(UriDecode("%41%zz%4"), "A%zz%4");
}

}  // namespace
}  // namespace sluice::aws
