#include "objects/file_util.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace sluice::objects {

ObjectError IoError(std::string_view what, std::string_view path, int err) {
  return ObjectError{S3Error::kInternalError,
                     std::string(what) + " " + std::string(path) + ": " + std::strerror(err), err};
}

ObjectError FsError(const Status& status) {
  return ObjectError{S3Error::kInternalError, std::string(status.message()), status.sys_errno()};
}

bool IsMissing(const Status& status) {
  const int e = status.sys_errno();
  return status.code() == StatusCode::kNotFound || e == ENOENT || e == ENOTDIR || e == EISDIR || e == ELOOP;
}

ObjResult<std::string> ReadRange(const RandomAccessFile& f, uint64_t offset, uint64_t len) {
  std::string out(len, '\0');
  auto n = f.Read(offset, std::span<char>(out.data(), out.size()));
  if (!n.ok()) return FsError(n.status());
  out.resize(*n);
  return out;
}

ObjStatus WritebackAppender::Append(std::string_view data) {
  // Small enough that writeback starts early, large enough that the extra syscall
  // per chunk costs nothing measurable.
  constexpr size_t kWritebackChunk = 4 << 20;
  size_t done = 0;
  while (done < data.size()) {
    const size_t want = std::min(data.size() - done, kWritebackChunk);
    auto n = f_.Write(std::span<const char>(data.data() + done, want));
    if (!n.ok()) return FsError(n.status());
    if (*n == 0) return Err(S3Error::kInternalError, "write made no progress");
    done += *n;
    written_ += *n;
    if (written_ - kicked_ >= kWritebackChunk) {
      f_.StartWriteback(kicked_, written_ - kicked_);  // errors surface at the Sync
      kicked_ = written_;
    }
  }
  return Done{};
}

ObjStatus WriteNewFile(FileSystem& fs, const std::string& path, std::string_view data) {
  auto f = fs.OpenWritable(path, OpenMode::kCreateNew);
  if (!f.ok()) return FsError(f.status());
  const auto fail = [&](const ObjectError& e) {
    (void)(*f)->Close();
    (void)fs.Remove(path);
    return e;
  };
  if (auto w = WritebackAppender(**f).Append(data); !w.ok()) return fail(w.error());
  if (Status s = (*f)->Sync(); !s.ok()) return fail(FsError(s));
  if (Status s = (*f)->Close(); !s.ok()) return fail(FsError(s));
  return Done{};
}

ObjStatus SyncDir(FileSystem& fs, const std::string& dir) {
  if (Status s = fs.SyncDir(dir); !s.ok()) return FsError(s);
  return Done{};
}

ObjResult<std::string> ReadFileText(FileSystem& fs, const std::string& path) {
  auto text = sluice::ReadWholeFile(fs, path);
  if (!text.ok()) return FsError(text.status());
  return std::move(text).value();
}

ObjResult<std::vector<std::string>> ListDir(FileSystem& fs, const std::string& dir) {
  auto names = fs.ListDir(dir);
  if (!names.ok()) return FsError(names.status());
  return std::move(names).value();
}

ObjStatus EnsureDir(FileSystem& fs, const std::string& dir) {
  if (Status s = fs.CreateDir(dir); !s.ok() && s.code() != StatusCode::kAlreadyExists) return FsError(s);
  return Done{};
}

ObjStatus RemoveTree(FileSystem& fs, const std::string& path) {
  auto info = fs.Stat(path);
  if (!info.ok()) {
    if (info.status().code() == StatusCode::kNotFound) return Done{};
    return FsError(info.status());
  }
  if (!info->is_dir) {
    if (Status s = fs.Remove(path); !s.ok() && s.code() != StatusCode::kNotFound) return FsError(s);
    return Done{};
  }
  ASSIGN_OR_RETURN(auto names, ListDir(fs, path));
  for (const std::string& n : names) {
    if (auto r = RemoveTree(fs, path + "/" + n); !r.ok()) return r;
  }
  if (Status s = fs.RemoveDir(path); !s.ok() && s.code() != StatusCode::kNotFound) return FsError(s);
  return Done{};
}

bool IsDir(FileSystem& fs, const std::string& path) {
  auto info = fs.Stat(path);
  return info.ok() && info->is_dir;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sluice::objects
