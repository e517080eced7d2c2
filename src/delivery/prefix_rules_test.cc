#include <gtest/gtest.h>

#include <string>

#include "delivery/prefix.h"

namespace sluice::delivery {
namespace {

// ---- AWS's rules -----------------------------------------------------------------

Status Check(PrefixRules rules) { return ValidatePrefixes(rules); }

void ExpectRefused(const PrefixRules& rules, std::string_view message) {
  Status s = ValidatePrefixes(rules);
  ASSERT_FALSE(s.ok()) << message;
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), message);
}

TEST(ValidatePrefixes, AcceptsWhatAwsAccepts) {
  EXPECT_TRUE(Check({}).ok());
  EXPECT_TRUE(Check({.prefix = "context=firehose_delivery/"}).ok());
  EXPECT_TRUE(Check({.prefix = "plain/", .error_output_prefix = "errors/"}).ok());
  EXPECT_TRUE(Check({.prefix = "dt=!{timestamp:yyyy}/",
                     .error_output_prefix = "e/!{firehose:error-output-type}/!{timestamp:yyyy}/"})
                  .ok());
  EXPECT_TRUE(Check({.prefix = "c=!{partitionKeyFromQuery:c}/",
                     .error_output_prefix = "e/!{firehose:error-output-type}/",
                     .dynamic_partitioning = true,
                     .metadata_extraction = true,
                     .buffering_interval_seconds = 60,
                     .buffering_size_mbs = 64})
                  .ok());
  EXPECT_TRUE(Check({.prefix = "c=!{partitionKeyFromLambda:c}/",
                     .error_output_prefix = "e/!{firehose:error-output-type}/",
                     .dynamic_partitioning = true,
                     .lambda_processor = true})
                  .ok());
}

TEST(ValidatePrefixes, ParseErrorsNameTheField) {
  ExpectRefused({.prefix = "!{firehose:x}/", .error_output_prefix = "e/"},
                "Invalid conversion character used in the value of the expression in Prefix");
  ExpectRefused({.prefix = "p/", .error_output_prefix = "!{firehose:x}/"},
                "Invalid conversion character used in the value of the expression in "
                "ErrorOutputPrefix");
  ExpectRefused({.prefix = "!{nope:x}/", .error_output_prefix = "e/"},
                "Namespace to the left of colon (nope) is an invalid keyword!");
}

TEST(ValidatePrefixes, EvaluatedLengthLimit) {
  const std::string long_literal(512, 'a');
  EXPECT_TRUE(Check({.prefix = long_literal}).ok());
  ExpectRefused({.prefix = long_literal + "b"},
                "Length of evaluated prefix cannot be greater than 512");
  ExpectRefused({.prefix = std::string(511, 'a') + "!{timestamp:yyyy}!{timestamp:MM}",
                 .error_output_prefix = "!{firehose:error-output-type}"},
                "Length of evaluated prefix cannot be greater than 512");
  ExpectRefused({.error_output_prefix = long_literal + "b"},
                "Length of evaluated ErrorOutputPrefix cannot be greater than 512");
}

TEST(ValidatePrefixes, PrefixCombinations) {
  ExpectRefused({.prefix = "!{timestamp:yyyy}/"},
                "Ths supplied prefix(es) do not satisfy the following constraint: "
                "ErrorOutputPrefix cannot be null or empty when Prefix contains expressions");
  ExpectRefused({.prefix = "p/!{firehose:error-output-type}/",
                 .error_output_prefix = "e/!{firehose:error-output-type}/"},
                "Ths supplied prefix(es) do not satisfy the following constraint: Prefix must "
                "not contain any occurrence of !{firehose:error-output-type}");
  ExpectRefused({.prefix = "p/", .error_output_prefix = "e/!{timestamp:yyyy}/"},
                "Ths supplied prefix(es) do not satisfy the following constraint: "
                "ErrorOutputPrefix must contain at least one occurrence of "
                "!{firehose:error-output-type}");
  ExpectRefused(
      {.prefix = "c=!{partitionKeyFromQuery:c}/",
       .error_output_prefix = "e/!{firehose:error-output-type}/!{partitionKeyFromQuery:c}",
       .dynamic_partitioning = true,
       .metadata_extraction = true},
      "Dynamic Partitioning Namespaces can't be part of an error prefix expression");
}

TEST(ValidatePrefixes, DynamicPartitioningRules) {
  const std::string_view error_prefix = "e/!{firehose:error-output-type}/";
  ExpectRefused({.prefix = "c=!{partitionKeyFromQuery:c}/", .error_output_prefix = error_prefix},
                "Dynamic Partitioning Namespaces can only be part of a prefix expression when "
                "Dynamic Partitioning is enabled.");
  ExpectRefused({.prefix = "c=!{partitionKeyFromLambda:c}/", .error_output_prefix = error_prefix},
                "Dynamic Partitioning Namespaces can only be part of a prefix expression when "
                "Dynamic Partitioning is enabled.");
  ExpectRefused({.prefix = "p/", .metadata_extraction = true},
                "class com.amazonaws.services.firehose.internal.model.MetadataExtractionProcessor "
                "can only be present when Dynamic Partitioning is enabled.");
  ExpectRefused({.prefix = "p/!{timestamp:yyyy}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true,
                 .metadata_extraction = true},
                "S3 Prefix should contain Dynamic Partitioning namespaces when Dynamic "
                "Partitioning is enabled");
  ExpectRefused({.prefix = "c=!{partitionKeyFromQuery:c}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true},
                "partitionKeyFromQuery namespace requires a MetadataExtraction processor");
  ExpectRefused({.prefix = "c=!{partitionKeyFromLambda:c}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true,
                 .metadata_extraction = true},
                "partitionKeyFromLambda namespace requires a Lambda processor");
  ExpectRefused({.prefix = "c=!{partitionKeyFromQuery:c}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true,
                 .metadata_extraction = true,
                 .metadata_extraction_query = "{c:.c,year:.y}"},
                "MetaDataExtraction JQ Query can't contain keys that are not present in the S3 "
                "Prefix expression");
  EXPECT_TRUE(Check({.prefix = "c=!{partitionKeyFromQuery:c}/y=!{partitionKeyFromQuery:year}/",
                     .error_output_prefix = error_prefix,
                     .dynamic_partitioning = true,
                     .metadata_extraction = true,
                     .metadata_extraction_query = "{c:.c,year:.y}"})
                  .ok());
  // A computed key is only known at run time: not refused here.
  EXPECT_TRUE(Check({.prefix = "c=!{partitionKeyFromQuery:c}/",
                     .error_output_prefix = error_prefix,
                     .dynamic_partitioning = true,
                     .metadata_extraction = true,
                     .metadata_extraction_query = "{(.k):.c}"})
                  .ok());
  ExpectRefused({.prefix = "c=!{partitionKeyFromQuery:c}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true,
                 .metadata_extraction = true,
                 .buffering_size_mbs = 63},
                "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is "
                "enabled.");
  ExpectRefused({.prefix = "c=!{partitionKeyFromQuery:c}/",
                 .error_output_prefix = error_prefix,
                 .dynamic_partitioning = true,
                 .metadata_extraction = true,
                 .buffering_interval_seconds = 0,
                 .buffering_size_mbs = 64},
                "BufferingHints.IntervalInSeconds 0 (zero buffering) is not supported when "
                "Dynamic Partitioning is enabled.");
}

}  // namespace
}  // namespace sluice::delivery
