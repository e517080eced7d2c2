// Test-only: a LogStore that keeps what Append is given (group, stream, events) in
// memory; the API's read side is not implemented (kService).
#pragma once

#include <string>
#include <vector>

#include "base/mutex.h"
#include "functions/logs.h"

namespace sluice::functions::testing {

class RecordingLogStore final : public LogStore {
 public:
  struct Appended {
    std::string group;
    std::string stream;
    std::vector<LogEvent> events;
  };

  Status Append(std::string_view group, std::string_view stream, std::span<const LogEvent> events) override {
    const MutexLock lock(mu_);
    appended_.push_back({std::string(group), std::string(stream), {events.begin(), events.end()}});
    return Status::OK();
  }
  std::vector<Appended> appended() const {
    const MutexLock lock(mu_);
    return appended_;
  }

  LogsResult<Done> CreateGroup(std::string_view) override { return Unsupported(); }
  LogsResult<Done> DeleteGroup(std::string_view) override { return Unsupported(); }
  LogsResult<GroupPage> DescribeGroups(std::string_view, std::string_view, int64_t) override { return Unsupported(); }
  LogsResult<Done> PutRetention(std::string_view, int64_t) override { return Unsupported(); }
  LogsResult<Done> DeleteRetention(std::string_view) override { return Unsupported(); }
  LogsResult<StreamPage> DescribeStreams(const DescribeStreamsInput&) override { return Unsupported(); }
  LogsResult<EventsPage> GetEvents(const GetEventsInput&) override { return Unsupported(); }
  LogsResult<FilterPage> FilterEvents(const FilterInput&) override { return Unsupported(); }
  Status Expire() override { return Status::OK(); }

 private:
  static LogsFailure Unsupported() { return {LogsError::kService, "RecordingLogStore keeps appends only"}; }

  mutable Mutex mu_;
  std::vector<Appended> appended_ GUARDED_BY(mu_);
};

}  // namespace sluice::functions::testing
