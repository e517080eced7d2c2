// What the S3 front end parses out of a request (src/frontends/s3/internal/request.h):
// decimal numbers, Range, the query string, the bucket and key of the address, HTTP
// dates. The input is split into those pieces by FuzzedDataProvider. Invariants: what
// parses prints back to text that parses to the same value, numbers stay within their
// grammar, and an address never yields a bucket the store would take as a path.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "aws/sigv4.h"
#include "base/clock.h"
#include "check.h"
#include "internal/request.h"
#include "objects/key_path.h"

namespace s3 = sluice::frontends::s3;

namespace {

bool AllDigits(std::string_view s) {
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void CheckDecimal(const std::string& s, size_t max_digits) {
  const auto v = s3::ParseDecimal(s, max_digits);
  if (!v) return;
  FUZZ_CHECK(!s.empty() && s.size() <= max_digits && AllDigits(s));
  // Leading zeros are the only way two texts give one value.
  const std::string printed = std::to_string(*v);
  FUZZ_CHECK(printed.size() <= s.size());
  FUZZ_CHECK(s.compare(s.size() - printed.size(), printed.size(), printed) == 0);
  FUZZ_CHECK(s.find_first_not_of('0') == std::string::npos ? *v == 0 : s.find_first_not_of('0') == s.size() - printed.size());
}

void CheckInteger(const std::string& s) {
  const auto v = s3::ParseS3Integer(s);
  if (!v) return;
  FUZZ_CHECK(*v >= 0);
  const auto d = s3::ParseDecimal(s, 10);
  FUZZ_CHECK(d && *d == static_cast<uint64_t>(*v));
}

void CheckRange(const std::string& header) {
  const auto r = s3::ParseRange(header);
  if (!r) return;
  FUZZ_CHECK(r->first || r->last);
  if (r->first && r->last) FUZZ_CHECK(*r->first <= *r->last);
  std::string printed = "bytes=";
  if (r->first) printed += std::to_string(*r->first);
  printed += '-';
  if (r->last) printed += std::to_string(*r->last);
  const auto again = s3::ParseRange(printed);
  FUZZ_CHECK(again && again->first == r->first && again->last == r->last);
}

void CheckQuery(const std::string& query) {
  const auto params = s3::ParseQuery(query);
  std::string printed;
  for (const auto& [name, value] : params) {
    if (!printed.empty()) printed += '&';
    printed += sluice::aws::UriEncode(name, true) + "=" + sluice::aws::UriEncode(value, true);
  }
  FUZZ_CHECK(s3::ParseQuery(printed) == params);
}

void CheckAddress(const std::string& host, const std::string& target) {
  sluice::http::RequestHead head;
  head.method = "GET";
  head.host = host;
  head.target = target;
  const s3::S3Address a = s3::ParseS3Address(head);
  // A bucket name the store accepts is one directory name below its root.
  if (sluice::objects::ValidateBucketName(a.bucket).ok()) {
    FUZZ_CHECK(a.bucket.find('/') == std::string::npos);
    FUZZ_CHECK(a.bucket.front() != '.' && a.bucket.find("..") == std::string::npos);
  }
  if (!a.virtual_host && a.bucket.find('/') == std::string::npos) {
    // Path style: the bucket is the first segment, so encoding bucket and key puts
    // them back where they were.
    const std::string_view path = head.Path();
    std::string again = "/" + sluice::aws::UriEncode(a.bucket, true);
    if (path.find('/', 1) != std::string_view::npos) again += "/" + sluice::aws::UriEncode(a.key, false);
    head.target = again;
    const s3::S3Address b = s3::ParseS3Address(head);
    FUZZ_CHECK(b.bucket == a.bucket && b.key == a.key && !b.virtual_host);
  }
}

void CheckHttpDate(const std::string& text) {
  const auto t = s3::ParseHttpDate(text);
  if (!t) return;
  // Within what the formatter can print (years 0-9999), the printed date reads back.
  if (*t < -62167219200 || *t > 253402300799) return;
  const std::string printed = s3::HttpDate(*t * 1000);
  const auto again = s3::ParseHttpDate(printed);
  FUZZ_CHECK(again && *again == *t);
  // ISO dates are printed for the store's own times only: years 1000-9999.
  if (*t < -30610224000) return;
  const std::string iso = sluice::Iso8601Millis(*t * 1000);
  FUZZ_CHECK(iso.size() == 24 && iso.ends_with(".000Z"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const size_t max_digits = in.ConsumeIntegralInRange<size_t>(0, 20);
  const std::string host = in.ConsumeRandomLengthString(300);
  const std::string target = in.ConsumeRandomLengthString(2000);
  const std::string rest = in.ConsumeRemainingBytesAsString();
  for (const std::string& s : {host, target, rest}) {
    CheckDecimal(s, max_digits);
    CheckInteger(s);
    CheckRange(s);
    CheckHttpDate(s);
  }
  CheckRange("bytes=" + rest);
  CheckQuery(rest);
  CheckQuery(target);
  CheckAddress(host, target.starts_with("/") ? target : "/" + target);
  return 0;
}
