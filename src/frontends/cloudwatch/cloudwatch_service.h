// The CloudWatch front end: metrics and alarms in the three protocols CloudWatch's
// clients send (internal/wire.h): AWS Query (Debian's awscli and boto3), AWS JSON 1.0
// (the JavaScript SDK v3) and Smithy RPC v2 CBOR (current botocore). Requests are
// recognised by their SigV4 credential scope (service `monitoring`), their X-Amz-Target
// prefix or their RPC v2 path. Actions run on a small pool of the front end's own: alarm
// changes write the catalog, which syncs.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "awsproto/service.h"
#include "base/clock.h"
#include "metrics/alarms.h"
#include "metrics/metrics.h"

namespace sluice {
class WorkPool;
}

namespace sluice::frontends::cloudwatch {

// CloudWatch's request limit: PutMetricData bodies up to 1 MB.
inline constexpr uint64_t kMaxRequestBytes = 1ull << 20;

class CloudWatchService final : public awsproto::Service {
 public:
  CloudWatchService(metrics::Registry& registry, const metrics::MetricReader& reader, metrics::AlarmManager& alarms,
                    Clock& clock = Clock::Real());
  ~CloudWatchService() override;

  std::string_view Name() const override { return "cloudwatch"; }
  std::span<const std::string_view> SigningNames() const override;
  std::span<const std::string_view> TargetPrefixes() const override;
  bool ClaimsShape(const http::RequestHead& head) const override;
  uint64_t BodyLimit(const http::RequestHead& head) const override;
  void Handle(http::Request request, http::Responder done) override;
  std::shared_ptr<http::BodySink> StreamBody(const http::RequestHead& head) override;
  http::Response BodyTooLarge(const http::RequestHead& head, uint64_t limit) const override;
  http::Response Overloaded(const http::RequestHead& head) const override;
  http::Response AuthFailed(const http::RequestHead& head, const awsproto::AuthFailure& failure) const override;
  uint64_t ParseMemory(const http::RequestHead& head, uint64_t body_bytes) const override;
  void Quiesce() override;

 private:
  metrics::Registry& registry_;
  const metrics::MetricReader& reader_;
  metrics::AlarmManager& alarms_;
  Clock& clock_;
  std::unique_ptr<WorkPool> pool_;
};

}  // namespace sluice::frontends::cloudwatch
