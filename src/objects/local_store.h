// LocalObjectStore: buckets and objects as plain files under a data directory, in
// process (layout and crash behaviour: docs/formats/objects.md).
//
//   <dir>/objects/<bucket>/<KeyToRelativePath(key)>      object data, byte for byte
//   <dir>/objects-meta/<bucket>/bucket.json              creation time
//   <dir>/objects-meta/<bucket>/keys/<h2>/<sha256>.json  per-object metadata (meta_file.h)
//   <dir>/objects-meta/<bucket>/names/<sha256>            a long key segment (key_path.h)
//   <dir>/objects-uploads/<bucket>/<upload id>/          pending multipart uploads
//   <dir>/objects-tmp/                                   writes in progress; emptied on Open
//
// Every write goes to objects-tmp, is fdatasync'd, then renamed into place and the
// directory fsync'd, so a reader sees the old object or the whole new one, and a crash
// leaves no partial object (only an orphan temporary, removed at the next Open).
// Thread-safe: writers and readers of one key serialize on a striped lock only around
// the renames and the open, never around data transfer. Every file operation goes
// through LocalStoreOptions::file_system, so tests can inject faults.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "base/file_system.h"
#include "base/mutex.h"
#include "objects/file_util.h"
#include "objects/meta_file.h"
#include "objects/object_store.h"
#include "objects/upload_claims.h"

namespace sluice::objects {

struct LocalStoreOptions {
  std::string dir;   // the data dir; the objects* folders are created inside it
  bool sync = true;  // false only for tests and benchmarks of the rest of the path
  // Every file operation goes through this (nullptr: FileSystem::Posix()); it must
  // outlive the store. Tests pass a fault-injecting one.
  FileSystem* file_system = nullptr;
};

class LocalObjectStore final : public ObjectStore {
 public:
  static ObjResult<std::unique_ptr<LocalObjectStore>> Open(LocalStoreOptions options);
  explicit LocalObjectStore(LocalStoreOptions options);  // use Open: it creates the folders

  ObjStatus CreateBucket(std::string_view bucket) override;
  ObjStatus DeleteBucket(std::string_view bucket) override;
  ObjStatus HeadBucket(std::string_view bucket) override;
  ObjResult<std::vector<BucketInfo>> ListBuckets() override;
  ObjResult<ObjectInfo> Put(std::string_view bucket, std::string_view key, std::string_view data,
                            const ObjectMeta& meta) override;
  ObjResult<GetResult> Get(std::string_view bucket, std::string_view key,
                           const std::optional<RangeSpec>& range) override;
  ObjResult<GetResult> GetStreaming(std::string_view bucket, std::string_view key,
                                    const std::optional<RangeSpec>& range) override;
  ObjResult<ObjectInfo> Head(std::string_view bucket, std::string_view key) override;
  ObjStatus Delete(std::string_view bucket, std::string_view key) override;
  ObjResult<ObjectInfo> Copy(std::string_view src_bucket, std::string_view src_key,
                             std::string_view dst_bucket, std::string_view dst_key,
                             const std::optional<ObjectMeta>& replace_meta) override;
  ObjResult<ListResult> List(std::string_view bucket, const ListRequest& request) override;
  ObjResult<std::unique_ptr<UploadWriter>> NewObjectWriter(std::string_view bucket,
                                                           std::string_view key,
                                                           const ObjectMeta& meta) override;
  ObjResult<std::unique_ptr<UploadWriter>> NewPartWriter(std::string_view bucket,
                                                         std::string_view key,
                                                         std::string_view upload_id,
                                                         int part_number) override;
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

  // Completes and Aborts in progress (for tests that force their interleaving).
  UploadClaims& claims_for_testing() { return claims_; }

  // The file holding the object's bytes (for tests and tools); NoSuchKey if absent.
  ObjResult<std::string> DataPath(std::string_view bucket, std::string_view key);

 private:
  class Writer;  // local_writer.h

  // An object's data file opened under the key's lock, with its metadata.
  struct Opened;

  std::string BucketDir(std::string_view bucket) const;
  std::string BucketMetaDir(std::string_view bucket) const;
  std::string MetaPath(std::string_view bucket, std::string_view key) const;
  std::string UploadDir(std::string_view bucket, std::string_view upload_id) const;
  std::string NewTempPath();
  Mutex& KeyLock(std::string_view bucket, std::string_view key);
  ObjStatus CheckBucket(std::string_view bucket) const;
  ObjStatus Sync(const std::string& dir) const;

  ObjResult<GetResult> GetImpl(std::string_view bucket, std::string_view key,
                               const std::optional<RangeSpec>& range, bool as_file);
  ObjResult<Opened> OpenObject(std::string_view bucket, std::string_view key);
  ObjectInfo InfoFrom(const Opened& o, std::string_view key) const;
  // Publishes a synced temporary file as the object, with its metadata.
  ObjResult<ObjectInfo> Commit(std::string_view bucket, std::string_view key,
                               const std::string& temp, StoredMeta meta);
  // Syncs a written temporary and publishes it as the object (a Writer's publisher).
  ObjResult<ObjectInfo> PublishObject(std::string_view bucket, std::string_view key,
                                      const ObjectMeta& meta, std::unique_ptr<WritableFile> file,
                                      const std::string& temp,
                                      uint64_t size, const std::string& etag,
                                      const ObjectChecksum& checksum);
  // Syncs a written temporary and publishes it as part `number` of the upload in `dir`.
  ObjResult<ObjectInfo> PublishPart(const std::string& dir, std::string_view key, int number,
                                    std::unique_ptr<WritableFile> file, const std::string& temp, uint64_t size,
                                    const std::string& etag, const ObjectChecksum& checksum);
  // Removes a multipart upload's directory so that no concurrent part lands in it;
  // NoSuchUpload when it is already gone.
  ObjStatus RetireUpload(const std::string& dir);
  // Writes and syncs the metadata file under a temporary name; returns that name.
  ObjResult<std::string> WriteMetaTemp(std::string_view bucket, std::string_view key,
                                       const StoredMeta& meta);
  // Renames the synced data and metadata temporaries into place (data first: see
  // meta_file.h for why a reader between the two renames is safe), then syncs both
  // directories. Removes the temporaries on failure.
  ObjResult<ObjectInfo> Publish(std::string_view bucket, std::string_view key,
                                const std::string& temp, const std::string& meta_temp,
                                StoredMeta meta, int64_t mtime_ms);
  // Records every segment of `key` that has a long name (key_path.h) in the bucket's
  // names table, synced, before any file carries that name.
  ObjStatus RecordLongNames(std::string_view bucket, std::string_view key);
  std::string LongNamePath(std::string_view bucket, std::string_view hash) const;
  // The segment a long file name stands for; nullopt for any other name, or when the
  // table has no entry that maps back to exactly this name.
  std::optional<std::string> LongSegment(std::string_view bucket, std::string_view name);
  // Creates the directories for the key's folders; a folder that is an object's file
  // becomes a directory holding that object as kSelfName.
  ObjStatus EnsureFolders(std::string_view bucket, std::string_view key);
  ObjStatus MoveObjectIntoFolder(std::string_view bucket, std::string_view folder_key,
                                 const std::string& path);
  std::optional<ObjectInfo> StatForListing(std::string_view bucket, const std::string& key,
                                           const std::string& path);

  const LocalStoreOptions opts_;
  FileSystem& fs_;
  const std::string objects_, meta_, uploads_, tmp_;
  std::array<Mutex, 64> key_locks_;
  // Completes and Aborts in progress, by upload directory (upload_claims.h).
  UploadClaims claims_;
};

}  // namespace sluice::objects
