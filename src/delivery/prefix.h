// Firehose S3 prefix expressions (Prefix and ErrorOutputPrefix of an S3 destination):
// parsing, validation of their combinations with AWS's exact wording, and evaluation to
// the key prefix of one object. Pure; a PrefixTemplate is immutable once parsed and may
// be shared between threads.
//
// Expressions (anything else between `!{` and `}` is refused by Parse):
//   !{timestamp:<pattern>}            the arrival time (UTC) of the oldest record of the
//                                     object, formatted with a Java DateTimeFormatter
//                                     pattern; supported letters: yyyy yy MM dd HH mm ss
//                                     SSS (and their one-letter forms y M d H m s S),
//                                     'quoted text', '' for a quote; any other ASCII
//                                     letter is refused; other characters are literal.
//   !{firehose:random-string}         11 random characters [0-9a-zA-Z], fresh per object.
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

// Returns one `!{firehose:random-string}` value: 11 characters of [0-9a-zA-Z].
using RandomStringFn = std::function<std::string()>;
// The production source (base/random.h's per-thread generator). Thread-safe.
std::string DefaultRandomString();

// What an evaluation needs. Pointers may be null when the stream has no such keys.
struct PrefixContext {
  int64_t arrival_ms = 0;                 // oldest record's arrival, ms since epoch (UTC)
  std::string_view error_output_type;     // set only when evaluating an ErrorOutputPrefix
  const PartitionKeys* query_keys = nullptr;
  const PartitionKeys* lambda_keys = nullptr;
  RandomStringFn random_string;           // empty = DefaultRandomString
};

class PrefixTemplate {
 public:
  enum class PartKind {
    kLiteral,           // text: the literal characters
    kTimestamp,         // text: the DateTimeFormatter pattern (validated by Parse)
    kRandomString,
    kErrorOutputType,
    kQueryKey,          // text: the key name
    kLambdaKey,         // text: the key name
  };
  struct Part {
    PartKind kind;
    std::string text;
    bool operator==(const Part&) const = default;
  };

  PrefixTemplate() = default;  // the empty prefix

  // Parses `text` (Prefix or ErrorOutputPrefix as given to the API). Errors are
  // kInvalidArgument with the message the front end returns in an
  // InvalidArgumentException (see prefix.cc for AWS's wording).
  static Result<PrefixTemplate> Parse(std::string_view text);

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

// The timestamp part Firehose uses by default and appends to a custom prefix without a
// timestamp expression: "yyyy/MM/dd/HH/" (UTC).
inline constexpr std::string_view kDefaultTimestampPattern = "yyyy/MM/dd/HH/";

// The key prefix of a data object, exactly as Firehose derives it:
//   * no Prefix                         -> "YYYY/MM/dd/HH/"
//   * a Prefix with a !{timestamp:...}  -> the Prefix evaluated, nothing appended
//   * a Prefix without one              -> the Prefix evaluated + "YYYY/MM/dd/HH/",
//     unless dynamic partitioning is on (then the Prefix is used as evaluated).
Result<std::string> DataObjectPrefix(const PrefixTemplate& prefix, bool dynamic_partitioning,
                                     const PrefixContext& context);
// The key prefix of an error object (context.error_output_type set):
//   * no ErrorOutputPrefix -> "<error-output-type>/YYYY/MM/dd/HH/" (AWS's default)
//   * otherwise the ErrorOutputPrefix evaluated, + "YYYY/MM/dd/HH/" when it has no
//     timestamp expression.
Result<std::string> ErrorObjectPrefix(const PrefixTemplate& error_prefix,
                                      const PrefixContext& context);

// The parts of a destination configuration the prefix rules look at.
struct PrefixRules {
  std::string_view prefix;               // "" when absent
  std::string_view error_output_prefix;  // "" when absent
  bool dynamic_partitioning = false;     // DynamicPartitioningConfiguration.Enabled
  bool metadata_extraction = false;      // a MetadataExtraction processor is configured
  bool lambda_processor = false;         // a Lambda processor is configured
  std::optional<int64_t> buffering_interval_seconds;  // BufferingHints.IntervalInSeconds
  std::optional<int64_t> buffering_size_mbs;          // BufferingHints.SizeInMBs
};

// AWS's rules for Prefix / ErrorOutputPrefix / dynamic partitioning combinations, checked
// in AWS's order. OK, or kInvalidArgument whose message is the InvalidArgumentException
// message AWS returns (the front end passes it through unchanged).
Status ValidatePrefixes(const PrefixRules& rules);

}  // namespace sluice::delivery
