// send_to_firehose: each record's JSON object as one line to the delivery stream, in
// PutRecordBatch-sized groups (builtins.h).
#include "internal/builtin_impl.h"
#include "internal/kinesis_event.h"

namespace sluice::functions::internal {
namespace {

// Firehose's limit on one record (PutRecordBatch: 1,000 KiB before base64).
constexpr size_t kMaxFirehoseRecordBytes = 1000u << 10;

class SendToFirehose final : public BuiltinFunction {
 public:
  SendToFirehose(RecordSink& sink, std::string stream) : sink_(sink), stream_(std::move(stream)) {}

  std::string_view name() const override { return "send_to_firehose"; }

  InvokeOutcome HandleEvent(std::string_view event_json) override {
    return HandleEventAsRecords(*this, event_json);
  }

  InvokeOutcome HandleRecords(std::span<const KinesisRecordView> records) override {
    std::vector<std::string> group;
    size_t group_bytes = 0;
    for (const KinesisRecordView& r : records) {
      std::string line;
      line.reserve(r.data.size() + 1);  // usually enough: minifying seldom lengthens a record
      if (!AppendRecordObjectJson(&line, r.data, /*event_id=*/"")) {
        return FunctionFailure("ValueError", "record " + std::string(r.sequence_number) +
                                                 ": data is not a JSON object");
      }
      line.push_back('\n');
      if (line.size() > kMaxFirehoseRecordBytes) {
        return FunctionFailure("ValueError", "record " + std::string(r.sequence_number) +
                                                 ": larger than a Firehose record may be (1000 KiB)");
      }
      if (group.size() == kSinkMaxRecordsPerCall || group_bytes + line.size() > kSinkMaxBytesPerCall) {
        if (InvokeOutcome failed; !Flush(group, failed)) return failed;
        group_bytes = 0;
      }
      group_bytes += line.size();
      group.push_back(std::move(line));
    }
    if (InvokeOutcome failed; !Flush(group, failed)) return failed;
    return FunctionSuccess();
  }

 private:
  bool Flush(std::vector<std::string>& group, InvokeOutcome& failed) {
    if (group.empty()) return true;
    const Status st = sink_.PutRecordBatch(stream_, group);
    group.clear();
    if (st.ok()) return true;
    failed = FunctionFailure("ClientError", "PutRecordBatch to " + stream_ + ": " + st.message());
    return false;
  }

  RecordSink& sink_;
  const std::string stream_;
};

}  // namespace

std::unique_ptr<BuiltinFunction> MakeSendToFirehose(RecordSink& sink, std::string delivery_stream) {
  return std::make_unique<SendToFirehose>(sink, std::move(delivery_stream));
}

}  // namespace sluice::functions::internal
