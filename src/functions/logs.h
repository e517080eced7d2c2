// Function logs as CloudWatch Logs keeps them: log groups (/aws/lambda/<name>), log
// streams (one per runtime process, named as Lambda names them:
// YYYY/MM/DD/[$LATEST]<32 hex digits>), and events with a timestamp and an ingestion
// time. Groups and their retention live in the catalog; each stream's events are one
// append-only file under the data dir (docs/formats/function-logs.md). Events older than
// the group's retention are not returned and are removed by Expire().
//
// Errors: every expected failure is an Error<LogsError> whose code names the AWS error
// type one to one (LogsErrorName) and whose message is AWS's wording.
// Threading: LogStore is thread-safe; every call may block on disk or the catalog, so
// front ends call it from a pool. Durability: group changes are catalog transactions,
// durable on return; Append writes its events with one write(2) before it returns
// (they survive a crash of sluice, not of the machine: a torn last record is skipped).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/expected.h"
#include "base/status.h"

namespace sluice::catalog {
class Catalog;
}

namespace sluice::functions {

enum class LogsError {
  kResourceNotFound,       // 400 ResourceNotFoundException
  kResourceAlreadyExists,  // 400 ResourceAlreadyExistsException
  kInvalidParameter,       // 400 InvalidParameterException
  kService,                // 500 ServiceUnavailableException
};
std::string_view LogsErrorName(LogsError e);
int LogsErrorStatus(LogsError e);

using LogsFailure = Error<LogsError>;
template <typename T>
using LogsResult = Expected<T, LogsFailure>;

// The retention values PutRetentionPolicy accepts (days), as AWS lists them.
bool IsAllowedRetentionDays(int64_t days);

struct LogEvent {
  int64_t timestamp_ms = 0;
  std::string message;
  int64_t ingestion_ms = 0;  // set by Append
  int64_t seq = 0;           // position in its stream, set by Append; tokens refer to it
};

struct LogGroupInfo {
  std::string name;
  std::string arn;  // arn:aws:logs:<region>:<account>:log-group:<name>:*
  int64_t created_ms = 0;
  std::optional<int64_t> retention_days;
  int64_t stored_bytes = 0;
};

struct LogStreamInfo {
  std::string name;
  std::string arn;
  int64_t created_ms = 0;
  std::optional<int64_t> first_event_ms, last_event_ms, last_ingestion_ms;
  int64_t stored_bytes = 0;
};

struct GroupPage {
  std::vector<LogGroupInfo> groups;
  std::string next_token;  // empty: last page
};

struct DescribeStreamsInput {
  std::string group;
  std::string prefix;
  bool order_by_last_event = false;  // orderBy LastEventTime; else LogStreamName
  bool descending = false;
  std::string token;
  int64_t limit = 50;
};

struct StreamPage {
  std::vector<LogStreamInfo> streams;
  std::string next_token;
};

struct GetEventsInput {
  std::string group;
  std::string stream;
  std::optional<int64_t> start_ms, end_ms;  // [start, end)
  std::string token;  // f/<seq> or b/<seq> from an earlier answer
  int64_t limit = 10000;
  bool start_from_head = false;
};

struct EventsPage {
  std::vector<LogEvent> events;
  std::string forward_token;   // f/<seq>: the same token again when nothing newer exists
  std::string backward_token;  // b/<seq>
};

struct FilterInput {
  std::string group;
  std::vector<std::string> stream_names;  // empty: every stream
  std::string stream_prefix;
  std::optional<int64_t> start_ms, end_ms;
  std::string pattern;  // filterPattern: terms and quoted phrases (FilterPattern below)
  std::string token;
  int64_t limit = 10000;
};

struct FilteredEvent {
  std::string stream;
  LogEvent event;
  std::string event_id;  // 56 digits, unique and stable per event
};

struct FilterPage {
  std::vector<FilteredEvent> events;
  std::vector<std::string> searched_streams;
  std::string next_token;
};

// CloudWatch's unstructured filter patterns: space-separated terms that must all occur
// (case-sensitive), "quoted phrases", and ?term alternatives (any of them). A JSON or
// space-delimited pattern ({...}, [...]) is refused with InvalidParameterException.
class FilterPattern {
 public:
  static LogsResult<FilterPattern> Parse(std::string_view text);
  bool Matches(std::string_view message) const;

 private:
  std::vector<std::string> all_;  // each must occur
  std::vector<std::string> any_;  // at least one must occur (when not empty)
  std::vector<std::string> none_;  // -term: none may occur
};

// The name Lambda gives a runtime process's log stream, for the day of `now_ms`.
std::string LambdaLogStreamName(int64_t now_ms, std::string_view hex_id);

struct LogStoreOptions {
  std::string dir;  // "<data dir>/functions/logs"; created if missing
  std::string region = "us-east-1";
  std::string account = "000000000000";
  Clock* clock = &Clock::Real();
};

class LogStore {
 public:
  static Result<std::unique_ptr<LogStore>> Open(const LogStoreOptions& options, catalog::Catalog& catalog);
  virtual ~LogStore() = default;

  virtual LogsResult<Done> CreateGroup(std::string_view name) = 0;
  virtual LogsResult<Done> DeleteGroup(std::string_view name) = 0;
  virtual LogsResult<GroupPage> DescribeGroups(std::string_view prefix, std::string_view token, int64_t limit) = 0;
  virtual LogsResult<Done> PutRetention(std::string_view name, int64_t days) = 0;
  virtual LogsResult<Done> DeleteRetention(std::string_view name) = 0;
  virtual LogsResult<StreamPage> DescribeStreams(const DescribeStreamsInput& input) = 0;
  virtual LogsResult<EventsPage> GetEvents(const GetEventsInput& input) = 0;
  virtual LogsResult<FilterPage> FilterEvents(const FilterInput& input) = 0;

  // Lambda's writer: appends events (timestamps as given, ingestion time now) to the
  // stream, creating the group and the stream as Lambda does when they are missing.
  virtual Status Append(std::string_view group, std::string_view stream, std::span<const LogEvent> events) = 0;
  // Removes events older than their group's retention from the files.
  virtual Status Expire() = 0;
};

}  // namespace sluice::functions
