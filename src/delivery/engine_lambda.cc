// Delivery with the Lambda processor: the records of one object go through the function,
// and what it answers is written as the data objects of each partition key set plus the
// error outputs. Keys are derived from the log range, so a replay rewrites the same
// keys (with the same bytes if the function is deterministic).
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "delivery/compression.h"
#include "delivery/object_key.h"
#include "delivery/processing.h"
#include "internal/error_log.h"
#include "internal/lambda_processor.h"
#include "internal/manager_state.h"
#include "internal/validate.h"

namespace sluice::delivery {

std::string ZipEntryName(std::string_view key) {
  std::string entry(key.substr(key.rfind('/') + 1));
  if (const auto dot = entry.rfind('.'); dot != std::string::npos && entry.size() - dot <= 8) entry.resize(dot);
  return entry;
}

Result<std::string> ObjectKey(const S3Destination& d, const std::string& stream_name, int64_t version,
                              std::string_view error_type, PrefixContext ctx, bool dynamic_partitioning,
                              std::string_view id) {
  ASSIGN_OR_RETURN(PrefixTemplate prefix, PrefixTemplate::Parse(d.prefix.value_or("")));
  std::string key;
  if (!error_type.empty()) {
    ASSIGN_OR_RETURN(PrefixTemplate error_prefix,
                     PrefixTemplate::Parse(d.error_output_prefix.value_or(""), "ErrorOutputPrefix"));
    ctx.error_output_type = error_type;
    ASSIGN_OR_RETURN(key, ErrorObjectPrefix(prefix, error_prefix, ctx));
  } else {
    ASSIGN_OR_RETURN(key, DataObjectPrefix(prefix, dynamic_partitioning, ctx));
  }
  const Compression compression = CompressionFromName(d.compression).value_or(Compression::kUncompressed);
  if (d.file_extension.empty()) {
    key += ObjectName(stream_name, version, ctx.arrival_ms, id, compression);
  } else {
    key += ObjectName(stream_name, version, ctx.arrival_ms, id, Compression::kUncompressed) + d.file_extension;
  }
  return key;
}

namespace {

// What goes into one object.
struct Output {
  std::vector<std::string> records;  // data: the transformed records
  std::string errors;                // error outputs: JSON lines
  PartitionKeys keys;                // from the function (partitionKeyFromLambda)
  PartitionKeys query_keys;          // from MetadataExtraction (partitionKeyFromQuery)
  int64_t oldest_arrival = -1;
};

void Note(Output& o, int64_t arrival) {
  if (o.oldest_arrival < 0 || arrival < o.oldest_arrival) o.oldest_arrival = arrival;
}

// The kinesisRecordMetadata of a record a Kinesis source appended (its log key names its
// origin); `arrival_ms` stands in for the stream's arrival time in keys too old to hold it.
std::optional<KinesisRecordMetadata> KinesisMetadataOf(std::string_view key, int64_t arrival_ms) {
  const std::optional<SourceOrigin> origin = ParseSourceRecordKey(key);
  if (!origin) return std::nullopt;
  return KinesisRecordMetadata{std::string(origin->shard_id), std::string(origin->partition_key),
                               origin->arrival_ms.value_or(arrival_ms), std::string(origin->sequence_number), 0};
}

}  // namespace

Result<std::vector<ObjectWrite>> DeliveryManager::Impl::TransformedObjects(
    DeliveryStream& s, const RecordPipeline& pipeline, const S3Destination& d, int64_t version,
    const std::string& partition, uint64_t first, uint64_t last, std::span<const std::string_view> records,
    std::span<const RecordPlace> places) {
  if (opts.transformer == nullptr) return Status::Unavailable("this server runs no Lambda processor");
  const LambdaProcessorConfig& lambda = *pipeline.lambda();
  std::string source_arn;  // a Kinesis source: the event carries it and each record's origin
  {
    const MutexLock lock(s.mu);
    if (s.config.source) source_arn = s.config.source->stream_arn;
  }
  // By output: "" or the partition key set (JSON) for data, "!" + type for errors.
  std::map<std::string, Output> by_output;
  // RecordDeAggregation comes first, as Firehose orders them: each sub-record is one
  // record of the event (recordId: the record's, then "-" and its index).
  std::vector<TransformInput> inputs;
  inputs.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    auto split = pipeline.Split(records[i]);
    if (!split.ok()) {
      Output& out = by_output[ErrorPartition(kProcessingFailed)];
      out.errors += pipeline.ErrorRecord(records[i], places[i].arrival_ms, "RecordDeAggregation.Failed",
                                         split.status().message());
      Note(out, places[i].arrival_ms);
      continue;
    }
    const std::string id = RecordId(s.created_ms, places[i].offset);
    const std::optional<KinesisRecordMetadata> kinesis =
        source_arn.empty() ? std::nullopt : KinesisMetadataOf(places[i].key, places[i].arrival_ms);
    for (size_t j = 0; j < split->size(); ++j) {
      TransformInput& in = inputs.emplace_back(TransformInput{(*split)[j], places[i].arrival_ms, places[i].offset,
                                                              split->size() == 1 ? id : id + "-" + std::to_string(j)});
      if (kinesis) {
        in.kinesis = kinesis;
        in.kinesis->subsequence_number = split->size() == 1 ? 0 : static_cast<int64_t>(j);
      }
    }
  }
  const std::string identity = fmt::format("{}/{}/{}", s.name, s.created_ms, partition);
  const TransformContext ctx{Arn(s.name), opts.region, identity, source_arn};
  const StreamMetrics& m = *s.metrics;
  ASSIGN_OR_RETURN(std::vector<TransformOutput> outputs,
                   RunLambdaProcessor(lambda, *opts.transformer, ctx, inputs, clock, [&m](bool answered, int64_t duration_ms) {
        m.processing_duration.Record(static_cast<double>(duration_ms));
        m.processing_success.Add(answered ? 1 : 0);
      }));
  double ok_records = 0;
  double ok_bytes = 0;
  for (const TransformOutput& o : outputs) {
    if (o.outcome != TransformOutcome::kOk) continue;
    ok_records += 1;
    ok_bytes += static_cast<double>(o.data.size());
  }
  if (ok_records > 0) {
    m.succeed_records.Add(ok_records);
    m.succeed_bytes.Add(ok_bytes);
  }

  size_t data_partitions = 0;  // distinct key sets so far: AWS's active partitions
  for (size_t i = 0; i < outputs.size(); ++i) {
    TransformOutput& o = outputs[i];
    const int64_t arrival = inputs[i].arrival_ms;
    if (o.outcome == TransformOutcome::kDropped) continue;
    if (o.outcome == TransformOutcome::kFailed) {
      Output& out = by_output[ErrorPartition(kProcessingFailed)];
      out.errors += LambdaErrorRecord(inputs[i].data, arrival, o, lambda.arn);
      Note(out, arrival);
      continue;
    }
    std::string output_id;
    PartitionKeys query_keys;
    if (pipeline.dynamic_partitioning()) {
      if (!pipeline.query().empty()) {
        // MetadataExtraction runs on what the function returned, as Firehose orders them.
        auto keys = ThreadJq().Extract(pipeline.query(), o.data);
        if (!keys.ok()) {
          Output& out = by_output[ErrorPartition(kPartitioningFailed)];
          out.errors += pipeline.ErrorRecord(o.data, arrival, "DynamicPartitioning.MetadataExtractionFailed",
                                             keys.status().message());
          Note(out, arrival);
          continue;
        }
        query_keys = *std::move(keys);
      }
      PrefixContext pc;
      pc.arrival_ms = arrival;
      pc.lambda_keys = &o.keys;
      pc.query_keys = &query_keys;
      pc.random_string = [] { return std::string("0"); };
      if (auto prefix = DataObjectPrefix(pipeline.prefix(), true, pc); !prefix.ok()) {
        Output& out = by_output[ErrorPartition(kPartitioningFailed)];
        out.errors += pipeline.ErrorRecord(o.data, arrival, "DynamicPartitioning.PartitionKeysMissing",
                                           prefix.status().message());
        Note(out, arrival);
        continue;
      }
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [k, v] : o.keys) j[k] = v;
      if (!pipeline.query().empty()) {
        nlohmann::json q = nlohmann::json::object();
        for (const auto& [k, v] : query_keys) q[k] = v;
        j = nlohmann::json{{"lambda", j}, {"query", q}};
      }
      output_id = j.dump();
      if (!by_output.contains(output_id)) {
        if (data_partitions >= opts.max_active_partitions) {
          Output& out = by_output[ErrorPartition(kActivePartitionExceeded)];
          out.errors += pipeline.ErrorRecord(o.data, arrival, kActivePartitionsExceededCode,
                                             kActivePartitionsExceededMessage);
          Note(out, arrival);
          continue;
        }
        ++data_partitions;
      }
    }
    Output& out = by_output[output_id];
    out.keys = std::move(o.keys);
    out.query_keys = std::move(query_keys);
    out.records.push_back(std::move(o.data));
    Note(out, arrival);
  }

  const Compression compression = CompressionFromName(d.compression).value_or(Compression::kUncompressed);
  const std::string bucket = BucketFromArn(d.bucket_arn);
  std::vector<ObjectWrite> writes;
  for (const auto& [output_id, out] : by_output) {
    const std::string_view error_type = ErrorTypeOf(output_id);
    // The function ran: its failures (and the partitioning's) are logged now, once per
    // attempt of this object, whatever then happens to the write.
    if (!error_type.empty()) LogErrorOutput(opts.error_log, Arn(s.name), d, version, clock.NowMillis(), out.errors);
    const std::string id = DeliveryObjectId(identity + "/lambda/" + output_id, first, last);
    PrefixContext pc;
    pc.arrival_ms = out.oldest_arrival;
    pc.lambda_keys = &out.keys;
    pc.query_keys = &out.query_keys;
    pc.random_string = [&id] { return id.substr(0, 8) + id.substr(9, 3); };
    ASSIGN_OR_RETURN(std::string key,
                     ObjectKey(d, s.name, version, error_type, pc, pipeline.dynamic_partitioning(), id));
    std::vector<std::string_view> pieces;
    if (!error_type.empty()) {
      pieces.push_back(out.errors);
    } else {
      std::vector<std::string_view> views(out.records.begin(), out.records.end());
      pieces = pipeline.delimiter() ? DelimitRecords(views) : std::move(views);
    }
    ASSIGN_OR_RETURN(std::string body, Compress(compression, pieces, ZipEntryName(key)));
    writes.push_back({bucket, std::move(key), std::move(body)});
  }
  return writes;
}

}  // namespace sluice::delivery
