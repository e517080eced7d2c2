// AWS::S3::Bucket through the object store. Ref: the bucket name. GetAtt: Arn,
// DomainName, RegionalDomainName, DualStackDomainName, WebsiteURL. BucketName replaces;
// every other property is recorded and updates in place.
#include "objects/object_store.h"
#include "providers/common.h"
#include "providers/providers_internal.h"

namespace sluice::stacks::providers {
namespace {

class S3BucketProvider final : public ResourceProvider {
 public:
  S3BucketProvider(objects::ObjectStore& store, std::string region) : store_(store), region_(std::move(region)) {}

  std::string_view Type() const override { return "AWS::S3::Bucket"; }

  StackResult<ProvisionedResource> Create(const ResourceRequest& request) override {
    const std::string name = NameOf(request, "BucketName");
    auto st = store_.CreateBucket(name);
    if (!st.ok()) {
      if (st.error().code == objects::S3Error::kBucketAlreadyOwnedByYou ||
          st.error().code == objects::S3Error::kBucketAlreadyExists) {
        return ValidationError(name + " already exists");
      }
      return HandlerError("S3", st.error().message);
    }
    return Provisioned(name);
  }

  UpdateKind Classify(const Json& before, const Json& after) const override {
    return ClassifyBy(before, after, {"BucketName"});
  }

  StackResult<ProvisionedResource> Update(const ResourceRequest& request, const ProvisionedResource& current,
                                          const Json& old_properties) override {
    (void)request;
    (void)old_properties;
    return Provisioned(current.physical_id);
  }

  StackStatus Delete(const ResourceRequest& request, const ProvisionedResource& current) override {
    const std::string name = current.physical_id.empty() ? NameOf(request, "BucketName") : current.physical_id;
    auto st = store_.DeleteBucket(name);
    if (st.ok() || st.error().code == objects::S3Error::kNoSuchBucket) return Done{};
    if (st.error().code == objects::S3Error::kBucketNotEmpty) {
      return HandlerError("S3, Status Code: 409", "The bucket you tried to delete is not empty");
    }
    return HandlerError("S3", st.error().message);
  }

 private:
  ProvisionedResource Provisioned(const std::string& name) const {
    ProvisionedResource r;
    r.physical_id = name;
    r.attributes = Json{{"Arn", "arn:aws:s3:::" + name},
                        {"DomainName", name + ".s3.amazonaws.com"},
                        {"RegionalDomainName", name + ".s3." + region_ + ".amazonaws.com"},
                        {"DualStackDomainName", name + ".s3.dualstack." + region_ + ".amazonaws.com"},
                        {"WebsiteURL", "http://" + name + ".s3-website-" + region_ + ".amazonaws.com"}};
    return r;
  }

  objects::ObjectStore& store_;
  std::string region_;
};

}  // namespace

std::unique_ptr<ResourceProvider> NewS3BucketProvider(objects::ObjectStore& store, const std::string& region) {
  return std::make_unique<S3BucketProvider>(store, region);
}

}  // namespace sluice::stacks::providers
