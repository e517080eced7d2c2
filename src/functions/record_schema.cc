// JSON-schema validation with valijson (Debian's libvalijson-dev) and the dead-letter
// objects of the built-ins (internal/record_schema.h).
#include "internal/record_schema.h"

#include <ctime>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>
// valijson reports a bad schema by throwing (without this, by printing and aborting).
#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
// Before any validation: pattern, patternProperties and format without valijson's engine.
#include "internal/valijson_patterns.h"

#include "aws/json_text.h"
#include "base/base64.h"
#include "base/hash.h"
#include "base/hex.h"
#include "base/mutex.h"
#include "internal/builtin_impl.h"
#include "internal/kinesis_event.h"

namespace sluice::functions::internal {
namespace {

// Sets this thread's active patterns for one validation.
class PatternsInUse {
 public:
  explicit PatternsInUse(const CompiledPatterns& p) : previous_(ActivePatterns()) { ActivePatterns() = &p; }
  ~PatternsInUse() { ActivePatterns() = previous_; }
  PatternsInUse(const PatternsInUse&) = delete;
  PatternsInUse& operator=(const PatternsInUse&) = delete;

 private:
  const CompiledPatterns* const previous_;
};

class ValijsonSchema final : public RecordSchema {
 public:
  std::optional<std::string> Validate(std::string_view data) const override {
    const nlohmann::json doc = nlohmann::json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return "not JSON";
    const PatternsInUse in_use(patterns_);
    valijson::Validator validator;
    valijson::ValidationResults results;
    const valijson::adapters::NlohmannJsonAdapter target(doc);
    if (validator.validate(schema_, target, &results)) return std::nullopt;
    // The deepest error is the most specific one: valijson reports the enclosing
    // constraints ("properties") after the failing leaf.
    valijson::ValidationResults::Error error;
    std::string reason;
    size_t deepest = 0;
    while (results.popError(error)) {
      if (!reason.empty() && error.context.size() <= deepest) continue;
      std::string at;
      for (const std::string& part : error.context) at += part;
      reason = at + ": " + error.description;
      deepest = error.context.size();
    }
    return reason.empty() ? std::string("does not satisfy the schema") : reason;
  }

  valijson::Schema schema_;
  CompiledPatterns patterns_;
};

// Compiles every `pattern` and `patternProperties` name of the schema (ECMA dialect) and
// checks every `format`; the reason when one cannot be served. `node` is a schema or a
// container of schemas; `names`: its keys are names (properties, definitions, ...), not
// keywords. Values of enum, const, default and examples are data and are not read.
std::optional<std::string> CompileKeywords(const nlohmann::json& node, bool names, const std::string& at,
                                           CompiledPatterns& out) {
  const auto compile = [&](const std::string& pattern, const std::string& where) -> std::optional<std::string> {
    if (out.contains(pattern)) return std::nullopt;
    auto p = LinearPattern::Compile(pattern, PatternSyntax::kEcma);
    if (!p.ok()) return "the pattern \"" + pattern + "\" at " + where + " cannot be matched: " + p.error();
    out.emplace(pattern, std::move(*p));
    return std::nullopt;
  };
  if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      if (auto why = CompileKeywords(node[i], false, at + "/" + std::to_string(i), out)) return why;
    }
    return std::nullopt;
  }
  if (!node.is_object()) return std::nullopt;
  for (const auto& [key, value] : node.items()) {
    const std::string where = at + "/" + key;
    if (names) {
      if (auto why = CompileKeywords(value, false, where, out)) return why;
      continue;
    }
    if (key == "enum" || key == "const" || key == "default" || key == "examples") continue;
    if (key == "pattern" && value.is_string()) {
      if (auto why = compile(value.get<std::string>(), where)) return why;
      continue;
    }
    if (key == "format" && value.is_string()) {
      const std::string format = value.get<std::string>();
      if (KindOfFormat(format) == FormatKind::kRefused) {
        return "the format \"" + format + "\" at " + where + " is not checked by sluice (it checks " +
               std::string(CheckedFormats()) + ")";
      }
      continue;
    }
    if (key == "patternProperties" && value.is_object()) {
      for (const auto& [pattern, sub] : value.items()) {
        if (auto why = compile(pattern, where)) return why;
      }
    }
    const bool holds_names = key == "properties" || key == "patternProperties" || key == "definitions" ||
                             key == "$defs" || key == "dependencies";
    if (auto why = CompileKeywords(value, holds_names, where, out)) return why;
  }
  return std::nullopt;
}

struct CachedSchema {
  std::string etag;
  std::shared_ptr<const RecordSchema> schema;
};
Mutex cache_mu;
std::map<std::string, CachedSchema, std::less<>> cache GUARDED_BY(cache_mu);

}  // namespace

Result<std::shared_ptr<const RecordSchema>> RecordSchema::Parse(std::string_view schema_json) {
  const nlohmann::json doc = nlohmann::json::parse(schema_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Status::InvalidArgument("the schema is not a JSON object");
  auto s = std::make_shared<ValijsonSchema>();
  if (const std::optional<std::string> why = CompileKeywords(doc, false, "#", s->patterns_)) {
    return Status::InvalidArgument(*why);
  }
  try {
    valijson::SchemaParser parser;
    const valijson::adapters::NlohmannJsonAdapter adapter(doc);
    parser.populateSchema(adapter, s->schema_);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("the schema is not valid: ") + e.what());
  }
  return std::shared_ptr<const RecordSchema>(std::move(s));
}

Result<std::shared_ptr<const RecordSchema>> LoadSchema(objects::ObjectStore& store, std::string_view uri) {
  constexpr std::string_view kScheme = "s3://";
  const size_t slash = uri.find('/', kScheme.size());
  if (!uri.starts_with(kScheme) || slash == std::string_view::npos || slash == kScheme.size() ||
      slash + 1 == uri.size()) {
    return Status::InvalidArgument("SCHEMA_S3_URI must be s3://bucket/key, not " + std::string(uri));
  }
  const std::string_view bucket = uri.substr(kScheme.size(), slash - kScheme.size());
  const std::string_view key = uri.substr(slash + 1);
  auto head = store.Head(bucket, key);
  if (!head.ok()) return Status::InvalidArgument("SCHEMA_S3_URI " + std::string(uri) + ": " + head.error().message);
  {
    MutexLock lock(cache_mu);
    if (auto it = cache.find(uri); it != cache.end() && it->second.etag == head->etag) return it->second.schema;
  }
  auto got = store.Get(bucket, key);
  if (!got.ok()) return Status::InvalidArgument("SCHEMA_S3_URI " + std::string(uri) + ": " + got.error().message);
  auto schema = RecordSchema::Parse(got->data);
  if (!schema.ok()) return Status::InvalidArgument("SCHEMA_S3_URI " + std::string(uri) + ": " + schema.status().message());
  MutexLock lock(cache_mu);
  cache.insert_or_assign(std::string(uri), CachedSchema{got->info.etag, *schema});
  return *schema;
}

Expected<std::shared_ptr<const SchemaCheck>, InvokeError> SchemaCheckFor(const BuiltinEnv& env,
                                                                       std::string_view builtin,
                                                                       std::string_view default_bucket) {
  const auto uri = env.variables.find("SCHEMA_S3_URI");
  if (uri == env.variables.end() || uri->second.empty()) return std::shared_ptr<const SchemaCheck>();
  const auto fail = [&](const std::string& why) {
    return InvokeError{InvokeErrorType::kInvalidRuntime, "built-in function " + std::string(builtin) + ": " + why};
  };
  if (env.store == nullptr) return fail("no object store to read SCHEMA_S3_URI from");
  auto check = std::make_shared<SchemaCheck>();
  const auto dlq = env.variables.find("DEAD_LETTER_BUCKET");
  check->dead_letter_bucket = dlq != env.variables.end() && !dlq->second.empty() ? dlq->second : std::string(default_bucket);
  if (check->dead_letter_bucket.empty()) return fail("SCHEMA_S3_URI needs DEAD_LETTER_BUCKET for invalid records");
  auto schema = LoadSchema(*env.store, uri->second);
  if (!schema.ok()) return fail(schema.status().message());
  check->schema = std::move(*schema);
  check->store = env.store;
  check->function_name = env.function_name;
  if (env.registry != nullptr) {
    check->invalid_records = &env.registry->GetCounter(
        metrics::MakeId(std::string(kConsumersNamespace), "InvalidRecords", {{"FunctionName", env.function_name}}),
        metrics::Unit::kCount);
  }
  return std::shared_ptr<const SchemaCheck>(std::move(check));
}

std::optional<std::vector<KinesisRecordView>> KeepValid(const SchemaCheck& check,
                                                        std::span<const KinesisRecordView> records,
                                                        InvokeOutcome& failed) {
  std::vector<KinesisRecordView> valid;
  valid.reserve(records.size());
  std::vector<KinesisRecordView> invalid;
  std::string lines;
  for (const KinesisRecordView& r : records) {
    std::optional<std::string> reason = check.schema->Validate(r.data);
    if (!reason) {
      valid.push_back(r);
      continue;
    }
    invalid.push_back(r);
    lines += R"({"function_name":)";
    aws::AppendJsonString(&lines, check.function_name);
    lines += R"(,"shard_id":)";
    aws::AppendJsonString(&lines, r.shard_id);
    lines += R"(,"sequence_number":)";
    aws::AppendJsonString(&lines, r.sequence_number);
    lines += R"(,"partition_key":)";
    aws::AppendJsonString(&lines, r.partition_key);
    lines += R"(,"approximate_arrival_timestamp":)" + std::to_string(r.approximate_arrival_ms);
    lines += R"(,"reason":)";
    aws::AppendJsonString(&lines, *reason);
    lines += R"(,"data":")" + Base64Encode(r.data) + "\"}\n";
  }
  if (invalid.empty()) return valid;
  objects::ObjectMeta meta;
  meta.content_type = "application/x-ndjson";
  const auto put = check.store->Put(check.dead_letter_bucket, BatchKey("dead-letter", check.function_name, invalid),
                                    lines, meta);
  if (!put.ok()) {
    failed = FunctionFailure("ClientError", "PutObject to dead-letter bucket " + check.dead_letter_bucket + ": " +
                                                put.error().message);
    return std::nullopt;
  }
  if (check.invalid_records != nullptr) check.invalid_records->Add(static_cast<double>(invalid.size()));
  return valid;
}

namespace {

class Screened final : public BuiltinFunction {
 public:
  Screened(std::unique_ptr<BuiltinFunction> inner, std::shared_ptr<const SchemaCheck> check)
      : inner_(std::move(inner)), check_(std::move(check)) {}

  std::string_view name() const override { return inner_->name(); }

  InvokeOutcome HandleEvent(std::string_view event_json) override {
    return HandleEventAsRecords(*this, event_json);
  }

  InvokeOutcome HandleRecords(std::span<const KinesisRecordView> records) override {
    InvokeOutcome failed;
    const std::optional<std::vector<KinesisRecordView>> valid = KeepValid(*check_, records, failed);
    if (!valid) return failed;
    if (valid->empty()) return FunctionSuccess();
    return inner_->HandleRecords(*valid);
  }

 private:
  const std::unique_ptr<BuiltinFunction> inner_;
  const std::shared_ptr<const SchemaCheck> check_;
};

}  // namespace

std::unique_ptr<BuiltinFunction> WithSchema(std::unique_ptr<BuiltinFunction> inner,
                                            std::shared_ptr<const SchemaCheck> check) {
  if (check == nullptr) return inner;
  return std::make_unique<Screened>(std::move(inner), std::move(check));
}

std::string BatchKey(std::string_view context, std::string_view salt, std::span<const KinesisRecordView> records) {
  const KinesisRecordView& first = records.front();
  const KinesisRecordView& last = records.back();
  const std::time_t secs = static_cast<std::time_t>(first.approximate_arrival_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char date[128];
  std::snprintf(date, sizeof date, "date=%04d-%02d-%02d/%04d_%02d_%02d_%02d_", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
  std::string range(salt);
  if (!range.empty()) range += ':';
  range += first.shard_id;
  range += ':';
  range += first.sequence_number;
  range += '-';
  range += last.sequence_number;
  return "context=" + std::string(context) + "/" + std::string(date) + HexEncode(Md5(range)) + ".json";
}

}  // namespace sluice::functions::internal
