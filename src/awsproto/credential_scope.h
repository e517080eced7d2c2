// The SigV4 credential scope of a request, read without verifying anything: from the
// Authorization header (`Credential=<key>/<date>/<region>/<service>/aws4_request`) or
// from a presigned URL's X-Amz-Credential query parameter. The gateway routes by its
// service; the signature itself is checked elsewhere.
#pragma once

#include <optional>
#include <string>

#include "http/types.h"

namespace sluice::awsproto {

struct CredentialScope {
  std::string access_key;
  std::string date;     // yyyymmdd
  std::string region;
  std::string service;  // the signing name: "kinesis", "s3", "firehose", ...
};

// nullopt when the request carries no credential of five '/'-separated parts ending
// in "aws4_request".
std::optional<CredentialScope> ParseCredentialScope(const http::RequestHead& head);

}  // namespace sluice::awsproto
