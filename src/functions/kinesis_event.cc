#include "internal/kinesis_event.h"

#include <cmath>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "aws/json_text.h"
#include "base/base64.h"

namespace sluice::functions::internal {
namespace {

size_t JsonStringSize(std::string_view s) {
  size_t n = 2;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != '"' && c != '\\') ++n;
    else if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') n += 2;
    else n += 6;
  }
  return n;
}

constexpr std::string_view kPart1 = R"({"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":)";
constexpr std::string_view kPart2 = R"(,"sequenceNumber":)";
constexpr std::string_view kPart3 = R"(,"data":")";
constexpr std::string_view kPart4 = R"(","approximateArrivalTimestamp":)";
constexpr std::string_view kPart5 =
    R"(},"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":)";
constexpr std::string_view kPart6 = R"(,"eventName":"aws:kinesis:record","invokeIdentityArn":)";
constexpr std::string_view kPart7 = R"(,"awsRegion":)";
constexpr std::string_view kPart8 = R"(,"eventSourceARN":)";

}  // namespace

std::string FormatEpochSeconds(int64_t ms) {
  const int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  std::string s = std::to_string(secs) + ".";
  if (frac == 0) return s + "0";
  std::string digits = {static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                        static_cast<char>('0' + frac % 10)};
  while (digits.back() == '0') digits.pop_back();
  return s + digits;
}

void AppendRecordJson(std::string& out, const KinesisRecordView& r, const EventSource& src) {
  out.append(kPart1);
  aws::AppendJsonString(&out, r.partition_key);
  out.append(kPart2);
  aws::AppendJsonString(&out, r.sequence_number);
  out.append(kPart3);
  Base64EncodeAppend(r.data, out);
  out.append(kPart4);
  out.append(FormatEpochSeconds(r.approximate_arrival_ms));
  out.append(kPart5);
  out.push_back('"');
  out.append(r.shard_id);
  out.push_back(':');
  out.append(r.sequence_number);
  out.push_back('"');
  out.append(kPart6);
  aws::AppendJsonString(&out, src.invoke_identity_arn);
  out.append(kPart7);
  aws::AppendJsonString(&out, src.region);
  out.append(kPart8);
  aws::AppendJsonString(&out, src.event_source_arn);
  out.push_back('}');
}

size_t SourceJsonSize(const EventSource& src) {
  return JsonStringSize(src.invoke_identity_arn) + JsonStringSize(src.region) + JsonStringSize(src.event_source_arn);
}

size_t RecordJsonSize(const KinesisRecordView& r, size_t source_json_size) {
  return kPart1.size() + JsonStringSize(r.partition_key) + kPart2.size() + JsonStringSize(r.sequence_number) +
         kPart3.size() + (r.data.size() + 2) / 3 * 4 + kPart4.size() +
         FormatEpochSeconds(r.approximate_arrival_ms).size() + kPart5.size() + r.shard_id.size() +
         r.sequence_number.size() + 3 + kPart6.size() + kPart7.size() + kPart8.size() + source_json_size + 1;
}

size_t RecordJsonSize(const KinesisRecordView& r, const EventSource& src) {
  return RecordJsonSize(r, SourceJsonSize(src));
}

std::string FormatIsoSeconds(int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

namespace {

constexpr std::string_view kWindow1 = R"(,"window":{"start":")";
constexpr std::string_view kWindow2 = R"(","end":")";
constexpr std::string_view kWindow3 = R"("},"state":)";
constexpr std::string_view kWindow4 = R"(,"shardId":)";
constexpr std::string_view kWindow5 = R"(,"eventSourceARN":)";
constexpr std::string_view kWindow6 = R"(,"isFinalInvokeForWindow":)";
constexpr std::string_view kWindow7 = R"(,"isWindowTerminatedEarly":)";

std::string_view Bool(bool b) { return b ? "true" : "false"; }

void AppendWindowFields(std::string& out, const WindowFields& w, const EventSource& src) {
  out.append(kWindow1);
  out.append(FormatIsoSeconds(w.start_ms));
  out.append(kWindow2);
  out.append(FormatIsoSeconds(w.end_ms));
  out.append(kWindow3);
  out.append(w.state);
  out.append(kWindow4);
  aws::AppendJsonString(&out, w.shard_id);
  out.append(kWindow5);
  aws::AppendJsonString(&out, src.event_source_arn);
  out.append(kWindow6);
  out.append(Bool(w.final_invoke));
  out.append(kWindow7);
  out.append(Bool(w.terminated_early));
}

}  // namespace

size_t WindowFieldsSize(const WindowFields& w, const EventSource& src) {
  return kWindow1.size() + FormatIsoSeconds(w.start_ms).size() + kWindow2.size() + FormatIsoSeconds(w.end_ms).size() +
         kWindow3.size() + w.state.size() + kWindow4.size() + JsonStringSize(w.shard_id) + kWindow5.size() +
         JsonStringSize(src.event_source_arn) + kWindow6.size() + Bool(w.final_invoke).size() + kWindow7.size() +
         Bool(w.terminated_early).size();
}

std::string BuildKinesisEvent(std::span<const KinesisRecordView> records, const EventSource& src,
                              const WindowFields* window) {
  std::string out;
  size_t total = kEventEnvelopeBytes + (window != nullptr ? WindowFieldsSize(*window, src) : 0);
  const size_t source_size = SourceJsonSize(src);
  for (const KinesisRecordView& r : records) total += RecordJsonSize(r, source_size) + 1;
  out.reserve(total);
  out.append(R"({"Records":[)");
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendRecordJson(out, records[i], src);
  }
  out.push_back(']');
  if (window != nullptr) AppendWindowFields(out, *window, src);
  out.push_back('}');
  return out;
}

Result<std::vector<EventRecord>> ParseKinesisEvent(std::string_view event_json) {
  using nlohmann::json;
  const json j = json::parse(event_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("Records") || !j["Records"].is_array()) {
    return Status::InvalidArgument("the event is not a Kinesis event: no Records array");
  }
  std::vector<EventRecord> out;
  for (const json& rec : j["Records"]) {
    const auto str = [](const json& o, const char* key) -> const std::string* {
      if (!o.is_object()) return nullptr;
      const auto it = o.find(key);
      return it != o.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
    };
    const json* k = rec.is_object() && rec.contains("kinesis") ? &rec["kinesis"] : nullptr;
    const std::string* data = k ? str(*k, "data") : nullptr;
    const std::string* seq = k ? str(*k, "sequenceNumber") : nullptr;
    if (data == nullptr || seq == nullptr) {
      return Status::InvalidArgument("a record has no kinesis.data or kinesis.sequenceNumber");
    }
    EventRecord r;
    std::optional<std::string> bytes = Base64Decode(*data);
    if (!bytes) return Status::InvalidArgument("record " + *seq + ": data is not base64");
    r.data = std::move(*bytes);
    r.sequence_number = *seq;
    if (const std::string* pk = str(*k, "partitionKey")) r.partition_key = *pk;
    if (const std::string* id = str(rec, "eventID")) r.shard_id = id->substr(0, id->find(':'));
    const auto ts = k->find("approximateArrivalTimestamp");
    if (ts != k->end() && ts->is_number()) {
      r.arrival_ms = static_cast<int64_t>(std::llround(ts->get<double>() * 1000.0));
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<KinesisRecordView> Views(const std::vector<EventRecord>& records) {
  std::vector<KinesisRecordView> v;
  v.reserve(records.size());
  for (const EventRecord& r : records) {
    v.push_back({r.shard_id, r.sequence_number, r.partition_key, r.data, r.arrival_ms});
  }
  return v;
}

}  // namespace sluice::functions::internal
