// write_to_s3: one S3 object per batch holding a JSON array of the batch's records, each
// with event_id = its sequence number (builtins.h).
#include "internal/builtin_impl.h"
#include "internal/kinesis_event.h"
#include "internal/record_schema.h"

namespace sluice::functions::internal {
namespace {

class WriteToS3 final : public BuiltinFunction {
 public:
  WriteToS3(objects::ObjectStore& store, std::string bucket) : store_(store), bucket_(std::move(bucket)) {}

  std::string_view name() const override { return "write_to_s3"; }

  InvokeOutcome HandleEvent(std::string_view event_json) override {
    return HandleEventAsRecords(*this, event_json);
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
  return BatchKey("write_to_s3", /*salt=*/"", records);
}

std::unique_ptr<BuiltinFunction> MakeWriteToS3(objects::ObjectStore& store, std::string bucket) {
  return std::make_unique<WriteToS3>(store, std::move(bucket));
}

}  // namespace sluice::functions::internal
