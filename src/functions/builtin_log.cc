#include "internal/builtin_log.h"

#include <cmath>
#include <ctime>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "base/random.h"
#include "internal/on_failure.h"

namespace sluice::functions {

std::string LambdaLogStreamName(int64_t now_ms, std::string_view hex_id) {
  const std::time_t t = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}/{:02}/{:02}/[$LATEST]{}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, hex_id);
}

namespace internal {
namespace {

constexpr int64_t kDayMs = 86'400'000;

// "[ERROR] <errorType>: <errorMessage>" of an error document, or its text as it is.
std::string ErrorLine(std::string_view payload) {
  const nlohmann::json j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("errorType") && j["errorType"].is_string() && j.contains("errorMessage") &&
      j["errorMessage"].is_string()) {
    return "[ERROR] " + j["errorType"].get<std::string>() + ": " + j["errorMessage"].get<std::string>();
  }
  return "[ERROR] " + std::string(payload);
}

}  // namespace

std::string ReportLine(std::string_view request_id, double ms, int64_t memory_mb, int64_t max_used_mb,
                       std::optional<double> init_ms) {
  std::string line = fmt::format(
      "REPORT RequestId: {}\tDuration: {:.2f} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB\t",
      request_id, ms, static_cast<int64_t>(std::ceil(ms)), memory_mb, max_used_mb);
  if (init_ms) line += fmt::format("Init Duration: {:.2f} ms\t", *init_ms);
  return line;
}

std::string BuiltinLog::StreamFor(std::string_view function, int64_t now_ms) {
  const int64_t day = now_ms / kDayMs;
  const MutexLock lock(mu_);
  auto it = streams_.find(function);
  if (it == streams_.end()) it = streams_.emplace(std::string(function), Stream{}).first;
  if (it->second.name.empty() || it->second.day != day) {
    it->second = Stream{day, LambdaLogStreamName(now_ms, RandomHex(16))};
  }
  return it->second.name;
}

std::string BuiltinLog::Write(std::string_view function, int64_t memory_mb, int64_t started_ms,
                              const InvokeOutcome& outcome) {
  const int64_t now = clock_.NowMillis();
  const std::string request_id = RandomUuid();
  // Each event keeps its line's newline, as a runtime process's do.
  std::vector<LogEvent> events;
  events.push_back({started_ms, "START RequestId: " + request_id + " Version: $LATEST\n"});
  if (outcome.function_error != FunctionError::kNone) events.push_back({now, ErrorLine(outcome.payload) + "\n"});
  events.push_back({now, "END RequestId: " + request_id + "\n"});
  // A built-in runs in sluice's process: it has no memory of its own to report.
  events.push_back(
      {now, ReportLine(request_id, static_cast<double>(now - started_ms), memory_mb, 0, std::nullopt) + "\n"});
  std::string text;
  for (const LogEvent& e : events) text += e.message;
  if (logs_ == nullptr) return text;
  const std::string group = "/aws/lambda/" + std::string(function);
  if (const Status st = logs_->Append(group, StreamFor(function, now), events); !st.ok()) {
    spdlog::warn("msg=\"cannot write function log\" group={} error=\"{}\"", group, st.message());
  }
  return text;
}

}  // namespace internal
}  // namespace sluice::functions
