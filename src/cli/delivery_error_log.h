// The functions module's log store as the delivery module's ErrorLogSink: the error log
// of delivery streams with CloudWatchLoggingOptions enabled lands in CloudWatch Logs
// groups, readable with GetLogEvents through the Logs front end. A group or stream that
// does not exist yet is created (AWS expects them to exist and drops the events
// otherwise; docs/compatibility.md says so).
#pragma once

#include "delivery/delivery.h"
#include "functions/logs.h"

namespace sluice::cli {

class DeliveryErrorLog final : public delivery::ErrorLogSink {
 public:
  // `logs` must outlive every Write.
  explicit DeliveryErrorLog(functions::LogStore& logs) : logs_(logs) {}
  // Appends one event; a failure goes to the server log.
  void Write(const std::string& group, const std::string& stream, int64_t timestamp_ms,
             std::string message) override;

 private:
  functions::LogStore& logs_;
};

}  // namespace sluice::cli
