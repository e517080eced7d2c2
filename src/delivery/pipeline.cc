#include "internal/pipeline.h"

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "delivery/deaggregate.h"

namespace sluice::delivery {
namespace {

std::string Param(const Processor& p, std::string_view name) {
  for (const auto& pa : p.parameters) {
    if (pa.name == name) return pa.value;
  }
  return "";
}

}  // namespace

std::string ErrorPartition(std::string_view error_type) { return "!" + std::string(error_type); }

std::string_view ErrorTypeOf(std::string_view partition) {
  return partition.starts_with('!') ? partition.substr(1) : std::string_view();
}

PartitionKeys KeysOf(std::string_view partition) {
  PartitionKeys keys;
  if (partition.empty() || partition.starts_with('!')) return keys;
  const nlohmann::json j = nlohmann::json::parse(partition, nullptr, false);
  if (!j.is_object()) return keys;
  for (const auto& [k, v] : j.items()) keys.emplace(k, v.get<std::string>());
  return keys;
}

Result<RecordPipeline> RecordPipeline::Build(const S3Destination& d, std::string stream_arn) {
  RecordPipeline p;
  p.stream_arn_ = std::move(stream_arn);
  p.dynamic_partitioning_ = d.dynamic_partitioning.value_or(false);
  ASSIGN_OR_RETURN(p.prefix_, PrefixTemplate::Parse(d.prefix.value_or("")));
  if (d.processing && d.processing->enabled.value_or(false)) {
    for (const Processor& proc : d.processing->processors) {
      if (proc.type == "AppendDelimiterToRecord") {
        p.delimiter_ = true;
      } else if (proc.type == "RecordDeAggregation") {
        p.deaggregation_ = Param(proc, "SubRecordType");
        if (p.deaggregation_.empty()) p.deaggregation_ = "JSON";
        if (p.deaggregation_ != "JSON" && p.deaggregation_ != "DELIMITED") {
          return Status::InvalidArgument("SubRecordType " + p.deaggregation_ +
                                         " is not supported; supported: JSON, DELIMITED.");
        }
        if (p.deaggregation_ == "DELIMITED") {
          auto delim = Base64Decode(Param(proc, "Delimiter"));
          if (!delim || delim->empty()) {
            return Status::InvalidArgument("The Delimiter of RecordDeAggregation must be non-empty base64.");
          }
          p.split_delimiter_ = *delim;
        }
      } else if (proc.type == "Lambda") {
        ASSIGN_OR_RETURN(LambdaProcessorConfig lambda, LambdaProcessorConfigOf(proc));
        p.lambda_ = std::move(lambda);
      } else if (proc.type == "MetadataExtraction") {
        p.query_ = Param(proc, "MetadataExtractionQuery");
        const std::string engine = Param(proc, "JsonParsingEngine");
        if (!engine.empty() && engine != "JQ-1.6") {
          return Status::InvalidArgument("JsonParsingEngine " + engine + " is not supported; supported: JQ-1.6.");
        }
        JqExtractor jq;
        RETURN_IF_ERROR(jq.Compile(p.query_));
      }
    }
  }
  // With the Lambda processor, the partition keys come from the function's answer when
  // the object is built: the log's records are not routed before.
  p.trivial_ = p.lambda_.has_value() || (p.deaggregation_.empty() && !p.dynamic_partitioning_);
  return p;
}

std::string RecordPipeline::ErrorRecord(std::string_view data, int64_t arrival_ms, std::string_view error_code,
                                        std::string_view message) const {
  // Firehose's error record; attemptEndingTimestamp is the arrival time so that a
  // replay rebuilds the same bytes.
  nlohmann::ordered_json j;
  j["attemptsMade"] = 1;
  j["arrivalTimestamp"] = arrival_ms;
  j["errorCode"] = error_code;
  j["errorMessage"] = message;
  j["attemptEndingTimestamp"] = arrival_ms;
  j["rawData"] = Base64Encode(data);
  j["deliveryStreamARN"] = stream_arn_;
  return j.dump() + "\n";
}

Result<std::vector<std::string_view>> RecordPipeline::Split(std::string_view data) const {
  if (deaggregation_.empty()) return std::vector<std::string_view>{data};
  return deaggregation_ == "JSON" ? SplitJsonObjects(data) : SplitDelimited(data, split_delimiter_);
}

void RecordPipeline::Process(std::string_view data, int64_t arrival_ms, JqExtractor& jq,
                             std::vector<Routed>& out) const {
  if (trivial_) {
    out.push_back({"", std::string(data)});
    return;
  }
  std::vector<std::string_view> pieces;
  if (deaggregation_.empty()) {
    pieces.push_back(data);
  } else {
    auto split = Split(data);
    if (!split.ok()) {
      out.push_back({ErrorPartition(kProcessingFailed),
                     ErrorRecord(data, arrival_ms, "RecordDeAggregation.Failed", split.status().message())});
      return;
    }
    pieces = std::move(*split);
  }
  for (const std::string_view piece : pieces) {
    std::string partition;
    if (dynamic_partitioning_) {
      auto keys = jq.Extract(query_, piece);
      if (!keys.ok()) {
        out.push_back({ErrorPartition(kPartitioningFailed),
                       ErrorRecord(piece, arrival_ms, "DynamicPartitioning.MetadataExtractionFailed",
                                   keys.status().message())});
        continue;
      }
      PrefixContext ctx;
      ctx.arrival_ms = arrival_ms;
      ctx.query_keys = &*keys;
      ctx.random_string = [] { return std::string("0"); };
      if (auto prefix = DataObjectPrefix(prefix_, true, ctx); !prefix.ok()) {
        out.push_back({ErrorPartition(kPartitioningFailed),
                       ErrorRecord(piece, arrival_ms, "DynamicPartitioning.PartitionKeysMissing",
                                   prefix.status().message())});
        continue;
      }
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [k, v] : *keys) j[k] = v;
      partition = j.dump();
    }
    out.push_back({std::move(partition), std::string(piece)});
  }
}

}  // namespace sluice::delivery
