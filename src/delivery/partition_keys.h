// Partition keys of dynamic partitioning: name -> value, from MetadataExtraction (JQ,
// `!{partitionKeyFromQuery:name}`) or from a Lambda processor's `metadata.partitionKeys`
// (`!{partitionKeyFromLambda:name}`). Ordered, so one key set compares and hashes the
// same wherever it is built (the delivery engine keeps one buffer per key set).
#pragma once

#include <functional>
#include <map>
#include <string>

namespace sluice::delivery {

using PartitionKeys = std::map<std::string, std::string, std::less<>>;

}  // namespace sluice::delivery
