// The failures an object store reports, one enumerator per S3 error code so the API
// layer maps them 1:1 to S3's error XML and the remote client maps S3's answers back.
#pragma once

#include <string>
#include <string_view>

#include "base/expected.h"
#include "base/status.h"

namespace sluice::objects {

enum class S3Error {
  kNoSuchBucket,
  kNoSuchKey,
  kNoSuchUpload,
  kBucketAlreadyOwnedByYou,
  kBucketAlreadyExists,
  kBucketNotEmpty,
  kInvalidBucketName,
  kKeyTooLongError,
  kInvalidArgument,
  kInvalidRange,
  kInvalidPart,
  kInvalidPartOrder,
  kEntityTooSmall,
  kEntityTooLarge,
  kBadDigest,
  kIncompleteBody,
  kMalformedTrailerError,  // an aws-chunked trailer x-amz-trailer did not declare
  kInvalidDigest,
  kMalformedXML,
  kMethodNotAllowed,
  kNotImplemented,
  kPreconditionFailed,
  kNotModified,          // not an error to S3 clients, but the same control flow (304)
  kInvalidRequest,
  kAccessDenied,
  kSlowDown,             // throttling from a remote store
  kServiceUnavailable,
  kInternalError,        // I/O failure or a bug
};

// The S3 error code string, e.g. "NoSuchBucket".
std::string_view S3ErrorName(S3Error e);
// The HTTP status S3 answers with, e.g. 404 for NoSuchKey.
int S3ErrorHttpStatus(S3Error e);
// The enumerator for an S3 code string; kInternalError for codes we do not model.
S3Error S3ErrorFromName(std::string_view name);

using ObjectError = Error<S3Error>;

template <typename T>
using ObjResult = Expected<T, ObjectError>;
using ObjStatus = Expected<Done, ObjectError>;

inline ObjectError Err(S3Error code, std::string message) { return {code, std::move(message)}; }

}  // namespace sluice::objects
