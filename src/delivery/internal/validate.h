// Internal to the delivery module: the rules between a configuration's fields that the
// API's shape cannot express, with AWS's messages, and the options sluice refuses.
#pragma once

#include <optional>
#include <string>

#include "delivery/delivery.h"

namespace sluice::delivery {

// nullopt when `d` can be delivered; else the InvalidArgumentException to answer.
// `lambda_available`: a RecordTransformer runs Lambda processors (refused otherwise).
std::optional<Error> ValidateDestination(const S3Destination& d, const std::string& stream_arn,
                                         bool lambda_available);
// The bucket of "arn:aws:s3:::bucket" (any partition), or "" when the ARN is not one.
std::string BucketFromArn(const std::string& arn);

}  // namespace sluice::delivery
