// Firehose S3 prefix expressions (Prefix and ErrorOutputPrefix of an S3 destination):
// parsing, validation of their combinations with AWS's exact wording, and evaluation to
// the key prefix of one object. Pure; a PrefixTemplate is immutable once parsed and may
// be shared between threads.
//
// Expressions (anything else between `!{` and `}` is refused by Parse):
//   !{timestamp:<pattern>}            the arrival time (UTC) of the oldest record of the
//                                     object, formatted with a Java DateTimeFormatter
//                                     pattern: y/u (yyyy, yy), M (M, MM, MMM, MMMM), d, H,
//                                     m, s (one or two letters), S (SSS = milliseconds),
//                                     'quoted text', '' for a quote; other Java pattern
//                                     letters are refused with a message naming them
//                                     (timestamp_format.h); other characters are literal.
//   !{firehose:random-string}         11 random lower-case hex digits, fresh per
//                                     occurrence (AWS: "a random string of 11 characters").
//   !{firehose:error-output-type}     the error type of an error object (e.g.
//                                     "processing-failed", "partitioning-failed"); only
//                                     allowed in ErrorOutputPrefix.
//   !{partitionKeyFromQuery:name}     a key produced by MetadataExtraction (JQ).
//   !{partitionKeyFromLambda:name}    a key returned by the Lambda processor.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "delivery/partition_keys.h"

namespace sluice::delivery {

// Returns one `!{firehose:random-string}` value: 11 characters.
using RandomStringFn = std::function<std::string()>;
// The production source: 11 lower-case hex digits from base/random.h's per-thread
// generator. Thread-safe.
std::string DefaultRandomString();

// What an evaluation needs. Pointers may be null when the stream has no such keys.
struct PrefixContext {
  int64_t arrival_ms = 0;              // oldest record's arrival, ms since epoch (UTC)
  std::string_view error_output_type;  // set only when evaluating an ErrorOutputPrefix
  const PartitionKeys* query_keys = nullptr;
  const PartitionKeys* lambda_keys = nullptr;
  RandomStringFn random_string;  // empty = DefaultRandomString
};

class PrefixTemplate {
 public:
  enum class PartKind {
    kLiteral,    // text: the literal characters
    kTimestamp,  // text: the DateTimeFormatter pattern (validated by Parse)
    kRandomString,
    kErrorOutputType,
    kQueryKey,   // text: the key name
    kLambdaKey,  // text: the key name
  };
  struct Part {
    PartKind kind;
    std::string text;
    bool operator==(const Part&) const = default;
  };

  PrefixTemplate() = default;  // the empty prefix

  // Parses `text` (Prefix or ErrorOutputPrefix as given to the API; `field` names it in
  // messages). Errors are kInvalidArgument with the message the front end returns in an
  // InvalidArgumentException, AWS's wording where known:
  //   "Invalid expression usage"                      `!{` without `namespace:value}`
  //   "Namespace to the left of colon (NS) is an invalid keyword!"
  //   "Invalid conversion character used in the value of the expression in FIELD"
  //                                                   bad firehose: value or pattern letter
  static Result<PrefixTemplate> Parse(std::string_view text, std::string_view field = "Prefix");

  // Evaluates the template as written (no default prefix, nothing appended).
  // kInvalidArgument when a partition key it names is absent from the context (the
  // delivery engine sends such a record to the error output as "partitioning-failed")
  // or when an error-output-type is needed and the context has none.
  Result<std::string> Evaluate(const PrefixContext& context) const;

  const std::string& text() const { return text_; }
  const std::vector<Part>& parts() const { return parts_; }
  bool empty() const { return text_.empty(); }
  bool HasExpressions() const;  // any `!{...}`
  bool Has(PartKind kind) const;
  bool HasTimestamp() const { return Has(PartKind::kTimestamp); }

 private:
  std::string text_;
  std::vector<Part> parts_;
};

// AWS's limit on an evaluated Prefix or ErrorOutputPrefix, in characters.
inline constexpr size_t kMaxEvaluatedPrefixLength = 512;

// The timestamp part Firehose uses by default and appends to a custom prefix without a
// timestamp expression: "yyyy/MM/dd/HH/" (UTC).
inline constexpr std::string_view kDefaultTimestampPattern = "yyyy/MM/dd/HH/";

// The key prefix of a data object, exactly as Firehose derives it:
//   * no Prefix                         -> "YYYY/MM/dd/HH/"
//   * a Prefix with a !{timestamp:...}  -> the Prefix evaluated, nothing appended
//   * a Prefix without one              -> the Prefix evaluated + "YYYY/MM/dd/HH/",
//     unless dynamic partitioning is on (then the Prefix is used as evaluated).
// kInvalidArgument "Length of evaluated prefix cannot be greater than 512" when partition
// key values make it longer than AWS allows (the engine sends such records to the error
// output), or when Evaluate fails.
Result<std::string> DataObjectPrefix(const PrefixTemplate& prefix, bool dynamic_partitioning,
                                     const PrefixContext& context);
// The key prefix of an error object (context.error_output_type must be set):
//   * no ErrorOutputPrefix          -> "<Prefix><error-output-type>/YYYY/MM/dd/HH/" (the
//     Prefix then has no expressions: ValidatePrefixes requires an ErrorOutputPrefix
//     otherwise), e.g. "processing-failed/2018/08/27/10/" with no Prefix either;
//   * an ErrorOutputPrefix without expressions -> the same with it in place of Prefix;
//   * an ErrorOutputPrefix with expressions    -> evaluated as written (it contains
//     !{firehose:error-output-type}; nothing is appended).
Result<std::string> ErrorObjectPrefix(const PrefixTemplate& prefix,
                                      const PrefixTemplate& error_prefix,
                                      const PrefixContext& context);

// The parts of a destination configuration the prefix rules look at.
struct PrefixRules {
  std::string_view prefix;                     // "" when absent
  std::string_view error_output_prefix;        // "" when absent
  bool dynamic_partitioning = false;           // DynamicPartitioningConfiguration.Enabled
  bool metadata_extraction = false;            // a MetadataExtraction processor is configured
  bool lambda_processor = false;               // a Lambda processor is configured
  std::string_view metadata_extraction_query;  // its MetadataExtractionQuery, "" if none
  std::optional<int64_t> buffering_interval_seconds;  // BufferingHints.IntervalInSeconds
  std::optional<int64_t> buffering_size_mbs;          // BufferingHints.SizeInMBs
};

// AWS's rules for Prefix / ErrorOutputPrefix / dynamic partitioning combinations, checked
// in this order; OK, or kInvalidArgument whose message the front end returns unchanged in
// an InvalidArgumentException:
//   1. both parse (PrefixTemplate::Parse, with the field's name);
//   2. neither can evaluate to more than 512 characters (literal text + 1 per expression);
//   3. Prefix has no !{firehose:error-output-type};
//   4. ErrorOutputPrefix is set when Prefix has expressions;
//   5. an ErrorOutputPrefix with expressions has !{firehose:error-output-type};
//   6. ErrorOutputPrefix has no partitionKeyFrom* expression;
//   7. without dynamic partitioning: no partitionKeyFrom* in Prefix, no MetadataExtraction;
//   8. with it: Prefix has a partitionKeyFrom* expression, partitionKeyFromQuery needs
//      MetadataExtraction and partitionKeyFromLambda a Lambda processor, every key of the
//      MetadataExtractionQuery appears in Prefix as !{partitionKeyFromQuery:key} (when the
//      query is a plain object constructor: TopLevelObjectKeys, jq_extract.h),
//      SizeInMBs >= 64, IntervalInSeconds != 0 (no zero buffering).
Status ValidatePrefixes(const PrefixRules& rules);

}  // namespace sluice::delivery
