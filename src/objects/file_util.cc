#include "objects/file_util.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>

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

ObjStatus DirectAppender::Append(std::string_view data) {
  while (!data.empty()) {
    if (!stage_) {
      stage_.reset(static_cast<char*>(std::aligned_alloc(kDirectIoAlignment, kChunk)));
      if (!stage_) throw std::bad_alloc();
    }
    const size_t n = std::min(kChunk - staged_, data.size());
    std::memcpy(stage_.get() + staged_, data.data(), n);
    staged_ += n;
    appended_ += n;
    data.remove_prefix(n);
    if (staged_ == kChunk) {
      if (Status st = WriteAll(f_, {stage_.get(), kChunk}, /*direct=*/true); !st.ok()) return FsError(st);
      staged_ = 0;
    }
  }
  return Done{};
}

ObjStatus DirectAppender::Finish() {
  if (staged_ > 0) {
    if (Status st = WriteAll(f_, {stage_.get(), staged_}); !st.ok()) return FsError(st);
    staged_ = 0;
  }
  stage_.reset();
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
  if (Status st = WriteAll(**f, data); !st.ok()) return fail(FsError(st));
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
