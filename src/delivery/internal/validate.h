// Internal to the delivery module: the rules between a configuration's fields that the
// API's shape cannot express, with AWS's messages, and the options sluice refuses.
#pragma once

#include <optional>
#include <string>

#include "delivery/delivery.h"

namespace sluice::delivery {

// nullopt when `d` can be delivered; else the InvalidArgumentException to answer.
std::optional<Error> ValidateDestination(const S3Destination& d);
// The bucket of "arn:aws:s3:::bucket" (any partition), or "" when the ARN is not one.
std::string BucketFromArn(const std::string& arn);
// Whether the destination appends a newline to each record (AppendDelimiterToRecord).
bool AppendsDelimiter(const S3Destination& d);

}  // namespace sluice::delivery
