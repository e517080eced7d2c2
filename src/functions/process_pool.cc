#include "internal/process_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "base/random.h"
#include "internal/builtin_log.h"
#include "base/thread_name.h"

namespace sluice::functions {
namespace {

using internal::ReportLine;

using Clock = std::chrono::steady_clock;

// The most output kept per invocation: enough for the 4 KB tail and the log file's copy.
constexpr size_t kMaxKeptLog = 256 * 1024;
// How often, at most, the supervisor looks at processes without being woken.
constexpr auto kSuperviseTick = std::chrono::milliseconds(100);

int64_t EpochMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-01-01T00:00:00.000Z", as Lambda stamps its own log lines.
std::string IsoNow() {
  const int64_t ms = EpochMs();
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

std::string ErrorJson(std::string_view type, std::string_view message) {
  return nlohmann::json{{"errorType", type}, {"errorMessage", message}}.dump();
}

// Peak resident memory of a live process, in MB (VmHWM), or 0.
int64_t MaxMemoryUsedMb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmHWM:")) return std::strtoll(line.c_str() + 6, nullptr, 10) / 1024;
  }
  return 0;
}

// How Lambda words a runtime's exit: Go's os.ProcessState strings.
std::string ExitText(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    std::string s = strsignal(WTERMSIG(status));
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "signal: " + s;
  }
  return "exit status unknown";
}

// The most events kept for one process between two writes to its stream.
constexpr size_t kMaxPendingEvents = 10'000;

}  // namespace

ProcessPool::ProcessPool(int max_processes) : max_processes_(max_processes) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  supervisor_ = std::thread([this] { Supervise(); });
}

ProcessPool::~ProcessPool() {
  Shutdown();
  close(wake_fd_);
}

void ProcessPool::Shutdown() {
  {
    const MutexLock lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  Wake();
  supervisor_.join();
  std::vector<Completion> completions;
  {
    const MutexLock lock(mu_);
    for (auto& [token, p] : processes_) {
      Kill(*p);
      if (p->current) {
        completions.push_back(Finish(*p, LambdaFailure{LambdaError::kService, "sluice is shutting down"}, ""));
      }
      if (p->waiting) {
        completions.push_back([w = std::move(p->waiting)]() mutable {
          w(BrokerFailure{BrokerError::kUnknownProcess, "sluice is shutting down"});
        });
      }
      int status = 0;
      waitpid(p->pid, &status, 0);
      close(p->fd);
    }
    processes_.clear();
  }
  for (auto& c : completions) c();
}

void ProcessPool::Wake() {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = write(wake_fd_, &one, sizeof one);
}

void ProcessPool::SetRuntimeApi(std::string host_port) {
  const MutexLock lock(mu_);
  runtime_api_ = std::move(host_port);
}

ProcessPool::Process* ProcessPool::Find(std::string_view token) {
  auto it = processes_.find(token);
  return it == processes_.end() ? nullptr : it->second.get();
}

void ProcessPool::Kill(Process& p) {
  if (p.killed) return;
  p.killed = true;
  kill(-p.pid, SIGKILL);
  kill(p.pid, SIGKILL);
}

void ProcessPool::Drain(Process& p) {
  char buf[16384];
  for (;;) {
    const ssize_t n = read(p.fd, buf, sizeof buf);
    if (n <= 0) return;
    p.log.append(buf, static_cast<size_t>(n));
    if (p.log.size() > kMaxKeptLog) p.log.erase(0, p.log.size() - kMaxKeptLog);
    // One event per line, stamped when sluice read it.
    p.partial.append(buf, static_cast<size_t>(n));
    const int64_t now = EpochMs();
    size_t start = 0;
    for (size_t nl = p.partial.find('\n'); nl != std::string::npos; nl = p.partial.find('\n', start)) {
      if (p.events.size() < kMaxPendingEvents) p.events.push_back({now, p.partial.substr(start, nl + 1 - start)});
      start = nl + 1;
    }
    p.partial.erase(0, start);
    if (p.partial.size() > kMaxKeptLog) {
      if (p.events.size() < kMaxPendingEvents) p.events.push_back({now, std::move(p.partial)});
      p.partial.clear();
    }
  }
}

void ProcessPool::Line(Process& p, std::string text) {
  text += '\n';
  p.log += text;
  if (!p.partial.empty()) {
    p.events.push_back({EpochMs(), std::move(p.partial)});
    p.partial.clear();
  }
  p.events.push_back({EpochMs(), std::move(text)});
}

void ProcessPool::Invoke(std::shared_ptr<const LaunchSpec> spec, std::string request_id, std::string payload,
                         InvokeDone done) {
  Completion completion;
  {
    MutexLock lock(mu_);
    if (stop_) {
      lock.Unlock();
      return done(LambdaFailure{LambdaError::kService, "sluice is shutting down"});
    }
    auto invocation = std::make_unique<Invocation>();
    invocation->request_id = std::move(request_id);
    invocation->payload = std::move(payload);
    invocation->done = std::move(done);
    invocation->started = Clock::now();

    Process* free_process = nullptr;
    int busy = 0;
    for (auto& [token, p] : processes_) {
      if (p->spec->function_name != spec->function_name) continue;
      if (p->current) {
        ++busy;
      } else if (free_process == nullptr && p->spec->generation == spec->generation && !p->retiring && !p->killed) {
        free_process = p.get();
      }
    }
    if (free_process == nullptr) {
      const bool reserved_full = spec->reserved_concurrency && busy >= *spec->reserved_concurrency;
      if (reserved_full || static_cast<int>(processes_.size()) >= max_processes_) {
        // Make room by stopping an idle process of any function.
        bool room = false;
        if (!reserved_full) {
          for (auto& [token, p] : processes_) {
            if (!p->current && !p->killed) {
              p->retiring = true;
              Kill(*p);
              room = true;
              break;
            }
          }
        }
        if (!room) {
          InvokeDone d = std::move(invocation->done);
          lock.Unlock();
          return d(LambdaFailure{LambdaError::kTooManyRequests, "Rate Exceeded."});
        }
      }
      auto p = std::make_unique<Process>();
      p->token = RandomHex(16);
      p->spec = spec;
      SpawnSpec s = spec->spawn;
      s.env.push_back("AWS_LAMBDA_RUNTIME_API=" + runtime_api_ + "/" + p->token);
      p->log_stream = LambdaLogStreamName(EpochMs(), RandomHex(16));
      s.env.push_back("AWS_LAMBDA_LOG_STREAM_NAME=" + p->log_stream);
      Result<Spawned> spawned = Spawn(s);
      if (!spawned.ok()) {
        InvokeDone d = std::move(invocation->done);
        lock.Unlock();
        return d(LambdaFailure{LambdaError::kService, "cannot start the runtime: " + spawned.status().message()});
      }
      p->pid = spawned->pid;
      p->fd = spawned->output_fd;
      p->spawned = Clock::now();
      p->deadline = Clock::now() + std::chrono::milliseconds(spec->init_timeout_ms + spec->timeout_ms);
      free_process = p.get();
      processes_.emplace(p->token, std::move(p));
    } else {
      free_process->deadline = Clock::now() + std::chrono::milliseconds(spec->timeout_ms);
    }
    free_process->current = std::move(invocation);
    free_process->log.clear();
    if (free_process->waiting) completion = Deliver(*free_process);
  }
  Wake();
  if (completion) completion();
}

ProcessPool::Completion ProcessPool::Deliver(Process& p) {
  Invocation& inv = *p.current;
  inv.delivered = true;
  p.deadline = Clock::now() + std::chrono::milliseconds(p.spec->timeout_ms);
  NextInvocation next;
  next.request_id = inv.request_id;
  next.payload = inv.payload;
  next.function_arn = p.spec->function_arn;
  next.deadline_ms = EpochMs() + p.spec->timeout_ms;
  // Lambda writes START when the invocation begins; output of the init phase before it.
  Line(p, "START RequestId: " + inv.request_id + " Version: $LATEST");
  auto ready = std::move(p.waiting);
  p.waiting = nullptr;
  return [ready = std::move(ready), next = std::move(next)]() mutable { ready(std::move(next)); };
}

ProcessPool::Completion ProcessPool::Finish(Process& p, LambdaResult<InvokeResult> result,
                                            std::string_view status_line) {
  std::unique_ptr<Invocation> inv = std::move(p.current);
  const double ms =
      std::chrono::duration<double, std::milli>(Clock::now() - inv->started).count();
  Line(p, "END RequestId: " + inv->request_id);
  Line(p, ReportLine(inv->request_id, ms, p.spec->memory_mb, MaxMemoryUsedMb(p.pid), p.init_ms));
  p.init_ms.reset();  // Init Duration is reported with the first invocation only
  if (!status_line.empty()) Line(p, std::string(status_line));
  std::string log = std::move(p.log);
  p.log.clear();
  if (result.ok()) {
    result->log_tail = log.size() > kLogTailBytes ? log.substr(log.size() - kLogTailBytes) : log;
  }
  if (p.retiring) Kill(p);
  std::vector<LogEvent> events = std::move(p.events);
  p.events.clear();
  return [logs = p.spec->logs, group = p.spec->log_group, stream = p.log_stream, events = std::move(events),
          done = std::move(inv->done), result = std::move(result)]() mutable {
    if (logs != nullptr) {
      if (Status st = logs->Append(group, stream, events); !st.ok()) {
        spdlog::warn("msg=\"cannot write function log\" group={} error=\"{}\"", group, st.message());
      }
    }
    done(std::move(result));
  };
}

ProcessPool::Completion ProcessPool::FinishWith(Process& p, bool function_error, std::string payload,
                                                std::string_view status_line) {
  InvokeResult r;
  r.function_error = function_error;
  r.payload = std::move(payload);
  return Finish(p, std::move(r), status_line);
}

void ProcessPool::Next(std::string_view token, std::function<void(Expected<NextInvocation, BrokerFailure>)> ready) {
  Completion completion;
  {
    MutexLock lock(mu_);
    Process* p = stop_ ? nullptr : Find(token);
    if (p == nullptr || p->killed) {
      lock.Unlock();
      return ready(BrokerFailure{BrokerError::kUnknownProcess, "no such runtime process"});
    }
    if (p->retiring && !p->current) {
      Kill(*p);
      lock.Unlock();
      return ready(BrokerFailure{BrokerError::kUnknownProcess, "the function changed; this process is retired"});
    }
    if (!p->initialized) {
      // The first Next ends the init phase (a cold start's Init Duration).
      p->initialized = true;
      p->init_ms = std::chrono::duration<double, std::milli>(Clock::now() - p->spawned).count();
    }
    // A second Next replaces the first, which is answered as unknown (the client gave up on it).
    auto previous = std::move(p->waiting);
    p->waiting = std::move(ready);
    if (p->current && !p->current->delivered) completion = Deliver(*p);
    if (previous) {
      auto prev_done = [previous = std::move(previous)]() mutable {
        previous(BrokerFailure{BrokerError::kUnknownProcess, "superseded by a later next"});
      };
      if (completion) {
        completion = [a = std::move(completion), b = std::move(prev_done)]() mutable {
          b();
          a();
        };
      } else {
        completion = std::move(prev_done);
      }
    }
  }
  if (completion) completion();
}

Expected<Done, BrokerFailure> ProcessPool::Respond(std::string_view token, std::string_view request_id,
                                                   std::string payload) {
  return Complete(token, request_id, false, std::move(payload));
}

Expected<Done, BrokerFailure> ProcessPool::Fail(std::string_view token, std::string_view request_id,
                                                std::string error) {
  return Complete(token, request_id, true, std::move(error));
}

Expected<Done, BrokerFailure> ProcessPool::Complete(std::string_view token, std::string_view request_id,
                                                    bool function_error, std::string payload) {
  Completion completion;
  Expected<Done, BrokerFailure> answer = Done{};
  {
    const MutexLock lock(mu_);
    Process* p = Find(token);
    if (p == nullptr) return BrokerFailure{BrokerError::kUnknownProcess, "no such runtime process"};
    if (!p->current || !p->current->delivered || p->current->request_id != request_id) {
      return BrokerFailure{BrokerError::kInvalidRequestId, "Invalid request ID"};
    }
    Drain(*p);
    if (payload.size() > kMaxResponseBytes) {
      payload = ErrorJson("Function.ResponseSizeTooLarge",
                          fmt::format("Response payload size exceeded maximum allowed payload size ({} bytes).",
                                      kMaxResponseBytes));
      function_error = true;
      answer = BrokerFailure{BrokerError::kTooLarge, "Response payload size exceeded maximum allowed payload size"};
    }
    completion = FinishWith(*p, function_error, std::move(payload), "");
  }
  completion();
  return answer;
}

Expected<Done, BrokerFailure> ProcessPool::InitError(std::string_view token, std::string error) {
  Completion completion;
  {
    const MutexLock lock(mu_);
    Process* p = Find(token);
    if (p == nullptr) return BrokerFailure{BrokerError::kUnknownProcess, "no such runtime process"};
    Drain(*p);
    p->retiring = true;
    if (p->current) {
      // The invocation never started: Lambda reports the init error as its result.
      Line(*p, "START RequestId: " + p->current->request_id + " Version: $LATEST");
      completion = FinishWith(*p, true, std::move(error), "");
    }
    Kill(*p);
  }
  if (completion) completion();
  return Done{};
}

void ProcessPool::Retire(const std::string& function_name) {
  {
    const MutexLock lock(mu_);
    for (auto& [token, p] : processes_) {
      if (p->spec->function_name != function_name) continue;
      p->retiring = true;
      if (!p->current) Kill(*p);
    }
  }
  Wake();
}

void ProcessPool::Supervise() {
  NameThisThread("fn-supervise");
  std::vector<pollfd> fds;
  for (;;) {
    std::vector<Completion> completions;
    {
      MutexLock lock(mu_);
      if (stop_) return;
      fds.clear();
      fds.push_back({wake_fd_, POLLIN, 0});
      auto next_deadline = Clock::now() + kSuperviseTick;
      for (auto& [token, p] : processes_) {
        fds.push_back({p->fd, POLLIN, 0});
        if (p->current && p->deadline < next_deadline) next_deadline = p->deadline;
      }
      lock.Unlock();
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_deadline - Clock::now());
      poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait.count()) + 1));
      uint64_t count = 0;
      [[maybe_unused]] const ssize_t n = read(wake_fd_, &count, sizeof count);
      lock.Lock();
      if (stop_) return;
      const auto now = Clock::now();
      for (auto it = processes_.begin(); it != processes_.end();) {
        Process& p = *it->second;
        Drain(p);
        if (p.current && now >= p.deadline && !p.killed) {
          const double seconds = static_cast<double>(p.spec->timeout_ms) / 1000.0;
          const std::string id = p.current->request_id;
          if (!p.current->delivered) Line(p, "START RequestId: " + id + " Version: $LATEST");
          const std::string message = fmt::format("RequestId: {} Error: Task timed out after {:.2f} seconds", id, seconds);
          Kill(p);
          completions.push_back(FinishWith(p, true, ErrorJson("Sandbox.Timedout", message),
                                           fmt::format("{} {} Task timed out after {:.2f} seconds",
                                                       IsoNow(), id, seconds)));
        }
        int status = 0;
        const pid_t r = waitpid(p.pid, &status, WNOHANG);
        if (r == p.pid || (r < 0 && errno == ECHILD)) {
          Drain(p);
          kill(-p.pid, SIGKILL);  // anything it left behind in its group
          if (p.current) {
            const std::string id = p.current->request_id;
            const std::string message =
                fmt::format("RequestId: {} Error: Runtime exited with error: {}", id, ExitText(status));
            if (!p.current->delivered) Line(p, "START RequestId: " + id + " Version: $LATEST");
            completions.push_back(
                FinishWith(p, true, ErrorJson("Runtime.ExitError", message), message + "\nRuntime.ExitError"));
          }
          if (p.waiting) {
            auto w = std::move(p.waiting);
            completions.push_back([w = std::move(w)]() mutable {
              w(BrokerFailure{BrokerError::kUnknownProcess, "the process exited"});
            });
          }
          close(p.fd);
          it = processes_.erase(it);
          continue;
        }
        ++it;
      }
    }
    for (auto& c : completions) c();
  }
}

}  // namespace sluice::functions
