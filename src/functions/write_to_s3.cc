// write_to_s3: one S3 object per batch holding a JSON array of the batch's records, each
// with event_id = its sequence number (builtins.h).
#include <cstdio>
#include <ctime>

#include "base/hash.h"
#include "base/hex.h"
#include "internal/builtin_impl.h"
#include "internal/kinesis_event.h"

namespace sluice::functions::internal {
namespace {

class WriteToS3 final : public BuiltinFunction {
 public:
  WriteToS3(objects::ObjectStore& store, std::string bucket) : store_(store), bucket_(std::move(bucket)) {}

  std::string_view name() const override { return "write_to_s3"; }

  InvokeOutcome HandleEvent(std::string_view event_json) override {
    Result<std::vector<EventRecord>> records = ParseKinesisEvent(event_json);
    if (!records.ok()) return FunctionFailure("ValueError", records.status().message());
    const std::vector<KinesisRecordView> views = Views(*records);
    return HandleRecords(views);
  }

  InvokeOutcome HandleRecords(std::span<const KinesisRecordView> records) override {
    if (records.empty()) return FunctionSuccess();
    std::string body;
    size_t data_bytes = 0;
    for (const KinesisRecordView& r : records) data_bytes += r.data.size() + r.sequence_number.size() + 16;
    body.reserve(data_bytes + 2);
    body.push_back('[');
    for (const KinesisRecordView& r : records) {
      if (body.size() > 1) body.push_back(',');
      if (!AppendRecordObjectJson(&body, r.data, r.sequence_number)) {
        return FunctionFailure("ValueError", "record " + std::string(r.sequence_number) +
                                                 ": data is not a JSON object");
      }
    }
    body.push_back(']');
    objects::ObjectMeta meta;
    meta.content_type = "application/json";
    const auto put = store_.Put(bucket_, WriteToS3Key(records), body, meta);
    if (!put.ok()) {
      return FunctionFailure("ClientError", "PutObject to bucket " + bucket_ + ": " + put.error().message);
    }
    return FunctionSuccess();
  }

 private:
  objects::ObjectStore& store_;
  const std::string bucket_;
};

}  // namespace

std::string WriteToS3Key(std::span<const KinesisRecordView> records) {
  const KinesisRecordView& first = records.front();
  const KinesisRecordView& last = records.back();
  const std::time_t secs = static_cast<std::time_t>(first.approximate_arrival_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char date[128];
  std::snprintf(date, sizeof date, "date=%04d-%02d-%02d/%04d_%02d_%02d_%02d_", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
  // The batch's identity: its shard and sequence-number range, so a retried batch
  // overwrites its own object.
  std::string range(first.shard_id);
  range += ':';
  range += first.sequence_number;
  range += '-';
  range += last.sequence_number;
  return "context=write_to_s3/" + std::string(date) + HexEncode(Md5(range)) + ".json";
}

std::unique_ptr<BuiltinFunction> MakeWriteToS3(objects::ObjectStore& store, std::string bucket) {
  return std::make_unique<WriteToS3>(store, std::move(bucket));
}

}  // namespace sluice::functions::internal
