#include "internal/lambda_processor.h"

#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "base/base64.h"
#include "delivery/object_key.h"

namespace sluice::delivery {
namespace {

constexpr std::string_view kJsonProcessing =
    "There was an error parsing returned records from the Lambda function. Ensure that the returned records "
    "follow the status model required by Kinesis Data Firehose.";
constexpr std::string_view kMissingRecordId =
    "One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids.";
constexpr std::string_view kDuplicatedRecordId =
    "Multiple records were returned with the same record Id. Ensure that the Lambda function returns a unique "
    "record Id for each record.";
constexpr std::string_view kProcessingFailedStatus = "ProcessingFailed status set for record";
// The event's fixed members, and each record's beyond its id and data (generous).
constexpr size_t kEventOverhead = 512;
constexpr size_t kRecordOverhead = 96;

std::optional<double> Number(std::string_view text) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

Status RangeError(std::string_view name, std::string_view value, std::string_view range) {
  return Status::InvalidArgument(fmt::format("Processor parameter {} value {} is not valid; it must be a number "
                                             "in the range {}.",
                                             name, value, range));
}

// kinesisRecordMetadata's members beyond their values (generous).
constexpr size_t kKinesisMetadataOverhead = 160;

size_t EventBytes(const TransformInput& in) {
  size_t bytes = (in.data.size() + 2) / 3 * 4 + in.record_id.size() + kRecordOverhead;
  if (in.kinesis) {
    // JSON escaping can at most sextuple a key's bytes (\u00XX).
    bytes += kKinesisMetadataOverhead + in.kinesis->shard_id.size() + 6 * in.kinesis->partition_key.size() +
             in.kinesis->sequence_number.size();
  }
  return bytes;
}

TransformOutput Failed(std::string_view code, std::string_view message, int64_t attempts) {
  TransformOutput o;
  o.outcome = TransformOutcome::kFailed;
  o.error_code = code;
  o.error_message = message;
  o.attempts = attempts;
  return o;
}

std::string Event(const TransformContext& ctx, std::span<const TransformInput> batch) {
  nlohmann::ordered_json j;
  j["invocationId"] = DeliveryObjectId(ctx.stream_identity + "/lambda", batch.front().offset, batch.back().offset);
  if (!ctx.source_stream_arn.empty()) j["sourceKinesisStreamArn"] = ctx.source_stream_arn;
  j["deliveryStreamArn"] = ctx.stream_arn;
  j["region"] = ctx.region;
  nlohmann::ordered_json records = nlohmann::ordered_json::array();
  for (const TransformInput& in : batch) {
    nlohmann::ordered_json r;
    r["recordId"] = in.record_id;
    r["approximateArrivalTimestamp"] = in.arrival_ms;
    r["data"] = Base64Encode(in.data);
    if (in.kinesis) {
      nlohmann::ordered_json m;
      m["shardId"] = in.kinesis->shard_id;
      m["partitionKey"] = in.kinesis->partition_key;
      m["approximateArrivalTimestamp"] = in.kinesis->arrival_ms;
      m["sequenceNumber"] = in.kinesis->sequence_number;
      m["subsequenceNumber"] = in.kinesis->subsequence_number;
      r["kinesisRecordMetadata"] = std::move(m);
    }
    records.push_back(std::move(r));
  }
  j["records"] = std::move(records);
  // A partition key that is not UTF-8 (CBOR allows it) is sent with U+FFFD in its place.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// The per-record results of one answered invocation.
void ReadResponse(std::string_view payload, std::span<const TransformInput> batch, int64_t attempts,
                  std::vector<TransformOutput>& out) {
  const nlohmann::json j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded() || !j.is_object() || (j.contains("records") && !j["records"].is_array())) {
    for (size_t i = 0; i < batch.size(); ++i) out.push_back(Failed("Lambda.JsonProcessingException", kJsonProcessing, attempts));
    return;
  }
  std::map<std::string, const nlohmann::json*, std::less<>> by_id;
  std::set<std::string, std::less<>> duplicated;
  if (const auto it = j.find("records"); it != j.end()) {
    for (const nlohmann::json& r : *it) {
      if (!r.is_object() || !r.contains("recordId") || !r["recordId"].is_string()) continue;
      const std::string id = r["recordId"].get<std::string>();
      if (!by_id.emplace(id, &r).second) duplicated.insert(id);
    }
  }
  for (const TransformInput& in : batch) {
    const auto it = by_id.find(in.record_id);
    if (duplicated.contains(in.record_id)) {
      out.push_back(Failed("Lambda.DuplicatedRecordId", kDuplicatedRecordId, attempts));
      continue;
    }
    if (it == by_id.end()) {
      out.push_back(Failed("Lambda.MissingRecordId", kMissingRecordId, attempts));
      continue;
    }
    const nlohmann::json& r = *it->second;
    const std::string result = r.contains("result") && r["result"].is_string() ? r["result"].get<std::string>() : "";
    if (result == "Dropped") {
      TransformOutput o;
      o.outcome = TransformOutcome::kDropped;
      o.attempts = attempts;
      out.push_back(std::move(o));
      continue;
    }
    if (result == "ProcessingFailed") {
      out.push_back(Failed("Lambda.ProcessingFailedStatus", kProcessingFailedStatus, attempts));
      continue;
    }
    std::optional<std::string> data;
    if (result == "Ok" && r.contains("data") && r["data"].is_string()) data = Base64Decode(r["data"].get<std::string>());
    if (!data) {
      out.push_back(Failed("Lambda.JsonProcessingException", kJsonProcessing, attempts));
      continue;
    }
    TransformOutput o;
    o.outcome = TransformOutcome::kOk;
    o.data = std::move(*data);
    o.attempts = attempts;
    if (const auto m = r.find("metadata"); m != r.end() && m->is_object()) {
      if (const auto keys = m->find("partitionKeys"); keys != m->end() && keys->is_object()) {
        for (const auto& [k, v] : keys->items()) {
          o.keys.emplace(k, v.is_string() ? v.get<std::string>() : v.dump());
        }
      }
    }
    out.push_back(std::move(o));
  }
  // A recordId the batch did not hold is ignored (it has no record to deliver or to
  // send to the error output); the function is told in the server log.
  std::set<std::string_view> sent;
  for (const TransformInput& in : batch) sent.insert(in.record_id);
  for (const auto& [id, r] : by_id) {
    if (!sent.contains(id)) spdlog::warn("msg=\"Lambda processor returned an unknown recordId\" record_id={}", id);
  }
}

}  // namespace

Result<LambdaProcessorConfig> LambdaProcessorConfigOf(const Processor& processor) {
  LambdaProcessorConfig c;
  for (const ProcessorParameter& p : processor.parameters) {
    if (p.name == "LambdaArn") {
      c.arn = p.value;
    } else if (p.name == "NumberOfRetries") {
      const auto v = Number(p.value);
      if (!v || *v < 0 || *v > 300 || *v != static_cast<int64_t>(*v)) return RangeError(p.name, p.value, "0-300");
      c.retries = static_cast<int64_t>(*v);
    } else if (p.name == "BufferSizeInMBs") {
      const auto v = Number(p.value);
      if (!v || *v < 0.2 || *v > 3) return RangeError(p.name, p.value, "0.2-3");
      c.buffer_bytes = static_cast<uint64_t>(*v * (1u << 20));
    } else if (p.name == "BufferIntervalInSeconds") {
      const auto v = Number(p.value);
      if (!v || *v < 60 || *v > 900 || *v != static_cast<int64_t>(*v)) return RangeError(p.name, p.value, "60-900");
      c.buffer_interval_s = static_cast<int64_t>(*v);
    }
  }
  if (c.arn.empty()) return Status::InvalidArgument("LambdaArn must be specified for a Lambda processor.");
  return c;
}

Result<std::vector<TransformOutput>> RunLambdaProcessor(const LambdaProcessorConfig& config, RecordTransformer& transformer,
                                                const TransformContext& context,
                                                std::span<const TransformInput> inputs, const Clock& clock,
                                                const InvocationObserver& observe) {
  std::vector<TransformOutput> out;
  out.reserve(inputs.size());
  size_t begin = 0;
  while (begin < inputs.size()) {
    size_t end = begin + 1;
    uint64_t raw = inputs[begin].data.size();
    size_t event = kEventOverhead + EventBytes(inputs[begin]);
    while (end < inputs.size() && raw + inputs[end].data.size() <= config.buffer_bytes &&
           event + EventBytes(inputs[end]) <= kMaxTransformEventBytes) {
      raw += inputs[end].data.size();
      event += EventBytes(inputs[end]);
      ++end;
    }
    const std::span<const TransformInput> batch = inputs.subspan(begin, end - begin);
    const std::string payload = Event(context, batch);
    TransformResult r;
    int64_t attempts = 0;
    while (attempts <= config.retries) {
      ++attempts;
      const int64_t start = clock.NowMillis();
      r = transformer.Invoke(config.arn, payload);
      if (r.unavailable) return Status::Unavailable("Lambda processor: " + r.error_message);
      if (observe) observe(r.error_code.empty(), clock.NowMillis() - start);
      if (r.error_code.empty()) break;
      spdlog::warn("msg=\"Lambda processor invocation failed\" function={} attempt={} error_code={} error=\"{}\"",
                   config.arn, attempts, r.error_code, r.error_message);
    }
    if (r.error_code.empty()) {
      ReadResponse(r.payload, batch, attempts, out);
    } else {
      for (size_t i = 0; i < batch.size(); ++i) out.push_back(Failed(r.error_code, r.error_message, attempts));
    }
    begin = end;
  }
  return out;
}

std::string LambdaErrorRecord(std::string_view raw, int64_t arrival_ms, const TransformOutput& failure,
                              std::string_view lambda_arn) {
  // attemptEndingTimestamp is the arrival time, as in the other error records, so that a
  // replay rebuilds the same bytes.
  nlohmann::ordered_json j;
  j["attemptsMade"] = failure.attempts;
  j["arrivalTimestamp"] = arrival_ms;
  j["errorCode"] = failure.error_code;
  j["errorMessage"] = failure.error_message;
  j["attemptEndingTimestamp"] = arrival_ms;
  j["rawData"] = Base64Encode(raw);
  j["lambdaArn"] = lambda_arn;
  return j.dump() + "\n";
}

}  // namespace sluice::delivery
