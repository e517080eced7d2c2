#include "cli/delivery_error_log.h"

#include <span>
#include <utility>

#include <spdlog/spdlog.h>

#include "base/logfmt.h"

namespace sluice::cli {

void DeliveryErrorLog::Write(const std::string& group, const std::string& stream, int64_t timestamp_ms,
                             std::string message) {
  const functions::LogEvent event{.timestamp_ms = timestamp_ms, .message = std::move(message)};
  if (const Status st = logs_.Append(group, stream, std::span<const functions::LogEvent>(&event, 1)); !st.ok()) {
    spdlog::warn("msg=\"writing a delivery error log event failed\" group={} stream={} error={}", LogfmtValue(group),
                 LogfmtValue(stream), LogfmtValue(st.ToString()));
  }
}

}  // namespace sluice::cli
