#include "internal/error_log.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace sluice::delivery {
namespace {

// AWS's "Amazon S3 Data Delivery Errors", word for word.
constexpr std::string_view kAccessDenied =
    "Access was denied. Ensure that the trust policy for the provided IAM role allows Kinesis Data Firehose to "
    "assume the role, and the access policy allows access to the S3 bucket.";
constexpr std::string_view kNoSuchBucket =
    "The specified bucket does not exist. Create the bucket or use a different bucket that does exist.";
constexpr std::string_view kMethodNotAllowed =
    "The specified method is not allowed against this resource. Modify the bucket\u2019s policy to allow the "
    "correct Amazon S3 operation permissions.";
constexpr std::string_view kInternalError =
    "An internal error occurred while attempting to deliver data. Delivery will be retried; if the error "
    "persists, then it will be reported to AWS for resolution.";

// The function logs a ProcessingFailed result itself; Firehose does not.
constexpr std::string_view kProcessingFailedStatus = "Lambda.ProcessingFailedStatus";

std::string StringMember(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string ErrorLogEvent(const std::string& stream_arn, const S3Destination& d, int64_t version,
                          const DeliveryError& e) {
  nlohmann::ordered_json j;
  j["deliveryStreamARN"] = stream_arn;
  j["destination"] = d.bucket_arn;
  j["deliveryStreamVersionId"] = version;
  j["message"] = e.message;
  j["errorCode"] = e.code;
  if (!e.processor.empty()) j["processor"] = e.processor;
  // A message quoting a record that is not UTF-8 gets U+FFFD in its place, never a throw.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

DeliveryError S3WriteError(objects::S3Error code) {
  switch (code) {
    case objects::S3Error::kNoSuchBucket:
      return {"S3.NoSuchBucket", std::string(kNoSuchBucket), ""};
    case objects::S3Error::kAccessDenied:
      return {"S3.AccessDenied", std::string(kAccessDenied), ""};
    case objects::S3Error::kMethodNotAllowed:
      return {"S3.MethodNotAllowed", std::string(kMethodNotAllowed), ""};
    default:
      return {"InternalError", std::string(kInternalError), ""};
  }
}

std::vector<DeliveryError> ErrorsOfErrorOutput(std::string_view lines) {
  std::vector<DeliveryError> out;
  while (!lines.empty()) {
    const size_t nl = lines.find('\n');
    const std::string_view line = lines.substr(0, nl);
    lines = nl == std::string_view::npos ? std::string_view() : lines.substr(nl + 1);
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    DeliveryError e{StringMember(j, "errorCode"), StringMember(j, "errorMessage"), StringMember(j, "lambdaArn")};
    if (e.code.empty() || e.code == kProcessingFailedStatus) continue;
    if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(std::move(e));
  }
  return out;
}

namespace {

bool LoggingOn(const ErrorLogSink* sink, const S3Destination& d) {
  return sink != nullptr && d.logging && d.logging->enabled.value_or(false);
}

}  // namespace

void LogDeliveryErrors(ErrorLogSink* sink, const std::string& stream_arn, const S3Destination& d, int64_t version,
                       int64_t now_ms, const std::vector<DeliveryError>& errors) {
  if (!LoggingOn(sink, d)) return;
  for (const DeliveryError& e : errors) {
    sink->Write(d.logging->log_group_name, d.logging->log_stream_name, now_ms,
                ErrorLogEvent(stream_arn, d, version, e));
  }
}

void LogErrorOutput(ErrorLogSink* sink, const std::string& stream_arn, const S3Destination& d, int64_t version,
                    int64_t now_ms, std::string_view lines) {
  if (!LoggingOn(sink, d)) return;
  LogDeliveryErrors(sink, stream_arn, d, version, now_ms, ErrorsOfErrorOutput(lines));
}

}  // namespace sluice::delivery
