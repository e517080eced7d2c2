// The CloudFormation front end: the AWS Query protocol (form-encoded `Action=...&
// Version=2010-05-15`, XML answers and errors) over stacks::StackManager. Requests are
// recognised by their SigV4 credential scope (service `cloudformation`). Actions run on
// a small pool of the front end's own: each writes the catalog, which syncs.
// It also answers the PUTs of custom resources' responses to their ResponseURLs
// (presigned S3-style URLs, stacks/custom_resources.h), with S3's answers and rules.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "awsproto/service.h"
#include "stacks/custom_resources.h"
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
  // `objects` serves TemplateURL (an object in sluice's S3); `responses` takes custom
  // resources' responses. Either may be null.
  CloudFormationService(stacks::StackManager& stacks, objects::ObjectStore* objects,
                        stacks::CustomResourceResponses* responses = nullptr);
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
  awsproto::SigV4Rules AuthRulesFor(const http::RequestHead& head) const override;
  http::Response AuthFailed(const http::RequestHead& head, const awsproto::AuthFailure& failure) const override;
  void Quiesce() override;

 private:
  bool IsResponse(const http::RequestHead& head) const;
  void HandleResponse(http::Request request, http::Responder done);

  stacks::StackManager& stacks_;
  objects::ObjectStore* objects_;
  stacks::CustomResourceResponses* responses_;
  std::unique_ptr<WorkPool> pool_;
};

}  // namespace sluice::frontends::cloudformation
