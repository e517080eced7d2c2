// Constructors of the built-in providers (providers.cc registers them).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "stacks/providers.h"
#include "stacks/resources.h"

namespace sluice::stacks::providers {

std::unique_ptr<ResourceProvider> NewS3BucketProvider(objects::ObjectStore& store, const std::string& region);
std::unique_ptr<ResourceProvider> NewKinesisStreamProvider(stream::StreamManager& streams,
                                                           int64_t active_timeout_ms);
std::unique_ptr<ResourceProvider> NewLambdaFunctionProvider(functions::FunctionManager& functions);
std::unique_ptr<ResourceProvider> NewLambdaPermissionProvider(functions::FunctionManager& functions);
std::unique_ptr<ResourceProvider> NewEventSourceMappingProvider(functions::MappingManager& mappings,
                                                                int64_t settle_timeout_ms);
std::unique_ptr<ResourceProvider> NewDeliveryStreamProvider(delivery::DeliveryManager& delivery);
std::unique_ptr<ResourceProvider> NewCloudWatchAlarmProvider(metrics::AlarmManager& alarms);
// The cfn-response module added beside inline Code.ZipFile: cfnresponse.py (Python) and
// node_modules/cfn-response/index.js (Node.js).
extern const std::string_view kCfnResponsePython;
extern const std::string_view kCfnResponseNode;
std::unique_ptr<ResourceProvider> NewLogGroupProvider(functions::LogStore& logs);
// Custom resources' request events, sent as Event invocations of the ServiceToken.
std::unique_ptr<CustomResourceInvoker> NewLambdaEventInvoker(functions::FunctionManager& functions);
// Recorded types: identifiers as AWS returns them, no behaviour.
std::unique_ptr<ResourceProvider> NewIamRoleProvider(const ProviderDeps& deps);
std::unique_ptr<ResourceProvider> NewIamPolicyProvider();
std::unique_ptr<ResourceProvider> NewIamManagedPolicyProvider(const ProviderDeps& deps);

}  // namespace sluice::stacks::providers
