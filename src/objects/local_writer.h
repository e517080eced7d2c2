// Internal to the local store: an object or part being written to a temporary file,
// hashed as it goes. Commit hands the file to a publisher (the object's or the part's
// rename into place); until then the temporary is the writer's and is removed with it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/hash.h"
#include "objects/file_util.h"
#include "objects/local_store.h"

namespace sluice::objects {

class LocalObjectStore::Writer final : public UploadWriter {
 public:
  // Syncs and publishes the temporary `temp` (open as `file`) holding `size` bytes whose
  // MD5 is `etag`; removes the temporary when it fails.
  using Publisher = std::function<ObjResult<ObjectInfo>(std::unique_ptr<WritableFile> file, const std::string& temp,
                                                        uint64_t size, const std::string& etag,
                                                        const ObjectChecksum& checksum)>;

  // Creates `temp` (which must not exist) for writing through `fs`, which must outlive
  // the writer. `required_checksum`: UploadWriter::RequiredChecksum.
  static ObjResult<std::unique_ptr<UploadWriter>> Create(FileSystem& fs, std::string temp, Publisher publish,
                                                         ObjectChecksum required_checksum = {});
  ~Writer() override;

  ObjStatus Append(std::string_view data) override;
  uint64_t size() const override { return appender_.written(); }
  void SetChecksum(ObjectChecksum checksum) override { checksum_ = std::move(checksum); }
  ObjectChecksum RequiredChecksum() const override { return required_checksum_; }
  ObjResult<ObjectInfo> Commit(const std::optional<Md5Digest>& expect_md5) override;

 private:
  Writer(FileSystem& fs, std::unique_ptr<WritableFile> file, std::string temp, Publisher publish);

  FileSystem& fs_;
  std::unique_ptr<WritableFile> file_;
  const std::string temp_;
  Publisher publish_;
  WritebackAppender appender_;
  Md5Stream md5_;
  ObjectChecksum checksum_;
  ObjectChecksum required_checksum_;
  bool handed_over_ = false;  // Commit gave the temporary to the publisher
  bool failed_ = false;       // an Append failed: the bytes are incomplete
};

}  // namespace sluice::objects
