#include "functions/builtins.h"

#include <simdjson.h>

#include <nlohmann/json.hpp>

#include "aws/json_text.h"
#include "internal/builtin_impl.h"
#include "internal/kinesis_event.h"
#include "internal/record_schema.h"

namespace sluice::functions {

namespace internal {

InvokeOutcome FunctionFailure(std::string_view error_type, std::string_view message) {
  InvokeOutcome r;
  r.function_error = FunctionError::kUnhandled;
  r.payload = R"({"errorMessage":)";
  aws::AppendJsonString(&r.payload, message);
  r.payload += R"(,"errorType":)";
  aws::AppendJsonString(&r.payload, error_type);
  r.payload += "}";
  return r;
}

InvokeOutcome FunctionSuccess() {
  InvokeOutcome r;
  r.payload = "null";
  return r;
}

InvokeOutcome HandleEventAsRecords(BuiltinFunction& f, std::string_view event_json) {
  Result<std::vector<EventRecord>> records = ParseKinesisEvent(event_json);
  if (!records.ok()) return FunctionFailure("ValueError", records.status().message());
  const std::vector<KinesisRecordView> views = Views(*records);
  return f.HandleRecords(views);
}

namespace {

// Appends the minified JSON text of `value` through one builder per thread, so a record
// costs no allocation once the builder and `out` have grown (simdjson::minify makes a
// builder and a string per call).
template <typename T>
void AppendMinified(std::string* out, T value) {
  thread_local simdjson::internal::string_builder<> builder;
  builder.clear();
  builder.append(value);
  out->append(builder.str());
}

}  // namespace

bool AppendRecordObjectJson(std::string* out, std::string_view data, std::string_view event_id) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(data.data(), data.size(), /*realloc_if_needed=*/true).get(doc)) return false;
  simdjson::dom::object obj;
  if (doc.get_object().get(obj)) return false;
  if (event_id.empty()) {
    AppendMinified(out, obj);
    return true;
  }
  simdjson::dom::element existing;
  if (obj.at_key("event_id").get(existing) == simdjson::SUCCESS) {
    // Every record sluice produce sends has one: replaced in place, as json.loads + dict
    // assignment would (same position, one member), without a second parse.
    out->push_back('{');
    bool first = true;
    bool replaced = false;
    for (auto field : obj) {
      if (field.key == "event_id" && replaced) continue;
      if (!first) out->push_back(',');
      first = false;
      aws::AppendJsonString(out, field.key);
      out->push_back(':');
      if (field.key == "event_id") {
        aws::AppendJsonString(out, event_id);
        replaced = true;
      } else {
        AppendMinified(out, field.value);
      }
    }
    out->push_back('}');
    return true;
  }
  const size_t start = out->size();
  AppendMinified(out, obj);
  out->pop_back();  // the closing brace
  if (out->size() > start + 1) out->push_back(',');
  *out += R"("event_id":)";
  aws::AppendJsonString(out, event_id);
  out->push_back('}');
  return true;
}

std::optional<std::string> RecordObjectJson(std::string_view data, std::string_view event_id) {
  std::string out;
  if (!AppendRecordObjectJson(&out, data, event_id)) return std::nullopt;
  return out;
}

}  // namespace internal

std::string_view BuiltinNameFromHandler(std::string_view handler) {
  if (!handler.starts_with(kBuiltinHandlerPrefix)) return {};
  return handler.substr(kBuiltinHandlerPrefix.size());
}

namespace {

Expected<std::string, InvokeError> RequiredVariable(const BuiltinEnv& env, std::string_view builtin,
                                                    const std::string& name) {
  const auto it = env.variables.find(name);
  if (it == env.variables.end() || it->second.empty()) {
    return InvokeError{InvokeErrorType::kInvalidRuntime,
                       "built-in function " + std::string(builtin) +
                           " needs the environment variable " + name};
  }
  return it->second;
}

}  // namespace

Expected<std::unique_ptr<BuiltinFunction>, InvokeError> MakeBuiltin(std::string_view name,
                                                                    BuiltinEnv env) {
  if (name == "write_to_s3") {
    ASSIGN_OR_RETURN(std::string bucket, RequiredVariable(env, name, "OUTPUT_BUCKET"));
    if (env.store == nullptr) {
      return InvokeError{InvokeErrorType::kInvalidRuntime, "built-in function write_to_s3 has no object store"};
    }
    ASSIGN_OR_RETURN(auto check, internal::SchemaCheckFor(env, name, bucket));
    return internal::WithSchema(internal::MakeWriteToS3(*env.store, std::move(bucket)), std::move(check));
  }
  if (name == "send_to_firehose") {
    ASSIGN_OR_RETURN(std::string stream, RequiredVariable(env, name, "DELIVERY_STREAM_NAME"));
    if (env.sink == nullptr) {
      return InvokeError{InvokeErrorType::kInvalidRuntime,
                         "built-in function send_to_firehose has no Firehose sink in this server"};
    }
    ASSIGN_OR_RETURN(auto check, internal::SchemaCheckFor(env, name, ""));
    return internal::WithSchema(internal::MakeSendToFirehose(*env.sink, std::move(stream)), std::move(check));
  }
  return InvokeError{InvokeErrorType::kInvalidRuntime,
                     "no built-in function named " + std::string(name) +
                         " (known: write_to_s3, send_to_firehose)"};
}

}  // namespace sluice::functions
