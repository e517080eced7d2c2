// The CloudFormation front end: the AWS Query protocol (form-encoded `Action=...&
// Version=2010-05-15`, XML answers and errors) over stacks::StackManager. Requests are
// recognised by their SigV4 credential scope (service `cloudformation`). Actions run on
// a small pool of the front end's own: each writes the catalog, which syncs.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "awsproto/service.h"
#include "stacks/stacks.h"

namespace sluice {
class WorkPool;
}
namespace sluice::objects {
class ObjectStore;
}

namespace sluice::frontends::cloudformation {

// CloudFormation's request limit: a 51,200-byte TemplateBody, form-encoded (up to 3x),
// plus parameters and tags.
inline constexpr uint64_t kMaxRequestBytes = 1ull << 20;

class CloudFormationService final : public awsproto::Service {
 public:
  // `objects` serves TemplateURL (an object in sluice's S3); it may be null.
  CloudFormationService(stacks::StackManager& stacks, objects::ObjectStore* objects);
  ~CloudFormationService() override;

  std::string_view Name() const override { return "cloudformation"; }
  std::span<const std::string_view> SigningNames() const override;
  std::span<const std::string_view> TargetPrefixes() const override { return {}; }
  bool ClaimsShape(const http::RequestHead& head) const override;
  uint64_t BodyLimit(const http::RequestHead& head) const override;
  void Handle(http::Request request, http::Responder done) override;
  std::shared_ptr<http::BodySink> StreamBody(const http::RequestHead& head) override;
  http::Response BodyTooLarge(const http::RequestHead& head, uint64_t limit) const override;
  http::Response Overloaded(const http::RequestHead& head) const override;
  http::Response AuthFailed(const http::RequestHead& head, const awsproto::AuthFailure& failure) const override;
  void Quiesce() override;

 private:
  stacks::StackManager& stacks_;
  objects::ObjectStore* objects_;
  std::unique_ptr<WorkPool> pool_;
};

}  // namespace sluice::frontends::cloudformation
