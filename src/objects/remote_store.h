// RemoteObjectStore: the ObjectStore contract against any S3 endpoint (AWS S3, MinIO,
// Ceph, sluice itself), signed with SigV4 and sent with libcurl.
//
// Retries: 5xx answers, SlowDown/throttling and retryable transport errors are retried
// up to `max_attempts` with exponential backoff and full jitter. Put and the streaming
// NewObjectWriter switch to a multipart upload above `multipart_threshold` (parts of
// `part_size`, sent as they fill), aborting the upload if a part fails for good or the
// writer is dropped uncommitted.
// Threading: thread-safe; each call borrows an HTTP connection from a small pool.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "base/mutex.h"
#include "objects/object_store.h"

namespace sluice::objects {

struct RemoteStoreOptions {
  // Empty: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's endpoint settings
  // (aws/endpoint.h), else https://s3.<region>.amazonaws.com.
  std::string endpoint;
  aws::CredentialOptions credentials;  // flags; the environment and ~/.aws fill the rest
  bool path_style = true;              // virtual-host style needs DNS for every bucket
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t part_size = 16ull << 20;    // >= kMinPartBytes
  int max_attempts = 5;
  int64_t base_backoff_ms = 100;       // first retry waits up to this, doubling each time
  int64_t max_backoff_ms = 5'000;
  int64_t request_timeout_ms = 300'000;  // one 16 MiB part on a slow uplink
};

class RemoteObjectStore final : public ObjectStore {
 public:
  // Resolves credentials and region (flags, then AWS_* variables, then ~/.aws).
  static ObjResult<std::unique_ptr<RemoteObjectStore>> Open(RemoteStoreOptions options,
                                                            const aws::EnvLookup& env = aws::RealEnv());
  RemoteObjectStore(RemoteStoreOptions options, aws::ResolvedConfig config, std::string endpoint);
  ~RemoteObjectStore() override;

  ObjStatus CreateBucket(std::string_view bucket) override;
  ObjStatus DeleteBucket(std::string_view bucket) override;
  ObjStatus HeadBucket(std::string_view bucket) override;
  ObjResult<std::vector<BucketInfo>> ListBuckets() override;
  ObjResult<ObjectInfo> Put(std::string_view bucket, std::string_view key, std::string_view data,
                            const ObjectMeta& meta) override;
  // Streams: gathers up to the multipart threshold, then sends each part as it fills.
  ObjResult<std::unique_ptr<UploadWriter>> NewObjectWriter(std::string_view bucket,
                                                           std::string_view key,
                                                           const ObjectMeta& meta) override;
  ObjResult<GetResult> Get(std::string_view bucket, std::string_view key,
                           const std::optional<RangeSpec>& range) override;
  ObjResult<ObjectInfo> Head(std::string_view bucket, std::string_view key) override;
  ObjStatus Delete(std::string_view bucket, std::string_view key) override;
  ObjResult<ObjectInfo> Copy(std::string_view src_bucket, std::string_view src_key,
                             std::string_view dst_bucket, std::string_view dst_key,
                             const std::optional<ObjectMeta>& replace_meta) override;
  ObjResult<ListResult> List(std::string_view bucket, const ListRequest& request) override;
  ObjResult<std::string> CreateMultipartUpload(std::string_view bucket, std::string_view key,
                                               const ObjectMeta& meta,
                                               const ObjectChecksum& checksum = {}) override;
  ObjResult<PartInfo> UploadPart(std::string_view bucket, std::string_view key,
                                 std::string_view upload_id, int part_number,
                                 std::string_view data) override;
  ObjResult<ObjectInfo> CompleteMultipartUpload(std::string_view bucket, std::string_view key,
                                                std::string_view upload_id,
                                                const std::vector<CompletedPart>& parts,
                                                const ObjectChecksum& expect = {}) override;
  ObjStatus AbortMultipartUpload(std::string_view bucket, std::string_view key,
                                 std::string_view upload_id) override;
  ObjResult<std::vector<PartInfo>> ListParts(std::string_view bucket, std::string_view key,
                                             std::string_view upload_id, int part_number_marker,
                                             int max_parts) override;
  ObjResult<std::vector<UploadInfo>> ListMultipartUploads(std::string_view bucket,
                                                          std::string_view prefix) override;

  // The endpoint requests go to (path style), without a trailing '/'.
  const std::string& endpoint() const { return endpoint_; }

  // Attempts made by the last calls (for tests of the retry policy).
  int attempts_total() const;

 private:
  class Writer;
  struct Call;
  // One PUT of the whole body, with its Content-MD5.
  ObjResult<ObjectInfo> PutOnce(std::string_view bucket, std::string_view key, std::string_view data,
                                const ObjectMeta& meta);
  ObjResult<aws::HttpResponse> Send(const Call& call);
  std::unique_ptr<aws::HttpClient> Borrow();
  void Return(std::unique_ptr<aws::HttpClient> client);

  const RemoteStoreOptions opts_;
  const aws::ResolvedConfig config_;
  const std::string endpoint_;
  mutable Mutex mu_;
  std::vector<std::unique_ptr<aws::HttpClient>> idle_ GUARDED_BY(mu_);
  int attempts_total_ GUARDED_BY(mu_) = 0;
};

}  // namespace sluice::objects
