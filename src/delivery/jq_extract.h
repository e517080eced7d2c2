// MetadataExtraction for dynamic partitioning: a JQ 1.6 query (libjq, the version
// Firehose uses) run on each record's JSON, yielding the partition keys of
// `!{partitionKeyFromQuery:name}`.
//
// Threading: libjq is not thread-safe, so a JqExtractor owns one jq_state per compiled
// query and must be used by one thread at a time; keep one per delivery worker thread
// (e.g. `thread_local`). Compiled programs are cached per query text inside the
// extractor, so a query is compiled once per extractor, not once per record.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "delivery/partition_keys.h"

namespace sluice::delivery {

class JqExtractor {
 public:
  JqExtractor();
  ~JqExtractor();
  JqExtractor(const JqExtractor&) = delete;
  JqExtractor& operator=(const JqExtractor&) = delete;

  // Compiles `query` (cached). kInvalidArgument with jq's compile message when it does
  // not compile: for validating MetadataExtractionQuery at CreateDeliveryStream.
  Status Compile(std::string_view query);

  // Runs `query` on `record_json`. The query's first output must be a JSON object; each
  // of its values becomes one key: strings as they are, numbers and booleans as their
  // JSON text (e.g. 2024, true). Errors (kInvalidArgument; the delivery engine maps
  // every one to the error output type "partitioning-failed"): the query does not
  // compile; the record is not JSON; jq raises an error; the output is not an object,
  // is empty, or has a null, object or array value.
  Result<PartitionKeys> Extract(std::string_view query, std::string_view record_json);

  // Number of compiled queries held (for tests and for bounding the cache).
  size_t cached_queries() const;

 private:
  struct Program;
  std::map<std::string, std::unique_ptr<Program>, std::less<>> programs_;
};

// The keys of a query that is one object constructor, as MetadataExtraction queries are
// (`{customer_id:.customer_id,"year":.ts|strftime("%Y"),$k}` -> customer_id, year, k), in
// order, for checking them against the Prefix at CreateDeliveryStream. nullopt when the
// query is anything else or a key is computed (`(.a):1`, `@base64 "x":1`, a string with
// `\(...)`, a comment): those keys are only known when the query runs. Pure; no libjq.
std::optional<std::vector<std::string>> TopLevelObjectKeys(std::string_view query);

}  // namespace sluice::delivery
