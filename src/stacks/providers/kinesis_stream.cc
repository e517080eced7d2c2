// AWS::Kinesis::Stream through the stream manager. Ref: the stream name. GetAtt: Arn.
// Name and StreamModeDetails replace; ShardCount updates in place through
// UpdateShardCount, RetentionPeriodHours through Increase/DecreaseStreamRetentionPeriod,
// Tags through Add/RemoveTagsToStream.
#include <chrono>
#include <thread>

#include "providers/common.h"
#include "providers/providers_internal.h"
#include "stream/stream_manager.h"

namespace sluice::stacks::providers {
namespace {

int64_t IntProperty(const Json& p, const char* name, int64_t fallback) {
  return IntOf(p, name).value_or(fallback);
}

class KinesisStreamProvider final : public ResourceProvider {
 public:
  KinesisStreamProvider(stream::StreamManager& streams, int64_t timeout_ms) : streams_(streams), timeout_ms_(timeout_ms) {}

  std::string_view Type() const override { return "AWS::Kinesis::Stream"; }

  StackResult<ProvisionedResource> Create(const ResourceRequest& request) override {
    const std::string name = NameOf(request, "Name");
    const Json& p = request.properties;
    std::string mode = "PROVISIONED";
    if (p.contains("StreamModeDetails") && p["StreamModeDetails"].is_object()) {
      mode = Text(p["StreamModeDetails"], "StreamMode");
    }
    const int64_t shards = IntProperty(p, "ShardCount", 1);
    if (shards < 1) {
      return ValidationError("Properties validation failed for resource " + request.logical_id +
                             " with message: #/ShardCount: expected minimum value: 1");
    }
    auto created = streams_.CreateStream(name, static_cast<int>(shards), mode, TagsOf(p));
    if (!created.ok()) return HandlerError("Kinesis", created.error().message);
    auto active = WaitActive(name);
    if (!active.ok()) return active.error();
    const int64_t hours = IntProperty(p, "RetentionPeriodHours", 24);
    if (hours != 24) {
      auto r = streams_.ChangeRetention(name, hours, hours > 24);
      if (!r.ok()) return HandlerError("Kinesis", r.error().message);
    }
    return Provisioned(name);
  }

  UpdateKind Classify(const Json& before, const Json& after) const override {
    return ClassifyBy(before, after, {"Name", "StreamModeDetails", "StreamEncryption"});
  }

  StackResult<ProvisionedResource> Update(const ResourceRequest& request, const ProvisionedResource& current,
                                          const Json& old) override {
    const std::string& name = current.physical_id;
    const Json& p = request.properties;
    const int64_t shards = IntProperty(p, "ShardCount", 1), old_shards = IntProperty(old, "ShardCount", 1);
    if (shards != old_shards) {
      auto r = streams_.UpdateShardCount(name, static_cast<int>(shards));
      if (!r.ok()) return HandlerError("Kinesis", r.error().message);
      auto active = WaitActive(name);
      if (!active.ok()) return active.error();
    }
    const int64_t hours = IntProperty(p, "RetentionPeriodHours", 24), old_hours = IntProperty(old, "RetentionPeriodHours", 24);
    if (hours != old_hours) {
      auto r = streams_.ChangeRetention(name, hours, hours > old_hours);
      if (!r.ok()) return HandlerError("Kinesis", r.error().message);
    }
    const auto tags = TagsOf(p), old_tags = TagsOf(old);
    if (tags != old_tags) {
      const std::vector<std::string> removed = RemovedTagKeys(old_tags, tags);
      if (!removed.empty()) {
        auto r = streams_.RemoveTags(name, removed);
        if (!r.ok()) return HandlerError("Kinesis", r.error().message);
      }
      if (!tags.empty()) {
        auto r = streams_.AddTags(name, tags);
        if (!r.ok()) return HandlerError("Kinesis", r.error().message);
      }
    }
    return Provisioned(name);
  }

  StackStatus Delete(const ResourceRequest& request, const ProvisionedResource& current) override {
    const std::string name = current.physical_id.empty() ? NameOf(request, "Name") : current.physical_id;
    auto r = streams_.DeleteStream(name);
    if (!r.ok() && r.error().code != stream::ErrorType::kResourceNotFound) {
      return HandlerError("Kinesis", r.error().message);
    }
    // DELETING streams keep their name until gone: wait so a replacement can reuse it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
    while (streams_.DescribeStream(name).ok()) {
      if (std::chrono::steady_clock::now() > deadline) {
        return HandlerError("Kinesis", "stream " + name + " is still being deleted");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Done{};
  }

 private:
  StackStatus WaitActive(const std::string& name) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_);
    while (true) {
      auto d = streams_.DescribeStream(name);
      if (!d.ok()) return HandlerError("Kinesis", d.error().message);
      if (d->status == "ACTIVE") return Done{};
      if (std::chrono::steady_clock::now() > deadline) {
        return HandlerError("Kinesis", "stream " + name + " did not become ACTIVE");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  ProvisionedResource Provisioned(const std::string& name) const {
    return {name, Json{{"Arn", streams_.ArnFor(name)}}};
  }

  stream::StreamManager& streams_;
  int64_t timeout_ms_;
};

}  // namespace

std::unique_ptr<ResourceProvider> NewKinesisStreamProvider(stream::StreamManager& streams, int64_t active_timeout_ms) {
  return std::make_unique<KinesisStreamProvider>(streams, active_timeout_ms);
}

}  // namespace sluice::stacks::providers
