// JSON-schema validation of the records the built-in consumers read, and the dead-letter
// objects invalid records go to (builtins.h, "Schema validation").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "functions/builtins.h"
#include "metrics/metrics.h"
#include "objects/object_store.h"

namespace sluice::functions::internal {

// The consumer metric: namespace Sluice/Consumers, InvalidRecords by FunctionName.
inline constexpr std::string_view kConsumersNamespace = "Sluice/Consumers";

// A compiled JSON schema (drafts 4 and 7 as valijson reads them). Immutable: Validate
// may be called from several threads at once.
class RecordSchema {
 public:
  // InvalidArgument when `schema_json` is not JSON or not a schema valijson accepts.
  static Result<std::shared_ptr<const RecordSchema>> Parse(std::string_view schema_json);
  virtual ~RecordSchema() = default;
  // nullopt when `data` is JSON satisfying the schema; else the reason, naming the first
  // failing place ("<path>: <what>") or "not JSON".
  virtual std::optional<std::string> Validate(std::string_view data) const = 0;
};

// The schema at `uri` ("s3://bucket/key") in `store`, compiled; cached per uri and ETag,
// so a batch pays a Head, not a parse. InvalidArgument for a bad uri, a missing object or
// a bad schema.
Result<std::shared_ptr<const RecordSchema>> LoadSchema(objects::ObjectStore& store, std::string_view uri);

// What a built-in with a schema needs: where dead letters go and what counts them.
struct SchemaCheck {
  std::shared_ptr<const RecordSchema> schema;
  objects::ObjectStore* store = nullptr;
  std::string dead_letter_bucket;
  std::string function_name;
  metrics::Counter* invalid_records = nullptr;
};

// From the function's environment: nullptr when SCHEMA_S3_URI is unset; an error message
// when it is set but the schema cannot be loaded or no dead-letter bucket is named
// (DEAD_LETTER_BUCKET, else `default_bucket`).
Expected<std::shared_ptr<const SchemaCheck>, InvokeError> SchemaCheckFor(const BuiltinEnv& env,
                                                                       std::string_view builtin,
                                                                       std::string_view default_bucket);

// The records of `records` that satisfy the schema. The others are written first as one
// dead-letter object (JSON lines, builtins.h) and counted; nullopt (with `failed` set to
// the function error) when that write fails, so the batch is retried.
std::optional<std::vector<KinesisRecordView>> KeepValid(const SchemaCheck& check,
                                                        std::span<const KinesisRecordView> records,
                                                        InvokeOutcome& failed);

// `inner` behind a schema: each batch is screened with KeepValid and only the valid
// records reach `inner` (none: success without calling it).
std::unique_ptr<BuiltinFunction> WithSchema(std::unique_ptr<BuiltinFunction> inner,
                                            std::shared_ptr<const SchemaCheck> check);

// The key of a batch's object: context=<context>/date=YYYY-MM-DD/YYYY_MM_DD_HH_<md5>.json,
// the date and hour of the first record's arrival, the md5 of `salt`, the shard and the
// batch's first and last sequence numbers (a retried batch overwrites its own object).
std::string BatchKey(std::string_view context, std::string_view salt, std::span<const KinesisRecordView> records);

}  // namespace sluice::functions::internal
