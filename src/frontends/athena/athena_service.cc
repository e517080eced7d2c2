#include "frontends/athena/athena_service.h"

#include "internal/actions.h"

namespace sluice::frontends::athena {
namespace {

constexpr std::string_view kSigningNames[] = {"athena"};
constexpr std::string_view kTargetPrefixes[] = {"AmazonAthena"};
constexpr awsproto::PooledJsonOptions kOptions{
    .protocol = {.target_prefix = "AmazonAthena",
                 .json_content_type = "application/x-amz-json-1.1",
                 .cbor_content_type = ""},
    .body_limit = kAthenaMaxRequestBytes,
    .threads = 2,
    .overloaded_type = "TooManyRequestsException",
    .thread_name = "athena-api"};

}  // namespace

AthenaService::AthenaService(query::Engine& engine, query::Executions& executions)
    : PooledJsonService(kOptions), actions_(std::make_unique<Actions>(engine, executions)) {}
AthenaService::~AthenaService() { Quiesce(); }  // the pool drains while the actions exist

std::span<const std::string_view> AthenaService::SigningNames() const { return kSigningNames; }
std::span<const std::string_view> AthenaService::TargetPrefixes() const { return kTargetPrefixes; }

std::optional<awsproto::PooledJsonService::Action> AthenaService::FindAction(std::string_view name) {
  const Actions::Action* a = Actions::Find(name);
  if (a == nullptr) return std::nullopt;
  return Action{a->fields, [this, a](ActionCall& call, ActionDone done) {
                  (actions_.get()->*(a->run))(call, std::move(done));
                }};
}

}  // namespace sluice::frontends::athena
