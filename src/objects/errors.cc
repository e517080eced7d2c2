#include "objects/errors.h"

#include <array>
#include <utility>

namespace sluice::objects {
namespace {

struct Entry {
  S3Error code;
  std::string_view name;
  int status;
};

constexpr std::array kTable = {
    Entry{S3Error::kNoSuchBucket, "NoSuchBucket", 404},
    Entry{S3Error::kNoSuchKey, "NoSuchKey", 404},
    Entry{S3Error::kNoSuchUpload, "NoSuchUpload", 404},
    Entry{S3Error::kBucketAlreadyOwnedByYou, "BucketAlreadyOwnedByYou", 409},
    Entry{S3Error::kBucketAlreadyExists, "BucketAlreadyExists", 409},
    Entry{S3Error::kBucketNotEmpty, "BucketNotEmpty", 409},
    Entry{S3Error::kInvalidBucketName, "InvalidBucketName", 400},
    Entry{S3Error::kKeyTooLongError, "KeyTooLongError", 400},
    Entry{S3Error::kInvalidArgument, "InvalidArgument", 400},
    Entry{S3Error::kInvalidRange, "InvalidRange", 416},
    Entry{S3Error::kInvalidPart, "InvalidPart", 400},
    Entry{S3Error::kInvalidPartOrder, "InvalidPartOrder", 400},
    Entry{S3Error::kEntityTooSmall, "EntityTooSmall", 400},
    Entry{S3Error::kEntityTooLarge, "EntityTooLarge", 400},
    Entry{S3Error::kBadDigest, "BadDigest", 400},
    Entry{S3Error::kIncompleteBody, "IncompleteBody", 400},
    Entry{S3Error::kMalformedTrailerError, "MalformedTrailerError", 400},
    Entry{S3Error::kInvalidDigest, "InvalidDigest", 400},
    Entry{S3Error::kMalformedXML, "MalformedXML", 400},
    Entry{S3Error::kMethodNotAllowed, "MethodNotAllowed", 405},
    Entry{S3Error::kNotImplemented, "NotImplemented", 501},
    Entry{S3Error::kPreconditionFailed, "PreconditionFailed", 412},
    Entry{S3Error::kNotModified, "NotModified", 304},
    Entry{S3Error::kInvalidRequest, "InvalidRequest", 400},
    Entry{S3Error::kAccessDenied, "AccessDenied", 403},
    Entry{S3Error::kSlowDown, "SlowDown", 503},
    Entry{S3Error::kServiceUnavailable, "ServiceUnavailable", 503},
    Entry{S3Error::kInternalError, "InternalError", 500},
};

const Entry& Find(S3Error e) {
  for (const Entry& entry : kTable) {
    if (entry.code == e) return entry;
  }
  return kTable.back();
}

}  // namespace

std::string_view S3ErrorName(S3Error e) { return Find(e).name; }
int S3ErrorHttpStatus(S3Error e) { return Find(e).status; }

S3Error S3ErrorFromName(std::string_view name) {
  for (const Entry& entry : kTable) {
    if (entry.name == name) return entry.code;
  }
  if (name == "Throttling" || name == "ThrottlingException" || name == "RequestLimitExceeded") {
    return S3Error::kSlowDown;
  }
  return S3Error::kInternalError;
}

}  // namespace sluice::objects
