// The failures an object store reports, one enumerator per S3 error code so the API
// layer maps them 1:1 to S3's error XML and the remote client maps S3's answers back.
#pragma once

#include <string>
#include <string_view>

#include "base/expected.h"

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

struct ObjectError {
  S3Error code = S3Error::kInternalError;
  std::string message;
};

template <typename T>
using ObjResult = Expected<T, ObjectError>;
using ObjStatus = Expected<Done, ObjectError>;

inline ObjectError Err(S3Error code, std::string message) { return {code, std::move(message)}; }

}  // namespace sluice::objects

// ASSIGN_OR_RETURN for ObjResult: declares `lhs` from the value or returns the error.
#define ASSIGN_OR_RETURN_OBJ(lhs, expr) \
  ASSIGN_OR_RETURN_OBJ_IMPL(SLUICE_OBJ_CONCAT(_obj_result_, __LINE__), lhs, expr)
#define SLUICE_OBJ_CONCAT_INNER(a, b) a##b
#define SLUICE_OBJ_CONCAT(a, b) SLUICE_OBJ_CONCAT_INNER(a, b)
#define ASSIGN_OR_RETURN_OBJ_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return std::move(tmp).error();   \
  lhs = std::move(tmp).value()
