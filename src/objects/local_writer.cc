#include "objects/local_writer.h"

#include <thread>

namespace sluice::objects {
namespace {

// From this size an Append writes on a helper thread while it hashes: MD5 and the
// copy into the page cache each take about as long as the other for large pieces.
constexpr size_t kParallelAppendBytes = 4 << 20;

}  // namespace

ObjResult<std::unique_ptr<UploadWriter>> LocalObjectStore::Writer::Create(FileSystem& fs, std::string temp,
                                                                          Publisher publish,
                                                                          ObjectChecksum required_checksum) {
  auto file = fs.OpenWritable(temp, OpenMode::kCreateNew);
  if (!file.ok()) return FsError(file.status());
  auto writer = std::unique_ptr<Writer>(new Writer(fs, std::move(file).value(), std::move(temp), std::move(publish)));
  writer->required_checksum_ = std::move(required_checksum);
  return std::unique_ptr<UploadWriter>(std::move(writer));
}

LocalObjectStore::Writer::Writer(FileSystem& fs, std::unique_ptr<WritableFile> file, std::string temp,
                                 Publisher publish)
    : fs_(fs), file_(std::move(file)), temp_(std::move(temp)), publish_(std::move(publish)), appender_(*file_) {}

LocalObjectStore::Writer::~Writer() {
  if (!handed_over_) {
    file_.reset();
    (void)fs_.Remove(temp_);
  }
}

ObjStatus LocalObjectStore::Writer::Append(std::string_view data) {
  if (failed_) return Err(S3Error::kInternalError, "an earlier write to " + temp_ + " failed");
  ObjStatus written = Done{};
  if (data.size() >= kParallelAppendBytes) {
    std::thread writer([&] { written = appender_.Append(data); });
    md5_.Update(data);
    writer.join();
  } else {
    written = appender_.Append(data);
    md5_.Update(data);
  }
  if (!written.ok()) failed_ = true;
  return written;
}

ObjResult<ObjectInfo> LocalObjectStore::Writer::Commit(const std::optional<Md5Digest>& expect_md5) {
  if (failed_ || handed_over_) return Err(S3Error::kInternalError, "upload to " + temp_ + " cannot be committed");
  const Md5Digest md5 = md5_.Finish();
  if (expect_md5 && md5 != *expect_md5) return BadDigest();
  handed_over_ = true;
  return publish_(std::move(file_), temp_, appender_.written(), HexEncode(md5), checksum_);
}

}  // namespace sluice::objects
