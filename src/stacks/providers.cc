#include "stacks/providers.h"

#include "providers/providers_internal.h"

namespace sluice::stacks {

void AddBuiltinProviders(ResourceProviders& providers, const ProviderDeps& deps) {
  if (deps.objects != nullptr) providers.Add(providers::NewS3BucketProvider(*deps.objects, deps.region));
  if (deps.streams != nullptr) {
    providers.Add(providers::NewKinesisStreamProvider(*deps.streams, deps.stream_active_timeout_ms));
  }
  providers.Add(providers::NewIamRoleProvider(deps));
  providers.Add(providers::NewIamPolicyProvider());
  providers.Add(providers::NewIamManagedPolicyProvider(deps));
  providers.Add(providers::NewLogGroupProvider(deps));
}

}  // namespace sluice::stacks
