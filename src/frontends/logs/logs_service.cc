#include "frontends/logs/logs_service.h"

#include "internal/actions.h"

namespace sluice::frontends::logs {
namespace {

constexpr std::string_view kSigningNames[] = {"logs"};
constexpr std::string_view kTargetPrefixes[] = {"Logs_20140328"};
constexpr awsproto::PooledJsonOptions kOptions{
    .protocol = {.target_prefix = "Logs_20140328",
                 .json_content_type = "application/x-amz-json-1.1",
                 .cbor_content_type = "",
                 .validation_error_type = "InvalidParameterException"},
    .body_limit = kLogsMaxRequestBytes,
    .threads = 2,
    .overloaded_type = "ThrottlingException",
    .thread_name = "logs"};

}  // namespace

LogsService::LogsService(functions::LogStore& store)
    : PooledJsonService(kOptions), actions_(std::make_unique<Actions>(store)) {}
LogsService::~LogsService() { Quiesce(); }  // the pool drains while the actions exist

std::span<const std::string_view> LogsService::SigningNames() const { return kSigningNames; }
std::span<const std::string_view> LogsService::TargetPrefixes() const { return kTargetPrefixes; }

std::optional<awsproto::PooledJsonService::Action> LogsService::FindAction(std::string_view name) {
  const Actions::Action* a = Actions::Find(name);
  if (a == nullptr) return std::nullopt;
  return Action{a->fields, [this, a](ActionCall& call, ActionDone done) {
                  (actions_.get()->*(a->run))(call, std::move(done));
                }};
}

}  // namespace sluice::frontends::logs
