// The built-in functions' shared pieces: record JSON handling and error results.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "functions/builtins.h"

namespace sluice::functions::internal {

// An Unhandled function error in the shape a Python handler's uncaught exception has.
InvokeOutcome FunctionFailure(std::string_view error_type, std::string_view message);
InvokeOutcome FunctionSuccess();

// HandleEvent as every built-in does it: the event's records to f.HandleRecords; a
// malformed event is a ValueError.
InvokeOutcome HandleEventAsRecords(BuiltinFunction& f, std::string_view event_json);

// `data` (a record's bytes) as one line of JSON text with no line break: the object
// minified, with "event_id": `event_id` added (replacing one already there) unless
// `event_id` is empty. nullopt when `data` is not a JSON object.
std::optional<std::string> RecordObjectJson(std::string_view data, std::string_view event_id);
// The same appended to `out`; false, with `out` as it was, when `data` is not a JSON
// object.
bool AppendRecordObjectJson(std::string* out, std::string_view data, std::string_view event_id);

std::unique_ptr<BuiltinFunction> MakeWriteToS3(objects::ObjectStore& store, std::string bucket);
std::unique_ptr<BuiltinFunction> MakeSendToFirehose(RecordSink& sink, std::string delivery_stream);

// The object key write_to_s3 gives a batch (builtins.h).
std::string WriteToS3Key(std::span<const KinesisRecordView> records);

}  // namespace sluice::functions::internal
