// TemplateURL: CloudFormation reads templates from S3; sluice reads them from its own
// object store. Accepted forms: https://<bucket>.s3[.<region>].amazonaws.com/<key>,
// https://s3[.<region>].amazonaws.com/<bucket>/<key>, and any http(s)://host[:port]/
// <bucket>/<key> (sluice's own endpoint, path style).
#include "base/sigv4_core.h"
#include "internal/actions.h"
#include "objects/object_store.h"

namespace sluice::frontends::cloudformation {

stacks::StackResult<std::optional<std::string>> TemplateOf(const ActionContext& ctx, const awsproto::QueryParams& q) {
  auto body = q.Get("TemplateBody");
  auto url = q.Get("TemplateURL");
  if (body && url) {
    return stacks::ValidationError("Specify exactly one of TemplateBody or TemplateUrl.");
  }
  if (body) {
    if (body->size() > stacks::kMaxTemplateBodyBytes) {
      return stacks::ValidationError("1 validation error detected: Value '" + body->substr(0, 32) +
                                     "...' at 'templateBody' failed to satisfy constraint: Member must have length "
                                     "less than or equal to 51200");
    }
    return std::optional<std::string>(std::move(*body));
  }
  if (!url) return std::optional<std::string>();
  const std::string& u = *url;
  const size_t scheme = u.find("://");
  if (scheme == std::string::npos || (u.rfind("http", 0) != 0) || ctx.objects == nullptr) {
    return stacks::ValidationError("TemplateURL must be a supported URL.");
  }
  const size_t host_end = u.find('/', scheme + 3);
  if (host_end == std::string::npos) return stacks::ValidationError("TemplateURL must be a supported URL.");
  const std::string host = u.substr(scheme + 3, host_end - scheme - 3);
  std::string path = sigv4::UriDecode(u.substr(host_end + 1));
  const size_t query = path.find('?');
  if (query != std::string::npos) path.resize(query);
  std::string bucket, key;
  const size_t s3 = host.find(".s3");
  if (s3 != std::string::npos && s3 > 0 && host.find("amazonaws.com") != std::string::npos) {
    bucket = host.substr(0, s3);
    key = path;
  } else {
    const size_t slash = path.find('/');
    if (slash == std::string::npos) return stacks::ValidationError("TemplateURL must be a supported URL.");
    bucket = path.substr(0, slash);
    key = path.substr(slash + 1);
  }
  auto got = ctx.objects->Get(bucket, key, std::nullopt);
  if (!got.ok()) {
    return stacks::ValidationError("S3 error: " + got.error().message +
                                   "\nFor more information check http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html");
  }
  if (got->data.size() > stacks::kMaxTemplateBytes) {
    return stacks::ValidationError("Template may not exceed 1000000 bytes in size.");
  }
  return std::optional<std::string>(std::move(got->data));
}

}  // namespace sluice::frontends::cloudformation
