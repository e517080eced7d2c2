// CloudWatch Logs over AWS JSON 1.1: `POST /` with `X-Amz-Target: Logs_20140328.<Action>`,
// signed for service "logs". The subset functions' logs need (docs/compatibility.md):
// CreateLogGroup, DeleteLogGroup, DescribeLogGroups, DescribeLogStreams, GetLogEvents,
// FilterLogEvents, PutRetentionPolicy, DeleteRetentionPolicy, over functions::LogStore.
//
// Threading: thread-safe. Every action runs on the service's own small pool (the store
// reads files and the catalog), never on an I/O thread. Lifetime: the store must outlive
// the service.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "awsproto/pooled_json_service.h"
#include "functions/logs.h"

namespace sluice::frontends::logs {

// CloudWatch Logs' largest request here is a FilterLogEvents with 100 stream names.
inline constexpr uint64_t kLogsMaxRequestBytes = 1ull << 20;

class Actions;

class LogsService final : public awsproto::PooledJsonService {
 public:
  explicit LogsService(functions::LogStore& store);
  ~LogsService() override;

  std::string_view Name() const override { return "logs"; }
  std::span<const std::string_view> SigningNames() const override;
  std::span<const std::string_view> TargetPrefixes() const override;

 private:
  std::optional<Action> FindAction(std::string_view name) override;

  std::unique_ptr<Actions> actions_;
};

}  // namespace sluice::frontends::logs
