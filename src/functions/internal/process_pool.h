// Runtime processes: one per concurrent invocation of a function, reused while warm,
// killed at the invocation's timeout, replaced when they crash. Implements the runtime
// broker the Runtime API front end calls.
//
// Threading: thread-safe. One supervisor thread reads the processes' output, reaps
// them and enforces deadlines; invocation callbacks run on that thread or on the
// broker's caller, never under the pool's lock.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "functions/functions.h"
#include "functions/logs.h"
#include "functions/runtime_broker.h"
#include "internal/spawn.h"

namespace sluice::functions {

// How to start a process for one generation of a function's code and configuration.
struct LaunchSpec {
  std::string function_name;
  std::string function_arn;
  int64_t generation = 0;
  SpawnSpec spawn;  // AWS_LAMBDA_RUNTIME_API is added per process
  int64_t timeout_ms = 3000;
  int64_t memory_mb = 128;
  std::optional<int64_t> reserved_concurrency;
  // How long a new process may take to start and initialise before its first
  // invocation's timeout starts counting (Lambda's init phase limit: 10 s).
  int64_t init_timeout_ms = 10'000;
  // Where each process's log stream (START/END/REPORT and the process's output, one
  // event per line) is written: a group of `logs`, /aws/lambda/<name>; null: nowhere.
  LogStore* logs = nullptr;
  std::string log_group;
};

// Lambda's limit on the log returned with LogType Tail.
inline constexpr size_t kLogTailBytes = 4096;

class ProcessPool final : public RuntimeBroker {
 public:
  explicit ProcessPool(int max_processes);
  ~ProcessPool() override;

  // host:port of the runtime API; processes started later see it.
  void SetRuntimeApi(std::string host_port) EXCLUDES(mu_);
  // Runs one invocation on a free warm process of this generation or a new one; fails
  // TooManyRequests when the function's reserved concurrency or the process limit is
  // reached. `done` runs exactly once.
  void Invoke(std::shared_ptr<const LaunchSpec> spec, std::string request_id, std::string payload,
              InvokeDone done) EXCLUDES(mu_);
  // Kills every process, fails their invocations and answers held Next calls; later
  // calls fail. Idempotent; the destructor calls it.
  void Shutdown() EXCLUDES(mu_);
  // Stops the function's processes: idle ones now, busy ones when their invocation ends.
  void Retire(const std::string& function_name) EXCLUDES(mu_);

  void Next(std::string_view token, std::function<void(Expected<NextInvocation, BrokerFailure>)> ready) override
      EXCLUDES(mu_);
  Expected<Done, BrokerFailure> Respond(std::string_view token, std::string_view request_id,
                                        std::string payload) override EXCLUDES(mu_);
  Expected<Done, BrokerFailure> Fail(std::string_view token, std::string_view request_id,
                                     std::string error) override EXCLUDES(mu_);
  Expected<Done, BrokerFailure> InitError(std::string_view token, std::string error) override EXCLUDES(mu_);

 private:
  struct Invocation {
    std::string request_id;
    std::string payload;
    InvokeDone done;
    bool delivered = false;
    std::chrono::steady_clock::time_point started;
  };
  struct Process {
    std::string token;
    std::shared_ptr<const LaunchSpec> spec;
    pid_t pid = -1;
    int fd = -1;
    std::unique_ptr<Invocation> current;
    std::function<void(Expected<NextInvocation, BrokerFailure>)> waiting;  // a held Next
    std::chrono::steady_clock::time_point deadline;
    std::string log;  // output since the current invocation began (bounded)
    std::string log_stream;        // YYYY/MM/DD/[$LATEST]<hex>
    std::vector<LogEvent> events;  // lines not yet written to the log stream (bounded)
    std::string partial;           // output after the last newline
    std::chrono::steady_clock::time_point spawned;
    bool initialized = false;       // the first Next came
    std::optional<double> init_ms;  // set at the first Next; reported once (cold start)
    bool retiring = false;
    bool killed = false;
  };
  using Completion = std::function<void()>;

  void Supervise() EXCLUDES(mu_);
  // Respond and Fail: ends the process's delivered invocation `request_id`.
  Expected<Done, BrokerFailure> Complete(std::string_view token, std::string_view request_id, bool function_error,
                                         std::string payload) EXCLUDES(mu_);
  Process* Find(std::string_view token) REQUIRES(mu_);
  void Drain(Process& p) REQUIRES(mu_);
  // A line of the runtime's own (START, END, REPORT, ...): into the tail and the stream.
  void Line(Process& p, std::string text) REQUIRES(mu_);
  // Ends the current invocation with `result` and returns what to run outside the lock.
  Completion Finish(Process& p, LambdaResult<InvokeResult> result, std::string_view status_line) REQUIRES(mu_);
  Completion FinishWith(Process& p, bool function_error, std::string payload, std::string_view status_line)
      REQUIRES(mu_);
  Completion Deliver(Process& p) REQUIRES(mu_);
  void Kill(Process& p) REQUIRES(mu_);
  void Wake();

  const int max_processes_;
  int wake_fd_ = -1;
  Mutex mu_;
  std::string runtime_api_ GUARDED_BY(mu_);
  std::map<std::string, std::unique_ptr<Process>, std::less<>> processes_ GUARDED_BY(mu_);  // by token
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread supervisor_;
};

}  // namespace sluice::functions
