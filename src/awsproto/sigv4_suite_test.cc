// The AWS Signature Version 4 test suite's request/signature pairs (testdata/
// sigv4_suite.txt), run against the server-side verifier: each signed request is
// accepted, and the same request with one signature digit changed is refused.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "awsproto/sigv4_verify.h"

namespace sluice::awsproto {
namespace {

struct SuiteCase {
  std::string name;
  http::Request request;
};

std::vector<SuiteCase> LoadSuite() {
  std::ifstream in(std::string(SLUICE_AWSPROTO_TESTDATA) + "/sigv4_suite.txt");
  std::vector<SuiteCase> cases;
  std::string line, path, query, signed_headers;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t sp = line.find(' ');
    const std::string key = line.substr(0, sp);
    const std::string value = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (key == "case") {
      cases.push_back({value, {}});
      path.clear();
      query.clear();
    } else if (key == "method") {
      cases.back().request.head.method = value;
    } else if (key == "path") {
      path = value;
    } else if (key == "query") {
      query = value;
    } else if (key == "header") {
      const size_t colon = value.find(':');
      std::string v = value.substr(colon + 1);
      if (!v.empty() && v[0] == ' ') v.erase(0, 1);
      cases.back().request.head.headers.emplace_back(value.substr(0, colon), v);
      if (value.substr(0, colon) == "host") cases.back().request.head.host = v;
    } else if (key == "body") {
      cases.back().request.body = value;
    } else if (key == "signed") {
      signed_headers = value;
    } else if (key == "signature") {
      http::RequestHead& h = cases.back().request.head;
      h.target = query.empty() ? path : path + "?" + query;
      h.headers.emplace_back("authorization",
                             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                             "SignedHeaders=" + signed_headers + ", Signature=" + value);
    }
  }
  return cases;
}

SigV4Verifier SuiteVerifier(const Clock& clock) {
  CredentialStore keys;
  keys.Add("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  return SigV4Verifier(std::move(keys), clock);
}

TEST(SigV4Suite, EverySuiteRequestVerifies) {
  ManualClock clock(1440938160000);  // 2015-08-30T12:36:00Z
  const SigV4Verifier verifier = SuiteVerifier(clock);
  const auto cases = LoadSuite();
  ASSERT_GE(cases.size(), 20u);
  for (const SuiteCase& c : cases) {
    const auto v = verifier.Verify(c.request.head, SigV4Rules{}, &c.request.body);
    EXPECT_TRUE(v.ok()) << c.name << ": " << (v.ok() ? "" : v.error().s3_details.size() > 2 ? v.error().s3_details[4].second : v.error().json_message);
  }
}

TEST(SigV4Suite, EverySuiteRequestWithAnAlteredSignatureIsRefused) {
  ManualClock clock(1440938160000);
  const SigV4Verifier verifier = SuiteVerifier(clock);
  for (SuiteCase c : LoadSuite()) {
    std::string& authz = c.request.head.headers.back().second;
    authz.back() = authz.back() == '0' ? '1' : '0';
    const auto v = verifier.Verify(c.request.head, SigV4Rules{}, &c.request.body);
    ASSERT_FALSE(v.ok()) << c.name;
    EXPECT_EQ(v.error().code, AuthError::kSignatureMismatch) << c.name;
  }
}

}  // namespace
}  // namespace sluice::awsproto
