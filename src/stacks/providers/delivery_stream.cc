// AWS::KinesisFirehose::DeliveryStream through the delivery manager. Ref: the delivery
// stream's name. GetAtt: Arn. DeliveryStreamName, DeliveryStreamType and
// KinesisStreamSourceConfiguration replace, as does switching between
// S3DestinationConfiguration and ExtendedS3DestinationConfiguration; a changed
// destination updates in place through UpdateDestination, Tags through
// TagDeliveryStream/UntagDeliveryStream. The destination is read by the delivery
// module's reader of the API's member names (CloudFormation's are the same).
#include "delivery/delivery.h"
#include "providers/common.h"
#include "providers/providers_internal.h"

namespace sluice::stacks::providers {
namespace {

// Other destinations CloudFormation accepts; sluice delivers only to S3.
constexpr std::string_view kOtherDestinations[] = {
    "RedshiftDestinationConfiguration", "ElasticsearchDestinationConfiguration",
    "AmazonopensearchserviceDestinationConfiguration", "AmazonOpenSearchServerlessDestinationConfiguration",
    "SplunkDestinationConfiguration", "HttpEndpointDestinationConfiguration", "SnowflakeDestinationConfiguration",
    "IcebergDestinationConfiguration", "MSKSourceConfiguration", "DeliveryStreamEncryptionConfigurationInput"};

StackError ServiceError(const delivery::Error& e) {
  return HandlerError("Firehose", std::string(delivery::ErrorName(e.code)) + ": " + e.message);
}

// Template values arrive as text when they come from parameters: the members the API
// types as numbers or booleans get those types back.
void Retype(Json& j) {
  if (j.is_array()) {
    for (Json& v : j) Retype(v);
    return;
  }
  if (!j.is_object()) return;
  for (auto& [key, v] : j.items()) {
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      if (key == "Enabled" && (s == "true" || s == "false")) {
        v = s == "true";
      } else if (key == "SizeInMBs" || key == "IntervalInSeconds" || key == "DurationInSeconds") {
        try {
          v = std::stoll(s);
        } catch (...) {
          // left as text: the reader reports the type
        }
      }
    } else {
      Retype(v);
    }
  }
}

class DeliveryStreamProvider final : public ResourceProvider {
 public:
  explicit DeliveryStreamProvider(delivery::DeliveryManager& delivery) : delivery_(delivery) {}

  std::string_view Type() const override { return "AWS::KinesisFirehose::DeliveryStream"; }

  StackResult<ProvisionedResource> Create(const ResourceRequest& request) override {
    const Json& p = request.properties;
    delivery::DeliveryStreamConfig config;
    config.name = NameOf(request, "DeliveryStreamName");
    if (const std::string t = Text(p, "DeliveryStreamType"); !t.empty()) config.type = t;
    if (p.contains("KinesisStreamSourceConfiguration") && p["KinesisStreamSourceConfiguration"].is_object()) {
      const Json& k = p["KinesisStreamSourceConfiguration"];
      config.source = delivery::KinesisSource{Text(k, "KinesisStreamARN"), Text(k, "RoleARN")};
    }
    auto destination = DestinationOf(request);
    if (!destination.ok()) return destination.error();
    config.destination = std::move(*destination);
    auto created = delivery_.Create(config, TagsOf(p));
    if (!created.ok()) return ServiceError(created.error());
    return Provisioned(config.name);
  }

  UpdateKind Classify(const Json& before, const Json& after) const override {
    if (SwitchesDestination(before, after)) return UpdateKind::kReplacement;
    return ClassifyBy(before, after, {"DeliveryStreamName", "DeliveryStreamType", "KinesisStreamSourceConfiguration"});
  }

  StackResult<ProvisionedResource> Update(const ResourceRequest& request, const ProvisionedResource& current,
                                          const Json& old) override {
    const std::string& name = current.physical_id;
    const Json& p = request.properties;
    if (!SameProperties(p, old, {"S3DestinationConfiguration", "ExtendedS3DestinationConfiguration"})) {
      auto destination = DestinationOf(request);
      if (!destination.ok()) return destination.error();
      auto info = delivery_.Describe(name);
      if (!info.ok()) return ServiceError(info.error());
      auto r = delivery_.UpdateDestination(name, info->version, *destination);
      if (!r.ok()) return ServiceError(r.error());
    }
    const delivery::Tags tags = TagsOf(p), old_tags = TagsOf(old);
    if (tags != old_tags) {
      const std::vector<std::string> removed = RemovedTagKeys(old_tags, tags);
      if (!removed.empty()) {
        auto r = delivery_.Untag(name, removed);
        if (!r.ok()) return ServiceError(r.error());
      }
      if (!tags.empty()) {
        auto r = delivery_.Tag(name, tags);
        if (!r.ok()) return ServiceError(r.error());
      }
    }
    return Provisioned(name);
  }

  StackStatus Delete(const ResourceRequest& request, const ProvisionedResource& current) override {
    const std::string name = current.physical_id.empty() ? NameOf(request, "DeliveryStreamName") : current.physical_id;
    auto r = delivery_.Delete(name, /*allow_force_delete=*/false);
    if (!r.ok() && r.error().code != delivery::ErrorType::kResourceNotFound) return ServiceError(r.error());
    return Done{};
  }

 private:
  static bool SwitchesDestination(const Json& before, const Json& after) {
    return before.contains("ExtendedS3DestinationConfiguration") != after.contains("ExtendedS3DestinationConfiguration");
  }

  static StackResult<delivery::S3Destination> DestinationOf(const ResourceRequest& request) {
    const Json& p = request.properties;
    for (std::string_view other : kOtherDestinations) {
      if (p.contains(std::string(other))) {
        return HandlerError("Firehose", "InvalidArgumentException: sluice delivers only to S3; " +
                                            std::string(other) + " is not supported.");
      }
    }
    const bool plain = p.contains("S3DestinationConfiguration");
    const bool extended = p.contains("ExtendedS3DestinationConfiguration");
    if (plain == extended) {
      return HandlerError("Firehose",
                          "InvalidArgumentException: Exactly one destination configuration is supported for a Firehose.");
    }
    Json destination = p[extended ? "ExtendedS3DestinationConfiguration" : "S3DestinationConfiguration"];
    if (extended && destination.contains("DataFormatConversionConfiguration")) {
      return HandlerError("Firehose", "InvalidArgumentException: sluice does not support "
                                      "DataFormatConversionConfiguration (Parquet/ORC conversion).");
    }
    Retype(destination);
    auto d = delivery::S3DestinationFromJson(destination.dump(), extended);
    if (!d.ok()) {
      return ValidationError("Properties validation failed for resource " + request.logical_id +
                             " with message: " + d.status().message());
    }
    return *d;
  }

  ProvisionedResource Provisioned(const std::string& name) const {
    return {name, Json{{"Arn", delivery_.ArnFor(name)}}};
  }

  delivery::DeliveryManager& delivery_;
};

}  // namespace

std::unique_ptr<ResourceProvider> NewDeliveryStreamProvider(delivery::DeliveryManager& delivery) {
  return std::make_unique<DeliveryStreamProvider>(delivery);
}

}  // namespace sluice::stacks::providers
