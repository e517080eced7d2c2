// Request ids as AWS services write them: the JSON services' UUID form
// (x-amzn-RequestId) and S3's 16 upper-case hex digits (x-amz-request-id).
#pragma once

#include <string>

namespace sluice::awsproto {

std::string NewUuidRequestId();
std::string NewS3RequestId();

}  // namespace sluice::awsproto
