// The ResponseURLs of custom resource requests: presigned like the S3 URLs
// CloudFormation hands out (SigV4 query parameters, UNSIGNED-PAYLOAD, S3's path rules),
// with the credential scope's service "cloudformation" so that sluice's gateway routes
// the PUT to the CloudFormation front end.
#include <algorithm>
#include <chrono>

#include "base/sigv4_core.h"
#include "stacks/custom_resources.h"

namespace sluice::stacks {
namespace {

// AWS hands out ResponseURLs valid for two hours.
constexpr int64_t kUrlExpiresSeconds = 7200;
// Waiters read the clock again at least this often (a ManualClock moves without telling).
constexpr int64_t kClockPollMs = 1000;

std::string BucketFor(std::string_view region) {
  std::string out = "cloudformation-custom-resource-response-";
  for (const char c : region) {
    if (c != '-') out += c;
  }
  return out;
}

std::string HostOf(std::string_view url) {
  const size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  return std::string(rest.substr(0, rest.find('/')));
}

}  // namespace

CustomResourceResponses::CustomResourceResponses(CustomResponsesOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? *options_.clock : Clock::Real()),
      bucket_(BucketFor(options_.region)) {}

CustomResourceResponses::~CustomResourceResponses() { Shutdown(); }

void CustomResourceResponses::SetEndpoint(std::string base_url, std::string access_key_id,
                                          std::string secret_access_key) {
  const MutexLock lock(mu_);
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  base_url_ = std::move(base_url);
  key_id_ = std::move(access_key_id);
  secret_ = std::move(secret_access_key);
}

std::string CustomResourceResponses::Presign(const std::string& path, int64_t expires_s) const {
  const int64_t now_s = clock_.NowMillis() / 1000;
  const std::string amz_date = sigv4::FormatAmzDate(now_s);
  const std::string scope = sigv4::CredentialScope(amz_date.substr(0, 8), options_.region, "cloudformation");
  const std::string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" +
                            sigv4::UriEncode(key_id_ + "/" + scope, true) + "&X-Amz-Date=" + amz_date +
                            "&X-Amz-Expires=" + std::to_string(expires_s) + "&X-Amz-SignedHeaders=host";
  sigv4::CanonicalHeaders headers;
  headers.Add("host", HostOf(base_url_));
  // S3's path rule, as the verifier applies it: the key decoded, then encoded once.
  const std::string canonical_path = sigv4::UriEncode(sigv4::UriDecode(path), false);
  const std::string request = sigv4::CanonicalRequest("PUT", canonical_path, sigv4::CanonicalQuery(query), headers,
                                                      sigv4::kUnsignedPayload);
  const Sha256Digest key =
      sigv4::DeriveSigningKey(secret_, amz_date.substr(0, 8), options_.region, "cloudformation");
  const std::string signature = sigv4::Sign(key, sigv4::StringToSign(amz_date, scope, request));
  return base_url_ + path + "?" + query + "&X-Amz-Signature=" + signature;
}

std::string CustomResourceResponses::Expect(const std::string& object_key, int64_t timeout_ms) {
  const MutexLock lock(mu_);
  pending_[object_key] = Pending{clock_.NowMillis() + timeout_ms, std::nullopt};
  return Presign("/" + bucket_ + "/" + sigv4::UriEncode(object_key, true), kUrlExpiresSeconds);
}

CustomResourceResponses::Waited CustomResourceResponses::Wait(const std::string& object_key) {
  const MutexLock lock(mu_);
  while (true) {
    const auto it = pending_.find(object_key);
    if (it == pending_.end()) return {WaitEnd::kTimedOut, ""};
    if (it->second.body) {
      Waited w{WaitEnd::kAnswered, std::move(*it->second.body)};
      pending_.erase(it);
      return w;
    }
    const int64_t now = clock_.NowMillis();
    if (shut_down_ || now >= it->second.deadline_ms) {
      pending_.erase(it);
      return {shut_down_ ? WaitEnd::kShutDown : WaitEnd::kTimedOut, ""};
    }
    cv_.WaitFor(mu_, std::chrono::milliseconds(std::min(it->second.deadline_ms - now, kClockPollMs)));
  }
}

void CustomResourceResponses::Forget(const std::string& object_key) {
  const MutexLock lock(mu_);
  pending_.erase(object_key);
}

bool CustomResourceResponses::IsResponsePath(std::string_view path) const {
  return path.size() > bucket_.size() + 2 && path[0] == '/' && path.substr(1, bucket_.size()) == bucket_ &&
         path[bucket_.size() + 1] == '/';
}

ResponseReceipt CustomResourceResponses::Deliver(std::string_view path, std::string body) {
  if (!IsResponsePath(path)) return {404, "NoSuchBucket", "The specified bucket does not exist"};
  const std::string key = sigv4::UriDecode(path.substr(bucket_.size() + 2));
  const MutexLock lock(mu_);
  const auto it = pending_.find(key);
  if (it != pending_.end() && !it->second.body) {
    it->second.body = std::move(body);
    cv_.SignalAll();
  }
  return {};
}

void CustomResourceResponses::Wake() {
  const MutexLock lock(mu_);
  cv_.SignalAll();
}

void CustomResourceResponses::Shutdown() {
  const MutexLock lock(mu_);
  shut_down_ = true;
  cv_.SignalAll();
}

}  // namespace sluice::stacks
