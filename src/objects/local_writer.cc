#include "objects/local_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <thread>

namespace sluice::objects {
namespace {

// From this size an Append writes on a helper thread while it hashes: MD5 and the
// copy into the page cache each take about as long as the other for large pieces.
constexpr size_t kParallelAppendBytes = 4 << 20;

}  // namespace

ObjResult<std::unique_ptr<UploadWriter>> LocalObjectStore::Writer::Create(std::string temp,
                                                                          Publisher publish) {
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) return IoError("open", temp, errno);
  return std::unique_ptr<UploadWriter>(new Writer(std::move(fd), std::move(temp), std::move(publish)));
}

LocalObjectStore::Writer::Writer(UniqueFd fd, std::string temp, Publisher publish)
    : fd_(std::move(fd)), temp_(std::move(temp)), publish_(std::move(publish)), appender_(fd_.get(), temp_) {}

LocalObjectStore::Writer::~Writer() {
  if (!handed_over_) {
    fd_ = UniqueFd();
    ::unlink(temp_.c_str());
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
  return publish_(std::move(fd_), temp_, appender_.written(), HexEncode(md5), checksum_);
}

}  // namespace sluice::objects
