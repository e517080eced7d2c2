// Validation of Create/UpdateEventSourceMapping input as Lambda does it, and the JSON
// document a mapping's settings are stored as in the catalog.
#pragma once

#include <string>
#include <string_view>

#include "functions/event_source_mappings.h"

namespace sluice::functions::internal {

// The checks that need no lookup, in Lambda's order: the API model's constraints
// (ValidationException listing every violation), then the Kinesis-specific rules
// (InvalidParameterValueException). Returns the settings with defaults applied; the
// caller fills uuid, function_arn and stream_name after resolving them.
MappingResult<MappingConfig> ValidateCreate(const MappingInput& in);
// The same checks for an update of `current`, returning the new settings.
MappingResult<MappingConfig> ValidateUpdate(const MappingConfig& current, const MappingInput& in);

// The settings as stored (docs/formats/catalog.md) and back.
std::string ConfigToJson(const MappingConfig& config);
Result<MappingConfig> ConfigFromJson(std::string_view json);

// "bucket" for "arn:aws:s3:::bucket"; empty when `arn` is not an S3 bucket ARN.
std::string BucketFromArn(std::string_view arn);

}  // namespace sluice::functions::internal
