#include "delivery/prefix.h"

#include <algorithm>

#include "base/random.h"
#include "delivery/timestamp_format.h"
#include "delivery/utc_time.h"

namespace sluice::delivery {
namespace {

constexpr size_t kRandomStringLength = 11;

Status InvalidUsage() { return Status::InvalidArgument("Invalid expression usage"); }

Status InvalidConversion(std::string_view field) {
  return Status::InvalidArgument(
      "Invalid conversion character used in the value of the expression in " + std::string(field));
}

// A fixed instant for checking a timestamp pattern at parse time.
constexpr UtcTime kProbeTime = {2018, 8, 27, 10, 30, 5, 123};

Result<PrefixTemplate::Part> ParseExpression(std::string_view body, std::string_view field) {
  using Kind = PrefixTemplate::PartKind;
  size_t colon = body.find(':');
  if (colon == std::string_view::npos) return InvalidUsage();
  std::string_view ns = body.substr(0, colon);
  std::string_view value = body.substr(colon + 1);
  if (ns == "timestamp") {
    if (value.empty()) return InvalidConversion(field);
    RETURN_IF_ERROR(FormatTimestamp(value, kProbeTime, field).status());
    return PrefixTemplate::Part{Kind::kTimestamp, std::string(value)};
  }
  if (ns == "firehose") {
    if (value == "random-string") return PrefixTemplate::Part{Kind::kRandomString, ""};
    if (value == "error-output-type") return PrefixTemplate::Part{Kind::kErrorOutputType, ""};
    return InvalidConversion(field);
  }
  if (ns == "partitionKeyFromQuery" || ns == "partitionKeyFromLambda") {
    if (value.empty()) return InvalidUsage();
    return PrefixTemplate::Part{ns == "partitionKeyFromQuery" ? Kind::kQueryKey : Kind::kLambdaKey,
                                std::string(value)};
  }
  return Status::InvalidArgument("Namespace to the left of colon (" + std::string(ns) +
                                 ") is an invalid keyword!");
}

const PartitionKeys* KeysFor(PrefixTemplate::PartKind kind, const PrefixContext& context) {
  return kind == PrefixTemplate::PartKind::kQueryKey ? context.query_keys : context.lambda_keys;
}

Result<std::string> FormatDefaultTimestamp(const PrefixContext& context) {
  return FormatTimestamp(kDefaultTimestampPattern, ToUtc(context.arrival_ms), "Prefix");
}

}  // namespace

std::string DefaultRandomString() { return RandomHex(6).substr(0, kRandomStringLength); }

Result<PrefixTemplate> PrefixTemplate::Parse(std::string_view text, std::string_view field) {
  PrefixTemplate t;
  t.text_ = std::string(text);
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("!{", i);
    if (open == std::string_view::npos) {
      literal.append(text.substr(i));
      break;
    }
    literal.append(text.substr(i, open - i));
    size_t close = text.find('}', open + 2);
    if (close == std::string_view::npos) return InvalidUsage();
    std::string_view body = text.substr(open + 2, close - open - 2);
    if (body.find("!{") != std::string_view::npos) return InvalidUsage();
    ASSIGN_OR_RETURN(Part part, ParseExpression(body, field));
    if (!literal.empty()) {
      t.parts_.push_back(Part{PartKind::kLiteral, std::move(literal)});
      literal.clear();
    }
    t.parts_.push_back(std::move(part));
    i = close + 1;
  }
  if (!literal.empty()) t.parts_.push_back(Part{PartKind::kLiteral, std::move(literal)});
  return t;
}

bool PrefixTemplate::Has(PartKind kind) const {
  return std::any_of(parts_.begin(), parts_.end(),
                     [kind](const Part& p) { return p.kind == kind; });
}

bool PrefixTemplate::HasExpressions() const {
  return std::any_of(parts_.begin(), parts_.end(),
                     [](const Part& p) { return p.kind != PartKind::kLiteral; });
}

Result<std::string> PrefixTemplate::Evaluate(const PrefixContext& context) const {
  std::string out;
  const UtcTime when = ToUtc(context.arrival_ms);  // every timestamp: the same instant
  for (const Part& part : parts_) {
    switch (part.kind) {
      case PartKind::kLiteral:
        out += part.text;
        break;
      case PartKind::kTimestamp: {
        ASSIGN_OR_RETURN(std::string s, FormatTimestamp(part.text, when, "Prefix"));
        out += s;
        break;
      }
      case PartKind::kRandomString:
        out += context.random_string ? context.random_string() : DefaultRandomString();
        break;
      case PartKind::kErrorOutputType:
        if (context.error_output_type.empty()) {
          return Status::InvalidArgument("!{firehose:error-output-type} outside an error output");
        }
        out += context.error_output_type;
        break;
      case PartKind::kQueryKey:
      case PartKind::kLambdaKey: {
        const PartitionKeys* keys = KeysFor(part.kind, context);
        auto it = keys == nullptr ? PartitionKeys::const_iterator() : keys->find(part.text);
        if (keys == nullptr || it == keys->end()) {
          return Status::InvalidArgument(std::string(part.kind == PartKind::kQueryKey
                                                         ? "partitionKeyFromQuery"
                                                         : "partitionKeyFromLambda") +
                                         " key '" + part.text + "' has no value for this record");
        }
        out += it->second;
        break;
      }
    }
  }
  return out;
}

Result<std::string> DataObjectPrefix(const PrefixTemplate& prefix, bool dynamic_partitioning,
                                     const PrefixContext& context) {
  if (prefix.empty()) return FormatDefaultTimestamp(context);
  ASSIGN_OR_RETURN(std::string out, prefix.Evaluate(context));
  if (out.size() > kMaxEvaluatedPrefixLength) {
    return Status::InvalidArgument("Length of evaluated prefix cannot be greater than 512");
  }
  if (!prefix.HasTimestamp() && !dynamic_partitioning) {
    ASSIGN_OR_RETURN(std::string stamp, FormatDefaultTimestamp(context));
    out += stamp;
  }
  return out;
}

Result<std::string> ErrorObjectPrefix(const PrefixTemplate& prefix,
                                      const PrefixTemplate& error_prefix,
                                      const PrefixContext& context) {
  if (context.error_output_type.empty()) {
    return Status::InvalidArgument("an error object needs an error output type");
  }
  if (error_prefix.HasExpressions()) return error_prefix.Evaluate(context);
  const PrefixTemplate& base = error_prefix.empty() ? prefix : error_prefix;
  // Without an ErrorOutputPrefix the Prefix has no expressions (ValidatePrefixes), but a
  // stored configuration is evaluated rather than trusted.
  ASSIGN_OR_RETURN(std::string out, base.Evaluate(context));
  out += context.error_output_type;
  out += '/';
  ASSIGN_OR_RETURN(std::string stamp, FormatDefaultTimestamp(context));
  out += stamp;
  return out;
}

}  // namespace sluice::delivery
