// Lambda's log lines for invocations that run in sluice's own process (built-in
// functions), as a runtime process's stream has them: START, the error a failed
// invocation raised ("[ERROR] <errorType>: <errorMessage>", as the Python runtime
// prints it), END and REPORT, in the function's group /aws/lambda/<name>. A built-in's
// invocations share one stream per function and UTC day, as those of one warm
// execution environment do.
//
// Threading: thread-safe. Durability: LogStore::Append's (each invocation is one write).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/mutex.h"
#include "functions/invoker.h"
#include "functions/logs.h"

namespace sluice::functions::internal {

// Lambda's REPORT line: tab-separated fields with a trailing tab; Init Duration only on
// a process's first invocation. Billed Duration rounds up to the millisecond.
std::string ReportLine(std::string_view request_id, double ms, int64_t memory_mb, int64_t max_used_mb,
                       std::optional<double> init_ms);

class BuiltinLog {
 public:
  // `logs` null: nothing is written. `clock` stamps the events; both outlive this.
  BuiltinLog(LogStore* logs, Clock& clock) : logs_(logs), clock_(clock) {}

  // One invocation of `function` that began at `started_ms` and ended now with
  // `outcome` (a function error's payload is its error document). Returns the lines
  // as text (what `LogType: Tail` answers with), also when there is no LogStore; a
  // failed write is logged, not returned: a function's log never fails its invocation.
  std::string Write(std::string_view function, int64_t memory_mb, int64_t started_ms, const InvokeOutcome& outcome)
      EXCLUDES(mu_);

 private:
  std::string StreamFor(std::string_view function, int64_t now_ms) EXCLUDES(mu_);

  LogStore* const logs_;
  Clock& clock_;
  Mutex mu_;
  struct Stream {
    int64_t day = 0;  // days since the epoch (UTC) the name carries
    std::string name;
  };
  std::map<std::string, Stream, std::less<>> streams_ GUARDED_BY(mu_);
};

}  // namespace sluice::functions::internal
