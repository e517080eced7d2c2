#include "objects/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>

#include "base/hash.h"
#include "base/random.h"
#include "objects/file_util.h"
#include "objects/key_path.h"
#include "objects/local_writer.h"

namespace sluice::objects {

struct LocalObjectStore::Opened {
  UniqueFd fd;
  std::string path;
  struct stat st {};
  std::optional<StoredMeta> meta;  // nullopt: missing or not describing this file
};

namespace {

// A Put racing a Delete that removes an empty folder retries this often.
constexpr int kPublishAttempts = 8;

bool IsDir(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string Parent(const std::string& path) { return path.substr(0, path.rfind('/')); }

}  // namespace

ObjResult<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(LocalStoreOptions options) {
  auto store = std::make_unique<LocalObjectStore>(std::move(options));
  for (const std::string* d : {&store->objects_, &store->meta_, &store->uploads_, &store->tmp_}) {
    if (::mkdir(d->c_str(), 0755) != 0 && errno != EEXIST) return IoError("mkdir", *d, errno);
  }
  // Temporaries are writes that never completed: no reader can know them.
  auto cleared = RemoveTree(store->tmp_);
  if (!cleared.ok()) return cleared.error();
  if (::mkdir(store->tmp_.c_str(), 0755) != 0 && errno != EEXIST) {
    return IoError("mkdir", store->tmp_, errno);
  }
  // So are parts that were being written into a pending upload (".part-*").
  if (auto buckets = ListDir(store->uploads_); buckets.ok()) {
    for (const std::string& b : *buckets) {
      auto ids = ListDir(store->uploads_ + "/" + b);
      if (!ids.ok()) continue;
      for (const std::string& id : *ids) {
        const std::string dir = store->uploads_ + "/" + b + "/" + id;
        auto names = ListDir(dir);
        if (!names.ok()) continue;
        for (const std::string& n : *names) {
          if (n.starts_with(".part-")) ::unlink((dir + "/" + n).c_str());
        }
      }
    }
  }
  return store;
}

LocalObjectStore::LocalObjectStore(LocalStoreOptions options)
    : opts_(std::move(options)),
      objects_(opts_.dir + "/objects"),
      meta_(opts_.dir + "/objects-meta"),
      uploads_(opts_.dir + "/objects-uploads"),
      tmp_(opts_.dir + "/objects-tmp") {}

std::string LocalObjectStore::BucketDir(std::string_view bucket) const {
  return objects_ + "/" + std::string(bucket);
}
std::string LocalObjectStore::BucketMetaDir(std::string_view bucket) const {
  return meta_ + "/" + std::string(bucket);
}
std::string LocalObjectStore::MetaPath(std::string_view bucket, std::string_view key) const {
  const std::string h = Sha256Hex(key);
  return BucketMetaDir(bucket) + "/keys/" + h.substr(0, 2) + "/" + h + ".json";
}
std::string LocalObjectStore::UploadDir(std::string_view bucket, std::string_view upload_id) const {
  return uploads_ + "/" + std::string(bucket) + "/" + std::string(upload_id);
}
std::string LocalObjectStore::NewTempPath() { return tmp_ + "/" + RandomHex(12); }

Mutex& LocalObjectStore::KeyLock(std::string_view bucket, std::string_view key) {
  const size_t h = std::hash<std::string_view>{}(key) ^ (std::hash<std::string_view>{}(bucket) << 1);
  return key_locks_[h % key_locks_.size()];
}

ObjStatus LocalObjectStore::Sync(const std::string& dir) const {
  if (!opts_.sync) return Done{};
  return SyncDir(dir);
}

ObjStatus LocalObjectStore::CheckBucket(std::string_view bucket) const {
  if (bucket.empty() || bucket.find('/') != std::string_view::npos || bucket[0] == '.' ||
      !IsDir(BucketDir(bucket))) {
    return Err(S3Error::kNoSuchBucket, "The specified bucket does not exist");
  }
  return Done{};
}

// ---- buckets ----

ObjStatus LocalObjectStore::CreateBucket(std::string_view bucket) {
  auto valid = ValidateBucketName(bucket);
  if (!valid.ok()) return valid;
  const std::string dir = BucketDir(bucket), mdir = BucketMetaDir(bucket);
  if (IsDir(dir)) {
    return Err(S3Error::kBucketAlreadyOwnedByYou,
               "Your previous request to create the named bucket succeeded and you already own it.");
  }
  // Metadata first: the data directory's appearance is what makes the bucket exist.
  if (::mkdir(mdir.c_str(), 0755) != 0 && errno != EEXIST) return IoError("mkdir", mdir, errno);
  if (::mkdir((mdir + "/keys").c_str(), 0755) != 0 && errno != EEXIST) {
    return IoError("mkdir", mdir + "/keys", errno);
  }
  const std::string tmp = NewTempPath();
  auto w = WriteNewFile(tmp, "{\"created_ms\":" + std::to_string(NowMs()) + "}\n");
  if (!w.ok()) return w;
  if (::rename(tmp.c_str(), (mdir + "/bucket.json").c_str()) != 0) {
    return IoError("rename", mdir + "/bucket.json", errno);
  }
  if (auto s = Sync(mdir); !s.ok()) return s;
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST) {
      return Err(S3Error::kBucketAlreadyOwnedByYou,
                 "Your previous request to create the named bucket succeeded and you already own it.");
    }
    return IoError("mkdir", dir, errno);
  }
  if (auto s = Sync(meta_); !s.ok()) return s;
  return Sync(objects_);
}

ObjStatus LocalObjectStore::DeleteBucket(std::string_view bucket) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c;
  const std::string dir = BucketDir(bucket);
  if (::rmdir(dir.c_str()) != 0) {
    if (errno == ENOTEMPTY || errno == EEXIST) {
      return Err(S3Error::kBucketNotEmpty, "The bucket you tried to delete is not empty");
    }
    if (errno == ENOENT) return Err(S3Error::kNoSuchBucket, "The specified bucket does not exist");
    return IoError("rmdir", dir, errno);
  }
  if (auto s = Sync(objects_); !s.ok()) return s;
  if (auto r = RemoveTree(uploads_ + "/" + std::string(bucket)); !r.ok()) return r;
  return RemoveTree(BucketMetaDir(bucket));
}

ObjStatus LocalObjectStore::HeadBucket(std::string_view bucket) { return CheckBucket(bucket); }

ObjResult<std::vector<BucketInfo>> LocalObjectStore::ListBuckets() {
  auto names = ListDir(objects_);
  if (!names.ok()) return names.error();
  std::vector<BucketInfo> out;
  for (const std::string& name : *names) {
    if (name.starts_with(".") || !IsDir(BucketDir(name))) continue;
    BucketInfo b{name, 0};
    struct stat st {};
    if (::stat(BucketDir(name).c_str(), &st) == 0) b.created_ms = MtimeMs(st);
    if (auto text = ReadWholeFile(BucketMetaDir(name) + "/bucket.json"); text.ok()) {
      const size_t colon = text->find(':');
      if (colon != std::string::npos) b.created_ms = std::strtoll(text->c_str() + colon + 1, nullptr, 10);
    }
    out.push_back(std::move(b));
  }
  std::sort(out.begin(), out.end(), [](const BucketInfo& a, const BucketInfo& b) { return a.name < b.name; });
  return out;
}

// ---- objects ----

ObjStatus LocalObjectStore::MoveObjectIntoFolder(std::string_view bucket, std::string_view folder_key,
                                                 const std::string& path) {
  MutexLock lock(KeyLock(bucket, folder_key));
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return errno == ENOENT ? ObjStatus(Done{}) : IoError("lstat", path, errno);
  if (S_ISDIR(st.st_mode)) return Done{};
  // Build the directory aside with a second link to the object, then swap it in with
  // one atomic exchange: readers see the file or the folder holding it, never neither.
  const std::string parent = Parent(path);
  const std::string aside = parent + "/.sluice-move-" + RandomHex(8);
  if (::mkdir(aside.c_str(), 0755) != 0) return IoError("mkdir", aside, errno);
  const std::string self = aside + "/" + std::string(kSelfName);
  if (::link(path.c_str(), self.c_str()) != 0) {
    const int err = errno;
    ::rmdir(aside.c_str());
    return IoError("link", self, err);
  }
  if (::renameat2(AT_FDCWD, aside.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0) {
    const int err = errno;
    ::unlink(self.c_str());
    ::rmdir(aside.c_str());
    return IoError("renameat2", path, err);
  }
  ::unlink(aside.c_str());  // now the old name of the same inode
  if (auto s = Sync(path); !s.ok()) return s;
  return Sync(parent);
}

ObjStatus LocalObjectStore::EnsureFolders(std::string_view bucket, std::string_view key) {
  std::string dir = BucketDir(bucket);
  size_t start = 0;
  while (true) {
    const size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) return Done{};
    const std::string parent = dir;
    dir += "/" + EncodeSegment(key.substr(start, slash - start));
    if (::mkdir(dir.c_str(), 0755) == 0) {
      if (auto s = Sync(parent); !s.ok()) return s;
    } else if (errno == EEXIST) {
      if (!IsDir(dir)) {
        auto moved = MoveObjectIntoFolder(bucket, key.substr(0, slash), dir);
        if (!moved.ok()) return moved;
      }
    } else {
      return IoError("mkdir", dir, errno);
    }
    start = slash + 1;
  }
}

ObjResult<std::string> LocalObjectStore::WriteMetaTemp(std::string_view bucket, std::string_view key,
                                                       const StoredMeta& meta) {
  const std::string meta_dir = Parent(MetaPath(bucket, key));
  if (::mkdir(meta_dir.c_str(), 0755) != 0 && errno != EEXIST) return IoError("mkdir", meta_dir, errno);
  std::string meta_temp = NewTempPath();
  if (auto w = WriteNewFile(meta_temp, EncodeStoredMeta(meta)); !w.ok()) return w.error();
  return meta_temp;
}

ObjResult<ObjectInfo> LocalObjectStore::Commit(std::string_view bucket, std::string_view key,
                                               const std::string& temp, StoredMeta meta) {
  struct stat st {};
  if (::stat(temp.c_str(), &st) != 0) return IoError("stat", temp, errno);
  meta.key = std::string(key);
  meta.inode = st.st_ino;
  meta.size = static_cast<uint64_t>(st.st_size);
  auto meta_temp = WriteMetaTemp(bucket, key, meta);
  if (!meta_temp.ok()) {
    ::unlink(temp.c_str());
    return meta_temp.error();
  }
  return Publish(bucket, key, temp, *meta_temp, std::move(meta), MtimeMs(st));
}

ObjResult<ObjectInfo> LocalObjectStore::Publish(std::string_view bucket, std::string_view key,
                                                const std::string& temp, const std::string& meta_temp,
                                                StoredMeta meta, int64_t mtime_ms) {
  const std::string meta_path = MetaPath(bucket, key);
  const std::string meta_dir = Parent(meta_path);
  const std::string rel = KeyToRelativePath(key);
  std::string target;
  for (int attempt = 0;; ++attempt) {
    if (auto f = EnsureFolders(bucket, key); !f.ok()) {
      ::unlink(temp.c_str());
      ::unlink(meta_temp.c_str());
      return f.error();
    }
    MutexLock lock(KeyLock(bucket, key));
    target = BucketDir(bucket) + "/" + rel;
    if (IsDir(target)) target += "/" + std::string(kSelfName);
    if (::rename(temp.c_str(), target.c_str()) == 0) {
      if (::rename(meta_temp.c_str(), meta_path.c_str()) != 0) return IoError("rename", meta_path, errno);
      break;
    }
    const int err = errno;
    if (CheckBucket(bucket).ok() == false) {
      ::unlink(temp.c_str());
      ::unlink(meta_temp.c_str());
      return Err(S3Error::kNoSuchBucket, "The specified bucket does not exist");
    }
    // ENOENT: a Delete removed an emptied folder; EISDIR: another Put made the key a folder.
    if ((err != ENOENT && err != EISDIR) || attempt + 1 >= kPublishAttempts) {
      ::unlink(temp.c_str());
      ::unlink(meta_temp.c_str());
      return IoError("rename", target, err);
    }
  }
  if (auto s = Sync(Parent(target)); !s.ok()) return s.error();
  if (auto s = Sync(meta_dir); !s.ok()) return s.error();
  ObjectInfo info;
  info.key = std::string(key);
  info.size = meta.size;
  info.etag = meta.etag;
  info.last_modified_ms = mtime_ms;
  info.meta = std::move(meta.meta);
  info.checksum = std::move(meta.checksum);
  return info;
}

ObjResult<std::unique_ptr<UploadWriter>> LocalObjectStore::NewObjectWriter(std::string_view bucket,
                                                                           std::string_view key,
                                                                           const ObjectMeta& meta) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c.error();
  if (auto v = ValidateKey(key); !v.ok()) return v.error();
  return Writer::Create(NewTempPath(), [this, b = std::string(bucket), k = std::string(key), meta](
                                           UniqueFd fd, const std::string& temp, uint64_t size,
                                           const std::string& etag, const ObjectChecksum& checksum) {
    return PublishObject(b, k, meta, std::move(fd), temp, size, etag, checksum);
  });
}

ObjResult<ObjectInfo> LocalObjectStore::Put(std::string_view bucket, std::string_view key,
                                            std::string_view data, const ObjectMeta& meta) {
  ASSIGN_OR_RETURN(auto writer, NewObjectWriter(bucket, key, meta));
  if (auto a = writer->Append(data); !a.ok()) return a.error();
  return writer->Commit(std::nullopt);
}

ObjResult<ObjectInfo> LocalObjectStore::PublishObject(std::string_view bucket, std::string_view key,
                                                      const ObjectMeta& meta, UniqueFd fd,
                                                      const std::string& temp, uint64_t size,
                                                      const std::string& etag,
                                                      const ObjectChecksum& checksum) {
  const auto fail = [&](ObjectError e) {
    ::unlink(temp.c_str());
    return e;
  };
  StoredMeta sm{std::string(key), etag, size, 0, meta, checksum};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(IoError("fstat", temp, errno));
  sm.inode = st.st_ino;
  // The data's fdatasync and the metadata file's write and fdatasync are independent:
  // run them side by side so the two journal commits overlap instead of queueing.
  // Both complete before either rename (Publish), so the crash argument is unchanged:
  // a published data file is whole, and its metadata is either whole or absent.
  int sync_err = 0;
  std::thread syncer([&] {
    if (opts_.sync && ::fdatasync(fd.get()) != 0) sync_err = errno;
  });
  auto meta_temp = WriteMetaTemp(bucket, key, sm);
  syncer.join();
  if (sync_err != 0 || !meta_temp.ok()) {
    if (meta_temp.ok()) ::unlink(meta_temp->c_str());
    return fail(sync_err != 0 ? IoError("fdatasync", temp, sync_err) : meta_temp.error());
  }
  if (::fstat(fd.get(), &st) != 0 || ::close(fd.release()) != 0) {
    const int err = errno;
    ::unlink(meta_temp->c_str());
    return fail(IoError("close", temp, err));
  }
  return Publish(bucket, key, temp, *meta_temp, std::move(sm), MtimeMs(st));
}

ObjResult<LocalObjectStore::Opened> LocalObjectStore::OpenObject(std::string_view bucket,
                                                                 std::string_view key) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c.error();
  if (auto v = ValidateKey(key); !v.ok()) {
    if (v.error().code == S3Error::kKeyTooLongError) return v.error();
    return Err(S3Error::kNoSuchKey, "The specified key does not exist.");
  }
  const auto missing = [] { return Err(S3Error::kNoSuchKey, "The specified key does not exist."); };
  Opened o;
  MutexLock lock(KeyLock(bucket, key));
  o.path = BucketDir(bucket) + "/" + KeyToRelativePath(key);
  if (IsDir(o.path)) o.path += "/" + std::string(kSelfName);
  o.fd = UniqueFd(::open(o.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (o.fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR || errno == ELOOP) return missing();
    return IoError("open", o.path, errno);
  }
  if (::fstat(o.fd.get(), &o.st) != 0) return IoError("fstat", o.path, errno);
  if (!S_ISREG(o.st.st_mode)) return missing();
  if (auto text = ReadWholeFile(MetaPath(bucket, key)); text.ok()) {
    o.meta = DecodeStoredMeta(*text);
    if (o.meta && (o.meta->inode != o.st.st_ino || o.meta->size != static_cast<uint64_t>(o.st.st_size) ||
                   o.meta->key != key)) {
      o.meta.reset();
    }
  }
  return o;
}

ObjectInfo LocalObjectStore::InfoFrom(const Opened& o, std::string_view key) const {
  ObjectInfo info;
  info.key = std::string(key);
  info.size = static_cast<uint64_t>(o.st.st_size);
  info.last_modified_ms = MtimeMs(o.st);
  if (o.meta) {
    info.etag = o.meta->etag;
    info.meta = o.meta->meta;
    info.checksum = o.meta->checksum;
  } else {
    // Metadata lost to a crash between the two renames: what the data itself tells.
    auto all = PreadAll(o.fd.get(), 0, info.size, o.path);
    if (all.ok()) info.etag = HexEncode(Md5(*all));
  }
  return info;
}

ObjResult<GetResult> LocalObjectStore::Get(std::string_view bucket, std::string_view key,
                                           const std::optional<RangeSpec>& range) {
  return GetImpl(bucket, key, range, false);
}

ObjResult<GetResult> LocalObjectStore::GetStreaming(std::string_view bucket, std::string_view key,
                                                    const std::optional<RangeSpec>& range) {
  return GetImpl(bucket, key, range, true);
}

ObjResult<GetResult> LocalObjectStore::GetImpl(std::string_view bucket, std::string_view key,
                                               const std::optional<RangeSpec>& range, bool as_file) {
  ASSIGN_OR_RETURN(Opened o, OpenObject(bucket, key));
  GetResult out;
  out.info = InfoFrom(o, key);
  uint64_t first = 0, len = out.info.size;
  if (range) {
    const auto r = ResolveRange(*range, out.info.size);
    if (!r) return Err(S3Error::kInvalidRange, "The requested range is not satisfiable");
    out.range = r;
    first = r->first;
    len = r->second - r->first + 1;
  }
  if (as_file) {
    // The size was taken from this descriptor's fstat, and objects are never written
    // in place, so the range stays valid for as long as the slice is open.
    out.file = std::make_shared<const FileSlice>(o.fd.release(), first, len);
    return out;
  }
  ASSIGN_OR_RETURN(out.data, PreadAll(o.fd.get(), first, len, o.path));
  if (out.data.size() != len) return Err(S3Error::kInternalError, "object shrank while reading");
  return out;
}

ObjResult<ObjectInfo> LocalObjectStore::Head(std::string_view bucket, std::string_view key) {
  ASSIGN_OR_RETURN(Opened o, OpenObject(bucket, key));
  return InfoFrom(o, key);
}

ObjStatus LocalObjectStore::Delete(std::string_view bucket, std::string_view key) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c;
  if (!ValidateKey(key).ok()) return Done{};
  std::string path = BucketDir(bucket) + "/" + KeyToRelativePath(key);
  {
    MutexLock lock(KeyLock(bucket, key));
    if (IsDir(path)) path += "/" + std::string(kSelfName);
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) return Done{};
      return IoError("unlink", path, errno);
    }
    const std::string mp = MetaPath(bucket, key);
    if (::unlink(mp.c_str()) != 0 && errno != ENOENT) return IoError("unlink", mp, errno);
  }
  if (auto s = Sync(Parent(path)); !s.ok()) return s;
  // Empty folders are not objects in S3: remove them up to the bucket. A Put racing
  // this finds its folder gone and recreates it (Commit retries).
  const std::string root = BucketDir(bucket);
  std::string dir = Parent(path);
  while (dir.size() > root.size() && ::rmdir(dir.c_str()) == 0) dir = Parent(dir);
  return Done{};
}

ObjResult<ObjectInfo> LocalObjectStore::Copy(std::string_view src_bucket, std::string_view src_key,
                                             std::string_view dst_bucket, std::string_view dst_key,
                                             const std::optional<ObjectMeta>& replace_meta) {
  if (auto c = CheckBucket(dst_bucket); !c.ok()) return c.error();
  if (auto v = ValidateKey(dst_key); !v.ok()) return v.error();
  ASSIGN_OR_RETURN(Opened o, OpenObject(src_bucket, src_key));
  const ObjectInfo src = InfoFrom(o, src_key);
  // Copy through a temporary; copy_file_range lets the kernel (or the file system's
  // reflinks) move the bytes.
  const std::string temp = NewTempPath();
  {
    const UniqueFd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (out.get() < 0) return IoError("open", temp, errno);
    off_t in_off = 0;
    uint64_t left = src.size;
    while (left > 0) {
      const ssize_t n = ::copy_file_range(o.fd.get(), &in_off, out.get(), nullptr, left, 0);
      if (n < 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return IoError("copy_file_range", temp, err);
      }
      if (n == 0) break;
      left -= static_cast<uint64_t>(n);
    }
    if (opts_.sync && ::fdatasync(out.get()) != 0) {
      const int err = errno;
      ::unlink(temp.c_str());
      return IoError("fdatasync", temp, err);
    }
  }
  StoredMeta sm;
  sm.etag = src.etag;
  sm.meta = replace_meta ? *replace_meta : src.meta;
  sm.checksum = src.checksum;  // the same bytes
  return Commit(dst_bucket, dst_key, temp, std::move(sm));
}

ObjResult<std::string> LocalObjectStore::DataPath(std::string_view bucket, std::string_view key) {
  ASSIGN_OR_RETURN(Opened o, OpenObject(bucket, key));
  return o.path;
}

}  // namespace sluice::objects
