#include "cli/lake_store.h"

#include "objects/remote_store.h"

namespace sluice::cli {

Result<LakeStore> LakeStore::Open(const std::string& endpoint, objects::ObjectStore& local,
                                  const aws::EnvLookup& env) {
  LakeStore lake;
  lake.store_ = &local;
  if (endpoint.empty()) return lake;
  objects::RemoteStoreOptions options;
  options.endpoint = endpoint;
  auto remote = objects::RemoteObjectStore::Open(options, env);
  if (!remote.ok()) return Status::InvalidArgument("--lake-endpoint " + endpoint + ": " + remote.error().message);
  lake.remote_ = std::move(remote).value();
  lake.store_ = lake.remote_.get();
  return lake;
}

}  // namespace sluice::cli
