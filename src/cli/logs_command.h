// `sluice logs NAME [--follow] [--since 10m] [--filter-pattern P]`: a function's logs
// (group /aws/lambda/NAME, or NAME itself when it starts with '/') from a running
// server's CloudWatch Logs API (FilterLogEvents), printed as `aws logs tail` prints them:
// "<ISO timestamp> <log stream> <message>". --follow polls every second for new events,
// as the CLI's tail does (every five), and waits for a group that does not exist yet.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace CLI {
class App;
}

namespace sluice::cli {

void AddLogsCommand(CLI::App& app);

// --since: "<N>s|m|h|d|w" before `now_ms`, or an ISO 8601 UTC time
// ("2026-01-02T03:04:05Z"); nullopt when neither.
std::optional<int64_t> ParseSince(std::string_view text, int64_t now_ms);

// One FilterLogEvents event as `aws logs tail` prints it, ending in one newline:
// Python's isoformat of the UTC time (microseconds only when non-zero).
std::string FormatTailLine(const nlohmann::json& event);

// The log group of a function name.
std::string LogGroupFor(std::string_view name);

}  // namespace sluice::cli
