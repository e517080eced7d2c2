#include "cli/logs_command.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "base/clock.h"
#include "cli/json_service_client.h"

namespace sluice::cli {
namespace {

constexpr JsonService kLogs{"CloudWatch Logs", "logs", "Logs_20140328"};
constexpr auto kFollowInterval = std::chrono::seconds(1);

struct LogsOptions {
  JsonServiceOptions service;
  std::string name;
  std::string since = "10m";
  std::string filter_pattern;
  bool follow = false;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "sluice logs: %s\n", message.c_str());
  return 1;
}

int Run(const LogsOptions& o) {
  const std::optional<int64_t> since = ParseSince(o.since, Clock::Real().NowMillis());
  if (!since) return Fail("--since: expected a number with s, m, h, d or w (10m), or a UTC time, not " + o.since);
  const std::string group = LogGroupFor(o.name);
  int64_t start = *since;
  std::set<std::string> seen_at_start;  // eventIds already printed whose timestamp is `start`
  for (;;) {
    std::string token;
    int64_t newest = start;
    std::set<std::string> seen_at_newest = seen_at_start;
    do {
      nlohmann::json req = {{"logGroupName", group}, {"startTime", start}, {"interleaved", true}};
      if (!o.filter_pattern.empty()) req["filterPattern"] = o.filter_pattern;
      if (!token.empty()) req["nextToken"] = token;
      Result<nlohmann::json> page = CallJsonService(kLogs, o.service, "FilterLogEvents", req);
      if (!page.ok()) {
        const bool missing = page.status().message().starts_with("ResourceNotFoundException");
        if (missing && o.follow) break;  // the function has not logged yet
        return Fail(page.status().message());
      }
      for (const nlohmann::json& e : page->value("events", nlohmann::json::array())) {
        const int64_t ts = e.value("timestamp", int64_t{0});
        const std::string id = e.value("eventId", "");
        if (ts == start && seen_at_start.contains(id)) continue;
        std::fputs(FormatTailLine(e).c_str(), stdout);
        if (ts > newest) {
          newest = ts;
          seen_at_newest.clear();
        }
        if (ts == newest) seen_at_newest.insert(id);
      }
      std::fflush(stdout);
      token = page->value("nextToken", "");
    } while (!token.empty());
    if (!o.follow) return 0;
    start = newest;
    seen_at_start = std::move(seen_at_newest);
    std::this_thread::sleep_for(kFollowInterval);
  }
}

}  // namespace

std::string LogGroupFor(std::string_view name) {
  return name.starts_with('/') ? std::string(name) : "/aws/lambda/" + std::string(name);
}

std::optional<int64_t> ParseSince(std::string_view text, int64_t now_ms) {
  if (text.size() >= 2) {
    const char unit = text.back();
    int64_t per = 0;
    switch (unit) {
      case 's': per = 1'000; break;
      case 'm': per = 60'000; break;
      case 'h': per = 3'600'000; break;
      case 'd': per = 86'400'000; break;
      case 'w': per = 7 * 86'400'000LL; break;
      default: break;
    }
    const std::string_view digits = text.substr(0, text.size() - 1);
    if (per != 0 && digits.size() <= 9 && digits.find_first_not_of("0123456789") == std::string_view::npos) {
      return now_ms - std::stoll(std::string(digits)) * per;
    }
  }
  // YYYY-MM-DDTHH:MM:SS[Z]
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail = 0;
  const std::string copy(text);
  const int n = std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail);
  if ((n == 6 || (n == 7 && tail == 'Z')) && copy.size() == static_cast<size_t>(n == 7 ? 20 : 19)) {
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return static_cast<int64_t>(timegm(&tm)) * 1000;
  }
  return std::nullopt;
}

std::string FormatTailLine(const nlohmann::json& event) {
  const int64_t ms = event.value("timestamp", int64_t{0});
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string line = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                 tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (ms % 1000 != 0) line += fmt::format(".{:03}000", ms % 1000);
  line += "+00:00 " + event.value("logStreamName", "") + " " + event.value("message", "");
  if (!line.ends_with('\n')) line += '\n';
  return line;
}

void AddLogsCommand(CLI::App& app) {
  auto o = std::make_shared<LogsOptions>();
  CLI::App* cmd = app.add_subcommand("logs", "Print a function's logs (CloudWatch Logs group /aws/lambda/NAME)");
  cmd->add_option("NAME", o->name, "Function name, or a log group name starting with /")->required();
  cmd->add_flag("--follow,-f", o->follow, "Keep printing new events until interrupted");
  cmd->add_option("--since", o->since, "Start this long ago (10m, 2h, 1d; default 10m) or at a UTC time");
  cmd->add_option("--filter-pattern", o->filter_pattern, "Only events matching these terms or \"phrases\"");
  cmd->add_option("--endpoint", o->service.endpoint,
                  "Server URL (default: AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL, the profile, else " +
                      std::string(kLocalEndpoint) + ")");
  cmd->add_option("--profile", o->service.profile, "Profile in ~/.aws/credentials and ~/.aws/config");
  cmd->add_option("--region", o->service.region, "Signing region (default: environment, profile, else us-east-1)");
  cmd->callback([o] { throw CLI::RuntimeError(Run(*o)); });
}

}  // namespace sluice::cli
