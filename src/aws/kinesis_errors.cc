#include "aws/kinesis_errors.h"

#include <array>
#include <utility>

namespace sluice::aws {
namespace {

constexpr std::array<std::pair<KinesisErrorCode, std::string_view>, 20> kNames = {{
    {KinesisErrorCode::kProvisionedThroughputExceeded, "ProvisionedThroughputExceededException"},
    {KinesisErrorCode::kResourceNotFound, "ResourceNotFoundException"},
    {KinesisErrorCode::kResourceInUse, "ResourceInUseException"},
    {KinesisErrorCode::kInvalidArgument, "InvalidArgumentException"},
    {KinesisErrorCode::kLimitExceeded, "LimitExceededException"},
    {KinesisErrorCode::kExpiredIterator, "ExpiredIteratorException"},
    {KinesisErrorCode::kExpiredNextToken, "ExpiredNextTokenException"},
    {KinesisErrorCode::kValidation, "ValidationException"},
    {KinesisErrorCode::kAccessDenied, "AccessDeniedException"},
    {KinesisErrorCode::kUnrecognizedClient, "UnrecognizedClientException"},
    {KinesisErrorCode::kInvalidSignature, "InvalidSignatureException"},
    {KinesisErrorCode::kIncompleteSignature, "IncompleteSignatureException"},
    {KinesisErrorCode::kMissingAuthenticationToken, "MissingAuthenticationTokenException"},
    {KinesisErrorCode::kSerialization, "SerializationException"},
    {KinesisErrorCode::kUnknownOperation, "UnknownOperationException"},
    {KinesisErrorCode::kThrottling, "ThrottlingException"},
    {KinesisErrorCode::kKmsThrottling, "KMSThrottlingException"},
    {KinesisErrorCode::kInternalFailure, "InternalFailure"},
    {KinesisErrorCode::kServiceUnavailable, "ServiceUnavailable"},
    {KinesisErrorCode::kTransport, "TransportError"},
}};

}  // namespace

std::string_view KinesisErrorName(KinesisErrorCode code) {
  for (const auto& [c, name] : kNames) {
    if (c == code) return name;
  }
  return "UnknownError";
}

KinesisErrorCode KinesisErrorFromType(std::string_view type) {
  if (const size_t hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  if (const size_t colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
  for (const auto& [c, name] : kNames) {
    if (name == type) return c;
  }
  // Spellings seen from other implementations of the same errors.
  if (type == "InternalFailureException" || type == "InternalServerError") return KinesisErrorCode::kInternalFailure;
  if (type == "ServiceUnavailableException") return KinesisErrorCode::kServiceUnavailable;
  if (type == "Throttling" || type == "ThrottledException") return KinesisErrorCode::kThrottling;
  return KinesisErrorCode::kUnknown;
}

bool IsRetryable(KinesisErrorCode code) {
  switch (code) {
    case KinesisErrorCode::kProvisionedThroughputExceeded:
    case KinesisErrorCode::kLimitExceeded:
    case KinesisErrorCode::kThrottling:
    case KinesisErrorCode::kKmsThrottling:
    case KinesisErrorCode::kInternalFailure:
    case KinesisErrorCode::kServiceUnavailable:
      return true;
    default:
      return false;
  }
}

std::string KinesisError::ToString() const {
  std::string out = type.empty() ? std::string(KinesisErrorName(code)) : type;
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  if (!message.empty()) out += ": " + message;
  return out;
}

Status KinesisError::ToStatus() const {
  switch (code) {
    case KinesisErrorCode::kResourceNotFound: return Status::NotFound(ToString());
    case KinesisErrorCode::kResourceInUse: return Status::FailedPrecondition(ToString());
    case KinesisErrorCode::kInvalidArgument:
    case KinesisErrorCode::kValidation:
    case KinesisErrorCode::kSerialization:
    case KinesisErrorCode::kExpiredIterator:
    case KinesisErrorCode::kExpiredNextToken:
      return Status::InvalidArgument(ToString());
    default:
      return retryable ? Status::Unavailable(ToString()) : Status::IOError(ToString());
  }
}

}  // namespace sluice::aws
