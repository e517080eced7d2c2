#include "aws/kinesis_client.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <simdjson.h>
#include <thread>

#include "base/base64.h"
#include "aws/json_text.h"
#include "aws/sigv4.h"

namespace sluice::aws {
namespace {

using nlohmann::json;

constexpr std::string_view kTargetPrefix = "Kinesis_20131202.";
constexpr std::string_view kContentType = "application/x-amz-json-1.1";

KinesisError ErrorFromResponse(const HttpResponse& response) {
  KinesisError err;
  err.http_status = response.status;
  const json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    if (auto it = body.find("__type"); it != body.end() && it->is_string()) err.type = it->get<std::string>();
    for (const char* key : {"message", "Message"}) {
      if (auto it = body.find(key); it != body.end() && it->is_string()) err.message = it->get<std::string>();
    }
  }
  if (err.type.empty()) {
    if (const std::string* h = response.FindHeader("x-amzn-ErrorType")) err.type = *h;
  }
  err.code = KinesisErrorFromType(err.type);
  if (err.code == KinesisErrorCode::kUnknown) {
    if (response.status == 503) err.code = KinesisErrorCode::kServiceUnavailable;
    else if (response.status >= 500) err.code = KinesisErrorCode::kInternalFailure;
  }
  if (err.type.empty()) err.type = std::string(KinesisErrorName(err.code));
  if (err.message.empty() && err.code == KinesisErrorCode::kUnknown) err.message = response.body.substr(0, 200);
  err.retryable = IsRetryable(err.code);
  return err;
}

KinesisError ProtocolError(std::string message) {
  KinesisError err;
  err.code = KinesisErrorCode::kUnknown;
  err.type = "InvalidResponse";
  err.message = std::move(message);
  return err;
}

std::string StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  return (it != obj.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

std::string_view IteratorTypeName(ShardIteratorType t) {
  switch (t) {
    case ShardIteratorType::kTrimHorizon: return "TRIM_HORIZON";
    case ShardIteratorType::kLatest: return "LATEST";
    case ShardIteratorType::kAtSequenceNumber: return "AT_SEQUENCE_NUMBER";
    case ShardIteratorType::kAfterSequenceNumber: return "AFTER_SEQUENCE_NUMBER";
    case ShardIteratorType::kAtTimestamp: return "AT_TIMESTAMP";
  }
  return "LATEST";
}

// Parses a 2xx body; a body that is not a JSON object is a protocol error.
Expected<json, KinesisError> ParseObject(const std::string& text) {
  json body = json::parse(text, nullptr, false);
  if (!body.is_object()) return ProtocolError("response is not a JSON object: " + text.substr(0, 200));
  return body;
}

}  // namespace

KinesisClient::KinesisClient(KinesisClientOptions options) : options_(std::move(options)), http_(options_.http) {
  if (options_.region.empty()) options_.region = "us-east-1";
  if (options_.clock == nullptr) options_.clock = &Clock::Real();
}

KinesisResult<std::string> KinesisClient::Call(std::string_view action, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.endpoint = options_.endpoint;
  request.path = "/";
  request.headers.push_back({"Content-Type", std::string(kContentType)});
  request.headers.push_back({"X-Amz-Target", std::string(kTargetPrefix) + std::string(action)});
  request.body = std::move(body);
  const SigningScope scope{options_.region, "kinesis"};
  if (Status st = SignRequest(request, options_.credentials, scope, options_.clock->NowMillis() / 1000); !st.ok()) {
    KinesisError err;
    err.code = KinesisErrorCode::kMissingAuthenticationToken;
    err.type = "SigningFailed";
    err.message = st.message();
    return err;
  }
  HttpResult result = http_.Send(request);
  if (!result.ok()) {
    KinesisError err;
    err.code = KinesisErrorCode::kTransport;
    err.type = "Transport" + std::string(TransportErrorName(result.error().code));
    err.message = result.error().message;
    err.retryable = result.error().retryable();
    return err;
  }
  HttpResponse& response = result.value();
  if (response.status < 200 || response.status >= 300) return ErrorFromResponse(response);
  return std::move(response.body);
}

std::string KinesisClient::EncodePutRecordsBody(std::string_view stream, std::span<const PutRecordsEntry> records) {
  size_t size = 64 + stream.size();
  for (const PutRecordsEntry& r : records) size += (r.data.size() + 2) / 3 * 4 + r.partition_key.size() + 64;
  std::string body;
  body.reserve(size);
  body += "{\"StreamName\":";
  AppendJsonString(&body, stream);
  body += ",\"Records\":[";
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) body.push_back(',');
    body += "{\"Data\":\"";
    Base64EncodeAppend(records[i].data, body);
    body += "\",\"PartitionKey\":";
    AppendJsonString(&body, records[i].partition_key);
    if (!records[i].explicit_hash_key.empty()) {
      body += ",\"ExplicitHashKey\":";
      AppendJsonString(&body, records[i].explicit_hash_key);
    }
    body.push_back('}');
  }
  body += "]}";
  return body;
}

KinesisResult<PutRecordsOutput> KinesisClient::PutRecords(std::string_view stream,
                                                          std::span<const PutRecordsEntry> records) {
  KinesisResult<std::string> text = Call("PutRecords", EncodePutRecordsBody(stream, records));
  if (!text.ok()) return text.error();
  // The hot answer (one per 500 records): parsed with simdjson, which is several times
  // faster than the DOM library the rarer calls use.
  std::string& raw = text.value();
  raw.reserve(raw.size() + simdjson::SIMDJSON_PADDING);
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(raw.data(), raw.size(), false).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return ProtocolError("response is not a JSON object: " + raw.substr(0, 200));
  }
  PutRecordsOutput out;
  int64_t failed = 0;
  if (doc["FailedRecordCount"].get(failed) == simdjson::SUCCESS) out.failed_record_count = static_cast<int>(failed);
  simdjson::dom::array recs;
  if (doc["Records"].get(recs) != simdjson::SUCCESS || recs.size() != records.size()) {
    return ProtocolError("PutRecords answer has " + std::to_string(recs.size()) + " results for " +
                         std::to_string(records.size()) + " records");
  }
  out.records.reserve(recs.size());
  auto field = [](simdjson::dom::object o, const char* key) {
    std::string_view v;
    return o[key].get(v) == simdjson::SUCCESS ? std::string(v) : std::string();
  };
  for (simdjson::dom::element r : recs) {
    simdjson::dom::object o;
    if (r.get(o) != simdjson::SUCCESS) return ProtocolError("PutRecords result entry is not an object");
    out.records.push_back({field(o, "SequenceNumber"), field(o, "ShardId"), field(o, "ErrorCode"),
                           field(o, "ErrorMessage")});
  }
  return out;
}

KinesisResult<PutRecordOutput> KinesisClient::PutRecord(std::string_view stream, std::string_view data,
                                                        std::string_view partition_key) {
  std::string body = "{\"StreamName\":";
  AppendJsonString(&body, stream);
  body += ",\"Data\":\"";
  Base64EncodeAppend(data, body);
  body += "\",\"PartitionKey\":";
  AppendJsonString(&body, partition_key);
  body += "}";
  KinesisResult<std::string> text = Call("PutRecord", std::move(body));
  if (!text.ok()) return text.error();
  auto obj = ParseObject(text.value());
  if (!obj.ok()) return obj.error();
  return PutRecordOutput{StringField(obj.value(), "SequenceNumber"), StringField(obj.value(), "ShardId")};
}

KinesisResult<Done> KinesisClient::CreateStream(std::string_view stream, int shard_count) {
  const json body = {{"StreamName", stream}, {"ShardCount", shard_count}};
  KinesisResult<std::string> text = Call("CreateStream", body.dump());
  if (!text.ok()) return text.error();
  return Done{};
}

KinesisResult<Done> KinesisClient::DeleteStream(std::string_view stream) {
  const json body = {{"StreamName", stream}};
  KinesisResult<std::string> text = Call("DeleteStream", body.dump());
  if (!text.ok()) return text.error();
  return Done{};
}

KinesisResult<StreamSummary> KinesisClient::DescribeStreamSummary(std::string_view stream) {
  const json body = {{"StreamName", stream}};
  KinesisResult<std::string> text = Call("DescribeStreamSummary", body.dump());
  if (!text.ok()) return text.error();
  auto obj = ParseObject(text.value());
  if (!obj.ok()) return obj.error();
  auto d = obj.value().find("StreamDescriptionSummary");
  if (d == obj.value().end() || !d->is_object()) return ProtocolError("no StreamDescriptionSummary");
  StreamSummary s;
  s.name = StringField(*d, "StreamName");
  s.arn = StringField(*d, "StreamARN");
  s.status = StringField(*d, "StreamStatus");
  s.open_shard_count = d->value("OpenShardCount", 0);
  s.retention_period_hours = d->value("RetentionPeriodHours", 0);
  return s;
}

KinesisResult<std::vector<ShardInfo>> KinesisClient::ListShards(std::string_view stream) {
  std::vector<ShardInfo> shards;
  std::string next_token;
  do {
    // StreamName and NextToken are mutually exclusive in ListShards.
    const json body = next_token.empty() ? json{{"StreamName", stream}} : json{{"NextToken", next_token}};
    KinesisResult<std::string> text = Call("ListShards", body.dump());
    if (!text.ok()) return text.error();
    auto obj = ParseObject(text.value());
    if (!obj.ok()) return obj.error();
    auto list = obj.value().find("Shards");
    if (list == obj.value().end() || !list->is_array()) return ProtocolError("ListShards answer has no Shards");
    for (const json& s : *list) {
      ShardInfo info;
      info.shard_id = StringField(s, "ShardId");
      info.parent_shard_id = StringField(s, "ParentShardId");
      if (auto h = s.find("HashKeyRange"); h != s.end() && h->is_object()) {
        info.starting_hash_key = StringField(*h, "StartingHashKey");
        info.ending_hash_key = StringField(*h, "EndingHashKey");
      }
      if (auto r = s.find("SequenceNumberRange"); r != s.end() && r->is_object()) {
        info.starting_sequence_number = StringField(*r, "StartingSequenceNumber");
        info.ending_sequence_number = StringField(*r, "EndingSequenceNumber");
      }
      shards.push_back(std::move(info));
    }
    next_token = StringField(obj.value(), "NextToken");
  } while (!next_token.empty());
  return shards;
}

KinesisResult<std::string> KinesisClient::GetShardIterator(std::string_view stream, std::string_view shard_id,
                                                           ShardIteratorType type, std::string_view sequence_number,
                                                           double timestamp) {
  json body = {{"StreamName", stream}, {"ShardId", shard_id}, {"ShardIteratorType", IteratorTypeName(type)}};
  if (!sequence_number.empty()) body["StartingSequenceNumber"] = sequence_number;
  if (type == ShardIteratorType::kAtTimestamp) body["Timestamp"] = timestamp;
  KinesisResult<std::string> text = Call("GetShardIterator", body.dump());
  if (!text.ok()) return text.error();
  auto obj = ParseObject(text.value());
  if (!obj.ok()) return obj.error();
  std::string it = StringField(obj.value(), "ShardIterator");
  if (it.empty()) return ProtocolError("GetShardIterator answer has no ShardIterator");
  return it;
}

KinesisResult<GetRecordsOutput> KinesisClient::GetRecords(std::string_view shard_iterator, int limit) {
  const json body = {{"ShardIterator", shard_iterator}, {"Limit", limit}};
  KinesisResult<std::string> text = Call("GetRecords", body.dump());
  if (!text.ok()) return text.error();
  auto obj = ParseObject(text.value());
  if (!obj.ok()) return obj.error();
  GetRecordsOutput out;
  out.next_shard_iterator = StringField(obj.value(), "NextShardIterator");
  if (auto m = obj.value().find("MillisBehindLatest"); m != obj.value().end() && m->is_number()) {
    out.millis_behind_latest = m->get<int64_t>();
  }
  auto recs = obj.value().find("Records");
  if (recs == obj.value().end() || !recs->is_array()) return ProtocolError("GetRecords answer has no Records");
  out.records.reserve(recs->size());
  for (const json& r : *recs) {
    std::optional<std::string> data = Base64Decode(StringField(r, "Data"));
    if (!data) return ProtocolError("record Data is not valid base64");
    KinesisRecord rec{StringField(r, "SequenceNumber"), StringField(r, "PartitionKey"), std::move(*data), 0};
    if (auto t = r.find("ApproximateArrivalTimestamp"); t != r.end() && t->is_number()) {
      rec.approximate_arrival_timestamp = t->get<double>();
    }
    out.records.push_back(std::move(rec));
  }
  return out;
}

KinesisResult<Done> KinesisClient::WaitForActive(std::string_view stream, int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    KinesisResult<StreamSummary> s = DescribeStreamSummary(stream);
    if (!s.ok() && s.error().code != KinesisErrorCode::kResourceNotFound) return s.error();
    if (s.ok() && s->status == "ACTIVE") return Done{};
    if (std::chrono::steady_clock::now() >= deadline) {
      KinesisError err;
      err.code = KinesisErrorCode::kResourceInUse;
      err.type = "Timeout";
      err.message = "stream " + std::string(stream) + " did not become ACTIVE in " + std::to_string(timeout_ms) + " ms";
      return err;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace sluice::aws
