// Resource providers: how the stack engine creates, updates and deletes one resource
// type (AWS::S3::Bucket, AWS::Kinesis::Stream, ...), through the owning domain module's
// public API. A provider is stateless beyond its module; what a resource is lives in
// the stack's record (its physical id and attributes).
//
// Threading: every method may be called concurrently from the engine's worker threads,
// for different resources. Methods block (a stream waits to become ACTIVE); the engine
// calls them off the server's I/O threads.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "stacks/errors.h"
#include "stacks/intrinsics.h"
#include "stacks/template.h"

namespace sluice::stacks {

struct ProvisionedResource {
  std::string physical_id;       // what Ref returns
  Json attributes = Json::object();  // what Fn::GetAtt returns, by attribute name
};

struct ResourceRequest {
  std::string stack_name;
  std::string logical_id;
  std::string type;  // as the template names it (Custom::<Name> for a custom resource)
  Json properties = Json::object();  // resolved: no intrinsics left
  PseudoParameters pseudo;
  // The name to give the resource when its properties name none, chosen and recorded
  // by the engine before Create runs, so a create interrupted by a crash can be found
  // and undone.
  std::string physical_name;
};

enum class UpdateKind {
  kNone,         // nothing to do
  kInPlace,      // Update() changes the resource, same physical id
  kReplacement,  // a new resource is created, the old one deleted at cleanup
};

class ResourceProvider {
 public:
  virtual ~ResourceProvider() = default;
  virtual std::string_view Type() const = 0;
  // Creates the resource. A failure's message is the resource's CREATE_FAILED reason,
  // worded as the service would (e.g. "Resource handler returned message: ...").
  virtual StackResult<ProvisionedResource> Create(const ResourceRequest& request) = 0;
  // How a change of properties is applied (AWS's replacement rules per property).
  virtual UpdateKind Classify(const Json& old_properties, const Json& new_properties) const = 0;
  // Applies an in-place update.
  virtual StackResult<ProvisionedResource> Update(const ResourceRequest& request,
                                                  const ProvisionedResource& current,
                                                  const Json& old_properties) = 0;
  // Deletes the resource; a resource already gone is success, as CloudFormation treats it.
  virtual StackStatus Delete(const ResourceRequest& request, const ProvisionedResource& current) = 0;
};

// The providers by type. Owned by the caller of StackManager::Open.
class ResourceProviders {
 public:
  void Add(std::unique_ptr<ResourceProvider> provider);
  // The provider of `type`; Custom::<Name> is AWS::CloudFormation::CustomResource's.
  ResourceProvider* Find(std::string_view type) const;

 private:
  std::map<std::string, std::unique_ptr<ResourceProvider>, std::less<>> providers_;
};

// A physical name as CloudFormation generates one for a resource without an explicit
// name: "<stack>-<logical>-<13 random upper-case letters and digits>", cut to
// `max_length` by shortening the stack and logical parts; `lower` for S3 buckets.
std::string GeneratePhysicalName(std::string_view stack_name, std::string_view logical_id, size_t max_length,
                                 bool lower);

// Compares two resolved property sets for the named top-level properties only.
bool SameProperties(const Json& a, const Json& b, std::initializer_list<std::string_view> names);

}  // namespace sluice::stacks
