// The lake's object store for `sluice serve`: what Firehose delivers, the built-in
// consumers (and mapping on-failure destinations) write, and SQL scans. By default it is
// the data dir's local store, the one the S3 API serves; `--lake-endpoint URL` puts it in
// a remote S3-compatible store (AWS S3, MinIO, ...) while the S3 API, function packages
// and query results stay local.
#pragma once

#include <memory>
#include <string>

#include "aws/credentials.h"
#include "base/status.h"
#include "objects/object_store.h"

namespace sluice::cli {

class LakeStore {
 public:
  // endpoint empty: the lake is `local`. Otherwise a RemoteObjectStore on that URL, with
  // credentials and region from the environment or ~/.aws (as the AWS SDKs find them);
  // an error names --lake-endpoint. `local` must outlive the LakeStore.
  static Result<LakeStore> Open(const std::string& endpoint, objects::ObjectStore& local,
                                const aws::EnvLookup& env = aws::RealEnv());

  objects::ObjectStore& store() const { return *store_; }
  bool remote() const { return remote_ != nullptr; }

 private:
  std::unique_ptr<objects::ObjectStore> remote_;
  objects::ObjectStore* store_ = nullptr;
};

}  // namespace sluice::cli
