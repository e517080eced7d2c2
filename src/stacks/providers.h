// The resource types sluice provisions, each through its domain module's public API:
// AWS::S3::Bucket (objects), AWS::Kinesis::Stream (stream),
// AWS::KinesisFirehose::DeliveryStream (delivery), AWS::Lambda::Function,
// AWS::Lambda::Permission and AWS::Lambda::EventSourceMapping (functions),
// AWS::CloudWatch::Alarm (metrics' alarms), AWS::Logs::LogGroup (function logs' store),
// custom resources backed by Lambda functions (AWS::CloudFormation::CustomResource,
// Custom::<Name>: custom_resources.h), and the types recorded with the identifiers AWS
// returns but no behaviour of their own here (AWS::IAM::Role, AWS::IAM::Policy,
// AWS::IAM::ManagedPolicy). Ref and Fn::GetAtt return what CloudFormation returns for
// each (docs/compatibility.md).
#pragma once

#include <string>

#include "stacks/custom_resources.h"
#include "stacks/resources.h"

namespace sluice::objects {
class ObjectStore;
}
namespace sluice::stream {
class StreamManager;
}
namespace sluice::delivery {
class DeliveryManager;
}
namespace sluice::metrics {
class AlarmManager;
}
namespace sluice::functions {
class FunctionManager;
class MappingManager;
class LogStore;
}

namespace sluice::stacks {

struct ProviderDeps {
  objects::ObjectStore* objects = nullptr;  // AWS::S3::Bucket when set
  stream::StreamManager* streams = nullptr;  // AWS::Kinesis::Stream when set
  delivery::DeliveryManager* delivery = nullptr;  // AWS::KinesisFirehose::DeliveryStream when set
  // AWS::Lambda::Function and AWS::Lambda::Permission when set.
  functions::FunctionManager* functions = nullptr;
  functions::MappingManager* mappings = nullptr;  // AWS::Lambda::EventSourceMapping when set
  metrics::AlarmManager* alarms = nullptr;  // AWS::CloudWatch::Alarm when set
  functions::LogStore* logs = nullptr;       // AWS::Logs::LogGroup when set
  // Custom resources when set (with `functions`, which runs their ServiceTokens).
  CustomResourceResponses* custom_responses = nullptr;
  // How long a custom resource waits for its response when it sets no ServiceTimeout.
  int64_t custom_resource_timeout_ms = kMaxServiceTimeoutSeconds * 1000;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  // How long a new stream may take to become ACTIVE before its creation fails.
  int64_t stream_active_timeout_ms = 60'000;
  // How long a deleted event-source mapping may take to be gone before the deletion fails.
  int64_t mapping_delete_timeout_ms = 60'000;
};

void AddBuiltinProviders(ResourceProviders& providers, const ProviderDeps& deps);

}  // namespace sluice::stacks
