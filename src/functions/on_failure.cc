#include "internal/on_failure.h"

#include <cstdio>
#include <ctime>

#include "aws/json_text.h"
#include "base/random.h"

namespace sluice::functions::internal {
namespace {

std::tm Utc(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

}  // namespace

std::string FormatIsoMillis(int64_t ms) {
  const std::tm tm = Utc(ms);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string RandomUuid() {
  std::string h = RandomHex(16);
  h[12] = '4';
  static constexpr char kVariant[] = "89ab";
  h[16] = kVariant[static_cast<unsigned char>(h[16]) % 4];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::string OnFailureKey(const FailureRecord& f, std::string_view shard_id, std::string_view request_uuid) {
  const std::tm tm = Utc(f.now_ms);
  char when[128];
  std::snprintf(when, sizeof when, "%04d/%02d/%02d/%04d-%02d-%02dT%02d.%02d.%02d-", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return "aws/lambda/" + f.mapping_uuid + "/" + std::string(shard_id) + "/" + when +
         std::string(request_uuid);
}

std::string OnFailureBody(const FailureRecord& f, std::span<const KinesisRecordView> records,
                          const EventSource& src, std::string_view request_uuid) {
  std::string out = R"({"requestContext":{"requestId":)";
  aws::AppendJsonString(&out, request_uuid);
  out += R"(,"functionArn":)";
  aws::AppendJsonString(&out, f.function_arn);
  out += R"(,"condition":)";
  aws::AppendJsonString(&out, f.condition);
  out += R"(,"approximateInvokeCount":)" + std::to_string(f.invoke_count) + "}";
  if (f.response) {
    out += R"(,"responseContext":{"statusCode":)" + std::to_string(f.response->status_code) +
           R"(,"executedVersion":"$LATEST")";
    if (!f.response->function_error.empty()) {
      out += R"(,"functionError":)";
      aws::AppendJsonString(&out, f.response->function_error);
    }
    out += "}";
  }
  out += R"(,"version":"1.0","timestamp":")" + FormatIsoMillis(f.now_ms) + "\"";
  out += R"(,"KinesisBatchInfo":{"shardId":)";
  aws::AppendJsonString(&out, records.front().shard_id);
  out += R"(,"startSequenceNumber":)";
  aws::AppendJsonString(&out, records.front().sequence_number);
  out += R"(,"endSequenceNumber":)";
  aws::AppendJsonString(&out, records.back().sequence_number);
  out += R"(,"approximateArrivalOfFirstRecord":")" +
         FormatIsoMillis(records.front().approximate_arrival_ms) +
         R"(","approximateArrivalOfLastRecord":")" +
         FormatIsoMillis(records.back().approximate_arrival_ms) + R"(","batchSize":)" +
         std::to_string(records.size()) + R"(,"streamArn":)";
  aws::AppendJsonString(&out, src.event_source_arn);
  out += R"(},"payload":)";
  out += BuildKinesisEvent(records, src);
  out += "}";
  return out;
}

objects::ObjStatus WriteOnFailure(objects::ObjectStore& store, std::string_view bucket,
                                  const FailureRecord& f, std::span<const KinesisRecordView> records,
                                  const EventSource& src) {
  const std::string request_uuid = RandomUuid();
  objects::ObjectMeta meta;
  meta.content_type = "application/json";
  auto put = store.Put(bucket, OnFailureKey(f, records.front().shard_id, request_uuid),
                       OnFailureBody(f, records, src, request_uuid), meta);
  if (!put.ok()) return put.error();
  return Done{};
}

}  // namespace sluice::functions::internal
