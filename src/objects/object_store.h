// ObjectStore: buckets and objects with S3 semantics, the contract that the S3 API,
// delivery and functions write the lake through. Two implementations: LocalObjectStore
// (files under the data dir, in process) and RemoteObjectStore (any S3 endpoint).
//
// Threading: every method may be called concurrently from any thread.
// Durability: a call that returns success has made its effect durable (local: synced
// to disk; remote: acknowledged by the endpoint). A failed or interrupted write leaves
// the previous state visible, never part of an object.
// Errors: ObjectError whose code is the S3 error a client would see.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/hash.h"
#include "base/file_slice.h"
#include "objects/errors.h"

namespace sluice::objects {

// Headers S3 stores with an object and gives back on GET/HEAD.
struct ObjectMeta {
  std::string content_type;  // empty: the reader sees binary/octet-stream
  std::string content_encoding;
  std::string content_disposition;
  std::string cache_control;
  // x-amz-meta-* with the prefix removed, names lower-case, in the order given.
  std::vector<std::pair<std::string, std::string>> user;
  bool operator==(const ObjectMeta&) const = default;
};

// A flexible checksum given with an upload (S3's name, e.g. "CRC32", and the base64
// value), kept with the object and answered on GET/HEAD with x-amz-checksum-mode.
// For a multipart upload (CreateMultipartUpload's x-amz-checksum-algorithm and -type),
// the value is empty and every part carries a checksum of that algorithm.
struct ObjectChecksum {
  std::string algorithm;  // empty: none
  std::string value;
  std::string type;       // "COMPOSITE" (value "<base64>-N"), or "FULL_OBJECT" (also when empty)
  bool operator==(const ObjectChecksum&) const = default;
};

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;          // without quotes: md5 hex, or "<md5 of part md5s>-N"
  int64_t last_modified_ms = 0;
  ObjectMeta meta;
  ObjectChecksum checksum;
};

struct BucketInfo {
  std::string name;
  int64_t created_ms = 0;
};

// A Range header's bytes: first-last (inclusive), first- (to the end), or -suffix.
struct RangeSpec {
  std::optional<uint64_t> first;
  std::optional<uint64_t> last;
};

struct GetResult {
  ObjectInfo info;
  std::string data;
  // Set instead of `data` by GetStreaming when the store can hand out the open file.
  std::shared_ptr<const FileSlice> file;
  // Set when a range was asked for: the inclusive byte positions served.
  std::optional<std::pair<uint64_t, uint64_t>> range;
};

struct ListRequest {
  std::string prefix;
  std::string delimiter;    // empty: no grouping
  std::string start_after;  // only keys (and prefixes) strictly after this
  int max_keys = 1000;      // 0..1000
};

struct ListResult {
  std::vector<ObjectInfo> objects;      // key order (bytewise UTF-8)
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  // The last key or common prefix returned: pass as start_after to continue.
  std::string last;
};

struct PartInfo {
  int number = 0;
  std::string etag;  // md5 hex, no quotes
  uint64_t size = 0;
  int64_t last_modified_ms = 0;
  ObjectChecksum checksum;  // the part's own (no type), when it was uploaded with one
};

struct UploadInfo {
  std::string key;
  std::string upload_id;
  int64_t initiated_ms = 0;
};

struct CompletedPart {
  int number = 0;
  std::string etag;  // quotes allowed, as clients send them
  ObjectChecksum checksum;  // Checksum<ALG> of the Complete request's Part, when given
};

// S3's multipart limits.
inline constexpr int kMaxPartNumber = 10'000;
inline constexpr uint64_t kMinPartBytes = 5ull << 20;  // every part but the last
inline constexpr int kMaxListKeys = 1000;

// One object, or one part of a multipart upload, written piece by piece as its bytes
// arrive, so a large upload never sits in memory whole. Nothing is visible before
// Commit; destroying a writer that was not committed discards what it wrote.
// One thread at a time.
class UploadWriter {
 public:
  virtual ~UploadWriter() = default;
  virtual ObjStatus Append(std::string_view data) = 0;
  // Bytes appended so far.
  virtual uint64_t size() const = 0;
  // A verified checksum of the bytes, to keep with the object (not with a part; a
  // store that cannot keep it ignores it). Before Commit.
  virtual void SetChecksum(ObjectChecksum checksum) { (void)checksum; }
  // The checksum (algorithm, S3's name, and type) a part must carry because its upload
  // was created with it; algorithm empty when none is required. The caller refuses a
  // request that sent another algorithm, or none for a COMPOSITE upload, and computes
  // it for a FULL_OBJECT upload whose request sent none (as S3 does).
  virtual ObjectChecksum RequiredChecksum() const { return {}; }
  // Makes the bytes durable and visible: as the object, or as the part of its upload.
  // With `expect_md5` (a Content-MD5), a mismatch is BadDigest and nothing changes.
  // Returns key, size, ETag (MD5 hex) and modification time. Call at most once.
  virtual ObjResult<ObjectInfo> Commit(const std::optional<Md5Digest>& expect_md5) = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  virtual ObjStatus CreateBucket(std::string_view bucket) = 0;
  // BucketNotEmpty while any object exists; pending multipart uploads are aborted.
  virtual ObjStatus DeleteBucket(std::string_view bucket) = 0;
  virtual ObjStatus HeadBucket(std::string_view bucket) = 0;
  virtual ObjResult<std::vector<BucketInfo>> ListBuckets() = 0;

  // Replaces the object. The ETag is the MD5 of `data`.
  virtual ObjResult<ObjectInfo> Put(std::string_view bucket, std::string_view key,
                                    std::string_view data, const ObjectMeta& meta) = 0;
  // The whole object, or the range (InvalidRange when it starts past the end).
  virtual ObjResult<GetResult> Get(std::string_view bucket, std::string_view key,
                                   const std::optional<RangeSpec>& range = std::nullopt) = 0;
  // Like Get, but may answer with GetResult::file (the object's open file, range
  // applied) instead of `data`, so a caller that streams the bytes never holds the
  // whole object in memory. Default: Get.
  virtual ObjResult<GetResult> GetStreaming(std::string_view bucket, std::string_view key,
                                            const std::optional<RangeSpec>& range = std::nullopt) {
    return Get(bucket, key, range);
  }
  virtual ObjResult<ObjectInfo> Head(std::string_view bucket, std::string_view key) = 0;
  // Succeeds when the key does not exist (as S3 does); NoSuchBucket otherwise.
  virtual ObjStatus Delete(std::string_view bucket, std::string_view key) = 0;
  // Copies data and, unless `replace_meta` is given, the source's metadata.
  virtual ObjResult<ObjectInfo> Copy(std::string_view src_bucket, std::string_view src_key,
                                     std::string_view dst_bucket, std::string_view dst_key,
                                     const std::optional<ObjectMeta>& replace_meta) = 0;
  virtual ObjResult<ListResult> List(std::string_view bucket, const ListRequest& request) = 0;

  // Writers for uploads that arrive in pieces. Errors known before the first byte
  // (NoSuchBucket, a bad key, NoSuchUpload, a bad part number) are returned here.
  // Default: the bytes are gathered in memory and given to Put / UploadPart at Commit.
  virtual ObjResult<std::unique_ptr<UploadWriter>> NewObjectWriter(std::string_view bucket,
                                                                   std::string_view key,
                                                                   const ObjectMeta& meta);
  virtual ObjResult<std::unique_ptr<UploadWriter>> NewPartWriter(std::string_view bucket,
                                                                 std::string_view key,
                                                                 std::string_view upload_id,
                                                                 int part_number);

  // `checksum` (algorithm and type, no value): the parts' checksum algorithm, and how
  // Complete forms the object's checksum from them (MultipartChecksum in checksum.h).
  virtual ObjResult<std::string> CreateMultipartUpload(std::string_view bucket,
                                                       std::string_view key,
                                                       const ObjectMeta& meta,
                                                       const ObjectChecksum& checksum = {}) = 0;
  virtual ObjResult<PartInfo> UploadPart(std::string_view bucket, std::string_view key,
                                         std::string_view upload_id, int part_number,
                                         std::string_view data) = 0;
  // Parts must be ascending (InvalidPartOrder), exist with the given ETags (InvalidPart)
  // and all but the last be at least kMinPartBytes (EntityTooSmall). The object's ETag
  // is "<md5 of the concatenated binary part MD5s>-<number of parts>". For an upload
  // created with a checksum, a part checksum given must match the part's (InvalidPart),
  // a COMPOSITE one needs every part's (InvalidRequest), and the object keeps the
  // checksum MultipartChecksum forms. `expect` (the request's x-amz-checksum-* and
  // -type headers, each optional) must match that checksum and type, else BadDigest
  // and nothing is published.
  virtual ObjResult<ObjectInfo> CompleteMultipartUpload(std::string_view bucket,
                                                        std::string_view key,
                                                        std::string_view upload_id,
                                                        const std::vector<CompletedPart>& parts,
                                                        const ObjectChecksum& expect = {}) = 0;
  virtual ObjStatus AbortMultipartUpload(std::string_view bucket, std::string_view key,
                                         std::string_view upload_id) = 0;
  // Parts in number order, those after `part_number_marker`, at most `max_parts`.
  virtual ObjResult<std::vector<PartInfo>> ListParts(std::string_view bucket, std::string_view key,
                                                     std::string_view upload_id,
                                                     int part_number_marker = 0,
                                                     int max_parts = 1000) = 0;
  // Pending uploads whose keys start with `prefix`, by key then initiation time.
  virtual ObjResult<std::vector<UploadInfo>> ListMultipartUploads(std::string_view bucket,
                                                                  std::string_view prefix) = 0;
};

// S3's answer to a Content-MD5 that does not match the body.
ObjectError BadDigest();

// "<md5 hex of the concatenated binary MD5s>-N" for part ETags given as hex (quotes
// allowed). Empty when an ETag is not 32 hex digits.
std::string MultipartEtag(const std::vector<std::string>& part_md5_hex);

// Resolves a RangeSpec against an object size into inclusive [first, last];
// nullopt when unsatisfiable (S3's InvalidRange).
std::optional<std::pair<uint64_t, uint64_t>> ResolveRange(const RangeSpec& range, uint64_t size);

}  // namespace sluice::objects
