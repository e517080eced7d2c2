#include "stacks/providers.h"

#include "providers/providers_internal.h"

namespace sluice::stacks {

void AddBuiltinProviders(ResourceProviders& providers, const ProviderDeps& deps) {
  if (deps.objects != nullptr) providers.Add(providers::NewS3BucketProvider(*deps.objects, deps.region));
  if (deps.streams != nullptr) {
    providers.Add(providers::NewKinesisStreamProvider(*deps.streams, deps.stream_active_timeout_ms));
  }
  if (deps.delivery != nullptr) providers.Add(providers::NewDeliveryStreamProvider(*deps.delivery));
  if (deps.functions != nullptr) {
    providers.Add(providers::NewLambdaFunctionProvider(*deps.functions));
    providers.Add(providers::NewLambdaPermissionProvider(*deps.functions));
    if (deps.custom_responses != nullptr) {
      providers.Add(NewCustomResourceProvider(providers::NewLambdaEventInvoker(*deps.functions),
                                              *deps.custom_responses,
                                              {.default_timeout_ms = deps.custom_resource_timeout_ms}));
    }
  }
  if (deps.mappings != nullptr) {
    providers.Add(providers::NewEventSourceMappingProvider(*deps.mappings, deps.mapping_delete_timeout_ms));
  }
  if (deps.alarms != nullptr) providers.Add(providers::NewCloudWatchAlarmProvider(*deps.alarms));
  providers.Add(providers::NewIamRoleProvider(deps));
  providers.Add(providers::NewIamPolicyProvider());
  providers.Add(providers::NewIamManagedPolicyProvider(deps));
  if (deps.logs != nullptr) providers.Add(providers::NewLogGroupProvider(*deps.logs));
}

}  // namespace sluice::stacks
