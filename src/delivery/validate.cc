#include "internal/validate.h"

#include <fmt/format.h>

#include "delivery/compression.h"
#include "delivery/prefix.h"
#include "internal/pipeline.h"

namespace sluice::delivery {
namespace {

Error Invalid(std::string message) { return Error{ErrorType::kInvalidArgument, std::move(message)}; }

bool ProcessingEnabled(const S3Destination& d) {
  return d.processing && d.processing->enabled.value_or(false);
}

bool HasProcessor(const S3Destination& d, std::string_view type) {
  if (!d.processing) return false;
  for (const Processor& p : d.processing->processors) {
    if (p.type == type) return true;
  }
  return false;
}

}  // namespace

std::string BucketFromArn(const std::string& arn) {
  // arn:<partition>:s3:::<bucket>
  if (!arn.starts_with("arn:")) return "";
  const auto s3 = arn.find(":s3:::");
  if (s3 == std::string::npos) return "";
  return arn.substr(s3 + 6);
}

std::optional<Error> ValidateDestination(const S3Destination& d, const std::string& stream_arn,
                                         bool lambda_available) {
  if (BucketFromArn(d.bucket_arn).empty()) {
    return Invalid(fmt::format("BucketARN {} is not a valid S3 bucket ARN.", d.bucket_arn));
  }
  if (!CompressionFromName(d.compression)) {
    return Invalid(fmt::format("CompressionFormat {} is not supported.", d.compression));
  }
  // CloudWatchLoggingOptions: AWS's wording (CloudFormation shows it as it comes).
  if (d.logging && d.logging->enabled.value_or(false)) {
    if (d.logging->log_group_name.empty()) {
      return Invalid("CloudWatch Log Group Name is required if CloudWatch Logging is enabled");
    }
    if (d.logging->log_stream_name.empty()) {
      return Invalid("CloudWatch Log Stream Name is required if CloudWatch Logging is enabled");
    }
  }
  PrefixRules rules;
  rules.prefix = d.prefix ? std::string_view(*d.prefix) : std::string_view();
  rules.error_output_prefix = d.error_output_prefix ? std::string_view(*d.error_output_prefix) : std::string_view();
  rules.dynamic_partitioning = d.dynamic_partitioning.value_or(false);
  rules.metadata_extraction = ProcessingEnabled(d) && HasProcessor(d, "MetadataExtraction");
  rules.lambda_processor = ProcessingEnabled(d) && HasProcessor(d, "Lambda");
  std::string query;
  if (ProcessingEnabled(d)) {
    for (const Processor& p : d.processing->processors) {
      if (p.type != "MetadataExtraction") continue;
      for (const auto& pa : p.parameters) {
        if (pa.name == "MetadataExtractionQuery") query = pa.value;
      }
    }
  }
  rules.metadata_extraction_query = query;
  rules.buffering_interval_seconds = d.hints.interval_s;
  rules.buffering_size_mbs = d.hints.size_mb;
  if (const Status st = ValidatePrefixes(rules); !st.ok()) return Invalid(st.message());
  for (const std::optional<std::string>* p : {&d.prefix, &d.error_output_prefix}) {
    if (!*p) continue;
    if (auto t = PrefixTemplate::Parse(**p); !t.ok()) return Invalid(t.status().message());
  }

  // Options sluice records but does not carry out are refused rather than ignored.
  if (d.s3_backup_mode == "Enabled") {
    return Invalid("sluice does not support S3BackupMode Enabled (source record backup) yet.");
  }
  if (!d.custom_time_zone.empty() && d.custom_time_zone != "UTC") {
    return Invalid(fmt::format("sluice supports only CustomTimeZone UTC, not {}.", d.custom_time_zone));
  }
  if (ProcessingEnabled(d)) {
    int lambdas = 0;
    for (const Processor& p : d.processing->processors) {
      if (p.type == "Lambda") {
        ++lambdas;
        continue;
      }
      if (p.type == "AppendDelimiterToRecord" || p.type == "MetadataExtraction" || p.type == "RecordDeAggregation") {
        continue;
      }
      return Invalid(fmt::format("sluice does not support the {} processor yet; supported: "
                                 "AppendDelimiterToRecord, Lambda, MetadataExtraction, RecordDeAggregation.",
                                 p.type));
    }
    if (lambdas > 0 && !lambda_available) {
      return Invalid("The Lambda processor needs sluice's functions, which this server does not run.");
    }
    if (lambdas > 1) return Invalid("Only one Lambda processor is allowed in a ProcessingConfiguration.");
  }
  if (auto pipeline = RecordPipeline::Build(d, stream_arn); !pipeline.ok()) {
    return Invalid(pipeline.status().message());
  }
  return std::nullopt;
}

}  // namespace sluice::delivery
