// MappingManager: Lambda event-source mappings for Kinesis streams. Each mapping polls
// its stream's shards in process (stream module API, never HTTP), cuts batches, invokes
// the function through the Invoker (or a built-in's fast path), and keeps a per-shard
// checkpoint in the catalog.
//
// Semantics (Lambda's, docs/functions.md "Event-source mappings"):
//  - Order: records of one shard reach the function in order; with a
//    ParallelizationFactor N, records of one partition key stay in order (they always go
//    to the same one of N lanes). A child shard is read only after its parents (those
//    still stored) were read to their end.
//  - Delivery is at-least-once: the checkpoint moves only after every record up to it was
//    delivered, filtered out or sent to the on-failure destination; after a crash or a
//    restart the mapping resumes after its checkpoint, so a batch in flight is delivered
//    again.
//  - Updates take effect on the next batch; a batch being retried keeps its records.
//
// Threading: every public method is thread-safe. Unless Options::start_threads is false,
// each mapping has a poller thread of its own (invocations block it, never an I/O
// thread). With start_threads false nothing runs until RunOnce is called, which makes
// tests deterministic (with a ManualClock, no sleeps).
// Durability: control-plane calls are catalog transactions, durable on return.
// Lifetime: the catalog, stream manager, invoker, object store and sink must outlive the
// manager; Close (or the destructor) stops every poller.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/expected.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "functions/builtins.h"
#include "metrics/metrics.h"
#include "functions/invoker.h"
#include "functions/logs.h"
#include "objects/object_store.h"
#include "stream/stream_manager.h"

namespace sluice::functions {

// One enumerator per Lambda error type the mapping actions answer with.
enum class MappingErrorType {
  kValidation,             // ValidationException (400): a value outside the API model
  kInvalidParameterValue,  // InvalidParameterValueException (400)
  kResourceNotFound,       // ResourceNotFoundException (404)
  kResourceConflict,       // ResourceConflictException (409)
  kResourceInUse,          // ResourceInUseException (400)
  kService,                // ServiceException (500)
};
std::string_view MappingErrorTypeName(MappingErrorType type);
int MappingErrorHttpStatus(MappingErrorType type);
// Whether Lambda's error body carries "Type": "User" (ValidationException does not).
bool MappingErrorIsUserType(MappingErrorType type);

using MappingError = sluice::Error<MappingErrorType>;
template <typename T>
using MappingResult = Expected<T, MappingError>;

// A Create/UpdateEventSourceMapping request as decoded from the wire: every field
// optional, unchecked. The manager validates it as Lambda does.
struct MappingInput {
  std::optional<std::string> function_name;
  std::optional<std::string> event_source_arn;  // Create only
  std::optional<bool> enabled;
  std::optional<int64_t> batch_size;
  std::optional<int64_t> maximum_batching_window_in_seconds;
  std::optional<int64_t> parallelization_factor;
  std::optional<std::string> starting_position;          // Create only
  std::optional<double> starting_position_timestamp;     // epoch seconds; Create only
  std::optional<bool> bisect_batch_on_function_error;
  std::optional<int64_t> maximum_retry_attempts;
  std::optional<int64_t> maximum_record_age_in_seconds;
  std::optional<int64_t> tumbling_window_in_seconds;
  // DestinationConfig: present when the request had one; OnFailure.Destination may be
  // empty (clears it on update); OnSuccess is not valid for Kinesis.
  bool has_destination_config = false;
  std::optional<std::string> on_failure_destination;
  bool has_on_success_destination = false;
  std::optional<std::vector<std::string>> function_response_types;
  // FilterCriteria.Filters[].Pattern; an absent Pattern is an empty string.
  std::optional<std::vector<std::string>> filter_patterns;
  // Members the request carried that a Kinesis mapping cannot have (Queues, Topics,
  // SourceAccessConfigurations, ...), by wire name.
  std::vector<std::string> unsupported_members;
};

enum class StartingPosition { kTrimHorizon, kLatest, kAtTimestamp };
std::string_view StartingPositionName(StartingPosition p);

// A mapping's settings after validation, with defaults applied.
struct MappingConfig {
  std::string uuid;
  std::string function_arn;
  std::string event_source_arn;
  std::string stream_name;
  bool enabled = true;
  int64_t batch_size = 100;
  int64_t maximum_batching_window_in_seconds = 0;
  int64_t parallelization_factor = 1;
  StartingPosition starting_position = StartingPosition::kLatest;
  std::optional<int64_t> starting_position_timestamp_ms;
  bool bisect_batch_on_function_error = false;
  int64_t maximum_retry_attempts = -1;         // -1: until the record expires
  int64_t maximum_record_age_in_seconds = -1;  // -1: never discard by age
  int64_t tumbling_window_in_seconds = 0;
  std::string on_failure_destination;          // "arn:aws:s3:::bucket", or empty
  bool report_batch_item_failures = false;
  std::vector<std::string> filter_patterns;
};

// What Get/List/Create/Update/Delete answer: the settings and the mapping's state.
struct MappingInfo {
  MappingConfig config;
  std::string mapping_arn;  // arn:aws:lambda:<region>:<account>:event-source-mapping:<uuid>
  // Creating | Enabling | Enabled | Disabling | Disabled | Updating | Deleting
  std::string state;
  std::string state_transition_reason = "User action";
  int64_t created_ms = 0;
  int64_t last_modified_ms = 0;
  std::string last_processing_result = "No records processed";
};

struct MappingList {
  std::vector<MappingInfo> mappings;
  std::string next_marker;  // empty: no more
};

class MappingManager {
 public:
  struct Options {
    std::string region = "us-east-1";
    std::string account_id = "000000000000";
    Clock* clock = nullptr;  // nullptr: the real clock
    // false: no poller threads; RunOnce drives the mappings (tests).
    bool start_threads = true;
    // Within one pass, shards and a round's lanes run on threads of their own; false:
    // one after another (deterministic tests).
    bool concurrent = true;
    // How long a poller waits when a shard has nothing new, and after a failed batch
    // before its retry (Lambda retries at once, then backs off; one fixed wait here).
    int64_t idle_poll_ms = 200;
    int64_t retry_backoff_ms = 500;
    // Lambda's synchronous invocation payload limit: a batch's event is cut to fit.
    size_t max_payload_bytes = 6u << 20;
    // Where built-in functions write and send (builtins.h); either may be null, and the
    // built-in that needs it then fails each batch with a clear function error.
    objects::ObjectStore* store = nullptr;  // also the on-failure destination's store
    RecordSink* sink = nullptr;
    // IteratorAge per batch (AWS/Lambda), and Invocations/Errors/Duration of built-ins
    // run in place (the Invoker reports the others).
    std::reference_wrapper<metrics::Registry> metrics = metrics::NullRegistry();
    // Where built-ins run in place write their START/END/REPORT lines (/aws/lambda/<name>),
    // as runtime processes do; null: nowhere.
    LogStore* logs = nullptr;
  };

  // Loads every mapping and its checkpoints from the catalog and starts the pollers of
  // the enabled ones.
  static Result<std::unique_ptr<MappingManager>> Open(Options options, catalog::Catalog& catalog,
                                                      stream::StreamManager& streams,
                                                      Invoker& invoker);
  ~MappingManager();

  MappingResult<MappingInfo> Create(const MappingInput& input);
  MappingResult<MappingInfo> Get(std::string_view uuid) const;
  // Mappings by UUID, filtered by function (name or ARN) and/or event source ARN, after
  // `marker` (a previous next_marker), at most max_items (1..10000, default 100).
  MappingResult<MappingList> List(std::string_view function_name, std::string_view event_source_arn,
                                  std::string_view marker, std::optional<int64_t> max_items) const;
  MappingResult<MappingInfo> Update(std::string_view uuid, const MappingInput& input);
  MappingResult<MappingInfo> Delete(std::string_view uuid);

  // One pass of every mapping's poller on the calling thread: state transitions, one
  // read per shard, at most one invocation per pending batch. Returns whether anything
  // happened (a transition, records read, a batch invoked or a checkpoint moved), so a
  // test can loop until idle. Only with start_threads false.
  bool RunOnce();

  // Stops every poller (a batch in flight finishes first).
  void Close();

  class Impl;
  // Only Open constructs; the key keeps the constructor usable by make_unique.
  class PassKey {
    friend class MappingManager;
    PassKey() = default;
  };
  MappingManager(PassKey, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::functions
