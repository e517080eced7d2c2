// ValidatePrefixes: AWS's rules for Prefix / ErrorOutputPrefix / dynamic partitioning.
// The messages are the InvalidArgumentException messages AWS returns (see
// docs/formats/firehose-objects.md for which are confirmed verbatim).
#include <string>

#include "delivery/jq_extract.h"
#include "delivery/prefix.h"

namespace sluice::delivery {
namespace {

constexpr int64_t kMinDynamicPartitioningSizeMbs = 64;

// AWS puts this head before the prefix-combination constraints it reports.
Status Constraint(std::string_view what) {
  return Status::InvalidArgument(
      "Ths supplied prefix(es) do not satisfy the following constraint: " + std::string(what));
}

bool HasPartitionKeys(const PrefixTemplate& t) {
  return t.Has(PrefixTemplate::PartKind::kQueryKey) || t.Has(PrefixTemplate::PartKind::kLambdaKey);
}

// The fewest characters the template can evaluate to: its literal text plus one per
// expression (every expression yields at least one character).
size_t MinimumEvaluatedLength(const PrefixTemplate& t) {
  size_t n = 0;
  for (const PrefixTemplate::Part& part : t.parts()) {
    n += part.kind == PrefixTemplate::PartKind::kLiteral ? part.text.size() : 1;
  }
  return n;
}

}  // namespace

Status ValidatePrefixes(const PrefixRules& rules) {
  ASSIGN_OR_RETURN(PrefixTemplate prefix, PrefixTemplate::Parse(rules.prefix, "Prefix"));
  ASSIGN_OR_RETURN(PrefixTemplate error_prefix,
                   PrefixTemplate::Parse(rules.error_output_prefix, "ErrorOutputPrefix"));
  if (MinimumEvaluatedLength(prefix) > kMaxEvaluatedPrefixLength) {
    return Status::InvalidArgument("Length of evaluated prefix cannot be greater than 512");
  }
  if (MinimumEvaluatedLength(error_prefix) > kMaxEvaluatedPrefixLength) {
    return Status::InvalidArgument(
        "Length of evaluated ErrorOutputPrefix cannot be greater than 512");
  }
  if (prefix.Has(PrefixTemplate::PartKind::kErrorOutputType)) {
    return Constraint("Prefix must not contain any occurrence of !{firehose:error-output-type}");
  }
  if (prefix.HasExpressions() && error_prefix.empty()) {
    return Constraint("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions");
  }
  if (error_prefix.HasExpressions() &&
      !error_prefix.Has(PrefixTemplate::PartKind::kErrorOutputType)) {
    return Constraint(
        "ErrorOutputPrefix must contain at least one occurrence of !{firehose:error-output-type}");
  }
  if (HasPartitionKeys(error_prefix)) {
    return Status::InvalidArgument(
        "Dynamic Partitioning Namespaces can't be part of an error prefix expression");
  }
  if (!rules.dynamic_partitioning) {
    if (HasPartitionKeys(prefix)) {
      return Status::InvalidArgument(
          "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic "
          "Partitioning is enabled.");
    }
    if (rules.metadata_extraction) {
      return Status::InvalidArgument(
          "class com.amazonaws.services.firehose.internal.model.MetadataExtractionProcessor can "
          "only be present when Dynamic Partitioning is enabled.");
    }
    return Status::OK();
  }
  if (!HasPartitionKeys(prefix)) {
    return Status::InvalidArgument(
        "S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic Partitioning is "
        "enabled");
  }
  if (prefix.Has(PrefixTemplate::PartKind::kQueryKey) && !rules.metadata_extraction) {
    return Status::InvalidArgument(
        "partitionKeyFromQuery namespace requires a MetadataExtraction processor");
  }
  if (auto keys = TopLevelObjectKeys(rules.metadata_extraction_query)) {
    for (const std::string& key : *keys) {
      bool used = false;
      for (const PrefixTemplate::Part& part : prefix.parts()) {
        used = used || (part.kind == PrefixTemplate::PartKind::kQueryKey && part.text == key);
      }
      if (!used) {
        return Status::InvalidArgument(
            "MetaDataExtraction JQ Query can't contain keys that are not present in the S3 "
            "Prefix expression");
      }
    }
  }
  if (prefix.Has(PrefixTemplate::PartKind::kLambdaKey) && !rules.lambda_processor) {
    return Status::InvalidArgument("partitionKeyFromLambda namespace requires a Lambda processor");
  }
  if (rules.buffering_size_mbs && *rules.buffering_size_mbs < kMinDynamicPartitioningSizeMbs) {
    return Status::InvalidArgument(
        "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled.");
  }
  if (rules.buffering_interval_seconds && *rules.buffering_interval_seconds == 0) {
    return Status::InvalidArgument(
        "BufferingHints.IntervalInSeconds 0 (zero buffering) is not supported when Dynamic "
        "Partitioning is enabled.");
  }
  return Status::OK();
}

}  // namespace sluice::delivery
