#include "objects/local_store.h"

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
  std::unique_ptr<RandomAccessFile> file;
  std::string path;
  FileInfo st;
  std::optional<StoredMeta> meta;  // nullopt: missing or not describing this file
};

namespace {

// A Put racing a Delete that removes an empty folder retries this often.
constexpr int kPublishAttempts = 8;

std::string Parent(const std::string& path) { return path.substr(0, path.rfind('/')); }

}  // namespace

ObjResult<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(LocalStoreOptions options) {
  auto store = std::make_unique<LocalObjectStore>(std::move(options));
  FileSystem& fs = store->fs_;
  for (const std::string* d : {&store->objects_, &store->meta_, &store->uploads_, &store->tmp_}) {
    if (auto made = EnsureDir(fs, *d); !made.ok()) return made.error();
  }
  // Temporaries are writes that never completed: no reader can know them.
  auto cleared = RemoveTree(fs, store->tmp_);
  if (!cleared.ok()) return cleared.error();
  if (auto made = EnsureDir(fs, store->tmp_); !made.ok()) return made.error();
  // So are parts that were being written into a pending upload (".part-*").
  if (auto buckets = ListDir(fs, store->uploads_); buckets.ok()) {
    for (const std::string& b : *buckets) {
      auto ids = ListDir(fs, store->uploads_ + "/" + b);
      if (!ids.ok()) continue;
      for (const std::string& id : *ids) {
        const std::string dir = store->uploads_ + "/" + b + "/" + id;
        auto names = ListDir(fs, dir);
        if (!names.ok()) continue;
        for (const std::string& n : *names) {
          if (n.starts_with(".part-")) (void)fs.Remove(dir + "/" + n);
        }
      }
    }
  }
  return store;
}

LocalObjectStore::LocalObjectStore(LocalStoreOptions options)
    : opts_(std::move(options)),
      fs_(opts_.file_system != nullptr ? *opts_.file_system : FileSystem::Posix()),
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
  return SyncDir(fs_, dir);
}

ObjStatus LocalObjectStore::CheckBucket(std::string_view bucket) const {
  if (bucket.empty() || bucket.find('/') != std::string_view::npos || bucket[0] == '.' ||
      !IsDir(fs_, BucketDir(bucket))) {
    return Err(S3Error::kNoSuchBucket, "The specified bucket does not exist");
  }
  return Done{};
}

// ---- buckets ----

ObjStatus LocalObjectStore::CreateBucket(std::string_view bucket) {
  auto valid = ValidateBucketName(bucket);
  if (!valid.ok()) return valid;
  const std::string dir = BucketDir(bucket), mdir = BucketMetaDir(bucket);
  if (IsDir(fs_, dir)) {
    return Err(S3Error::kBucketAlreadyOwnedByYou,
               "Your previous request to create the named bucket succeeded and you already own it.");
  }
  // Metadata first: the data directory's appearance is what makes the bucket exist.
  if (auto made = EnsureDir(fs_, mdir); !made.ok()) return made;
  if (auto made = EnsureDir(fs_, mdir + "/keys"); !made.ok()) return made;
  const std::string tmp = NewTempPath();
  auto w = WriteNewFile(fs_, tmp, "{\"created_ms\":" + std::to_string(NowMs()) + "}\n");
  if (!w.ok()) return w;
  if (Status s = fs_.Rename(tmp, mdir + "/bucket.json"); !s.ok()) {
    (void)fs_.Remove(tmp);
    return FsError(s);
  }
  if (auto s = Sync(mdir); !s.ok()) return s;
  if (Status s = fs_.CreateDir(dir); !s.ok()) {
    if (s.code() == StatusCode::kAlreadyExists) {
      return Err(S3Error::kBucketAlreadyOwnedByYou,
                 "Your previous request to create the named bucket succeeded and you already own it.");
    }
    return FsError(s);
  }
  if (auto s = Sync(meta_); !s.ok()) return s;
  return Sync(objects_);
}

ObjStatus LocalObjectStore::DeleteBucket(std::string_view bucket) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c;
  const std::string dir = BucketDir(bucket);
  if (Status s = fs_.RemoveDir(dir); !s.ok()) {
    if (s.sys_errno() == ENOTEMPTY || s.sys_errno() == EEXIST) {
      return Err(S3Error::kBucketNotEmpty, "The bucket you tried to delete is not empty");
    }
    if (s.code() == StatusCode::kNotFound) return Err(S3Error::kNoSuchBucket, "The specified bucket does not exist");
    return FsError(s);
  }
  if (auto s = Sync(objects_); !s.ok()) return s;
  if (auto r = RemoveTree(fs_, uploads_ + "/" + std::string(bucket)); !r.ok()) return r;
  return RemoveTree(fs_, BucketMetaDir(bucket));
}

ObjStatus LocalObjectStore::HeadBucket(std::string_view bucket) { return CheckBucket(bucket); }

ObjResult<std::vector<BucketInfo>> LocalObjectStore::ListBuckets() {
  auto names = ListDir(fs_, objects_);
  if (!names.ok()) return names.error();
  std::vector<BucketInfo> out;
  for (const std::string& name : *names) {
    if (name.starts_with(".")) continue;
    auto st = fs_.Stat(BucketDir(name));
    if (!st.ok() || !st->is_dir) continue;
    BucketInfo b{name, st->mtime_ms};
    if (auto text = ReadFileText(fs_, BucketMetaDir(name) + "/bucket.json"); text.ok()) {
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
  auto st = fs_.Stat(path);
  if (!st.ok()) return st.status().code() == StatusCode::kNotFound ? ObjStatus(Done{}) : FsError(st.status());
  if (st->is_dir) return Done{};
  // Build the directory aside with a second link to the object, then swap it in with
  // one atomic exchange: readers see the file or the folder holding it, never neither.
  const std::string parent = Parent(path);
  const std::string aside = parent + "/.sluice-move-" + RandomHex(8);
  if (Status s = fs_.CreateDir(aside); !s.ok()) return FsError(s);
  const std::string self = aside + "/" + std::string(kSelfName);
  if (Status s = fs_.Link(path, self); !s.ok()) {
    (void)fs_.RemoveDir(aside);
    return FsError(s);
  }
  if (Status s = fs_.Exchange(aside, path); !s.ok()) {
    (void)fs_.Remove(self);
    (void)fs_.RemoveDir(aside);
    return FsError(s);
  }
  (void)fs_.Remove(aside);  // now the old name of the same inode
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
    dir += "/" + SegmentFileName(key.substr(start, slash - start));
    if (Status made = fs_.CreateDir(dir); made.ok()) {
      if (auto s = Sync(parent); !s.ok()) return s;
    } else if (made.code() == StatusCode::kAlreadyExists) {
      if (!IsDir(fs_, dir)) {
        auto moved = MoveObjectIntoFolder(bucket, key.substr(0, slash), dir);
        if (!moved.ok()) return moved;
      }
    } else {
      return FsError(made);
    }
    start = slash + 1;
  }
}

ObjResult<std::string> LocalObjectStore::WriteMetaTemp(std::string_view bucket, std::string_view key,
                                                       const StoredMeta& meta) {
  const std::string meta_dir = Parent(MetaPath(bucket, key));
  if (auto made = EnsureDir(fs_, meta_dir); !made.ok()) return made.error();
  std::string meta_temp = NewTempPath();
  if (auto w = WriteNewFile(fs_, meta_temp, EncodeStoredMeta(meta)); !w.ok()) return w.error();
  return meta_temp;
}

ObjResult<ObjectInfo> LocalObjectStore::Commit(std::string_view bucket, std::string_view key,
                                               const std::string& temp, StoredMeta meta) {
  auto st = fs_.Stat(temp);
  if (!st.ok()) {
    (void)fs_.Remove(temp);
    return FsError(st.status());
  }
  meta.key = std::string(key);
  meta.inode = st->inode;
  meta.size = st->size;
  auto meta_temp = WriteMetaTemp(bucket, key, meta);
  if (!meta_temp.ok()) {
    (void)fs_.Remove(temp);
    return meta_temp.error();
  }
  return Publish(bucket, key, temp, *meta_temp, std::move(meta), st->mtime_ms);
}

ObjResult<ObjectInfo> LocalObjectStore::Publish(std::string_view bucket, std::string_view key,
                                                const std::string& temp, const std::string& meta_temp,
                                                StoredMeta meta, int64_t mtime_ms) {
  const std::string meta_path = MetaPath(bucket, key);
  const std::string meta_dir = Parent(meta_path);
  const std::string rel = KeyToRelativePath(key);
  std::string target;
  for (int attempt = 0;; ++attempt) {
    const auto drop_temps = [&] {
      (void)fs_.Remove(temp);
      (void)fs_.Remove(meta_temp);
    };
    if (auto f = RecordLongNames(bucket, key); !f.ok()) {
      drop_temps();
      return f.error();
    }
    if (auto f = EnsureFolders(bucket, key); !f.ok()) {
      drop_temps();
      return f.error();
    }
    MutexLock lock(KeyLock(bucket, key));
    target = BucketDir(bucket) + "/" + rel;
    if (IsDir(fs_, target)) target += "/" + std::string(kSelfName);
    const Status renamed = fs_.Rename(temp, target);
    if (renamed.ok()) {
      if (Status s = fs_.Rename(meta_temp, meta_path); !s.ok()) {
        // The data is in place; a reader takes what the data itself tells (meta_file.h).
        (void)fs_.Remove(meta_temp);
        return FsError(s);
      }
      break;
    }
    const int err = renamed.sys_errno();
    if (CheckBucket(bucket).ok() == false) {
      drop_temps();
      return Err(S3Error::kNoSuchBucket, "The specified bucket does not exist");
    }
    // ENOENT: a Delete removed an emptied folder; EISDIR: another Put made the key a folder.
    if ((err != ENOENT && err != EISDIR) || attempt + 1 >= kPublishAttempts) {
      drop_temps();
      return FsError(renamed);
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
  return Writer::Create(fs_, NewTempPath(), [this, b = std::string(bucket), k = std::string(key), meta](
                                                std::unique_ptr<WritableFile> file, const std::string& temp,
                                                uint64_t size, const std::string& etag,
                                                const ObjectChecksum& checksum) {
    return PublishObject(b, k, meta, std::move(file), temp, size, etag, checksum);
  });
}

ObjResult<ObjectInfo> LocalObjectStore::Put(std::string_view bucket, std::string_view key,
                                            std::string_view data, const ObjectMeta& meta) {
  ASSIGN_OR_RETURN(auto writer, NewObjectWriter(bucket, key, meta));
  if (auto a = writer->Append(data); !a.ok()) return a.error();
  return writer->Commit(std::nullopt);
}

ObjResult<ObjectInfo> LocalObjectStore::PublishObject(std::string_view bucket, std::string_view key,
                                                      const ObjectMeta& meta,
                                                      std::unique_ptr<WritableFile> file,
                                                      const std::string& temp, uint64_t size,
                                                      const std::string& etag,
                                                      const ObjectChecksum& checksum) {
  const auto fail = [&](ObjectError e) {
    file.reset();
    (void)fs_.Remove(temp);
    return e;
  };
  StoredMeta sm{std::string(key), etag, size, 0, meta, checksum};
  auto st = file->Stat();
  if (!st.ok()) return fail(FsError(st.status()));
  sm.inode = st->inode;
  // The data's fdatasync and the metadata file's write and fdatasync are independent:
  // run them side by side so the two journal commits overlap instead of queueing.
  // Both complete before either rename (Publish), so the crash argument is unchanged:
  // a published data file is whole, and its metadata is either whole or absent.
  Status synced;
  std::thread syncer([&] {
    if (opts_.sync) synced = file->Sync();
  });
  auto meta_temp = WriteMetaTemp(bucket, key, sm);
  syncer.join();
  if (!synced.ok() || !meta_temp.ok()) {
    if (meta_temp.ok()) (void)fs_.Remove(*meta_temp);
    return fail(!synced.ok() ? FsError(synced) : meta_temp.error());
  }
  st = file->Stat();
  Status closed = st.ok() ? file->Close() : st.status();
  if (!closed.ok()) {
    (void)fs_.Remove(*meta_temp);
    return fail(FsError(closed));
  }
  file.reset();
  return Publish(bucket, key, temp, *meta_temp, std::move(sm), st->mtime_ms);
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
  if (IsDir(fs_, o.path)) o.path += "/" + std::string(kSelfName);
  auto file = fs_.OpenReadable(o.path);
  if (!file.ok()) {
    if (IsMissing(file.status())) return missing();
    return FsError(file.status());
  }
  o.file = std::move(file).value();
  auto st = o.file->Stat();
  if (!st.ok()) return FsError(st.status());
  o.st = *st;
  if (!o.st.is_regular) return missing();
  if (auto text = ReadFileText(fs_, MetaPath(bucket, key)); text.ok()) {
    o.meta = DecodeStoredMeta(*text);
    if (o.meta && (o.meta->inode != o.st.inode || o.meta->size != o.st.size ||
                   o.meta->key != key)) {
      o.meta.reset();
    }
  }
  return o;
}

ObjectInfo LocalObjectStore::InfoFrom(const Opened& o, std::string_view key) const {
  ObjectInfo info;
  info.key = std::string(key);
  info.size = o.st.size;
  info.last_modified_ms = o.st.mtime_ms;
  if (o.meta) {
    info.etag = o.meta->etag;
    info.meta = o.meta->meta;
    info.checksum = o.meta->checksum;
  } else {
    // Metadata lost to a crash between the two renames: what the data itself tells.
    auto all = ReadRange(*o.file, 0, info.size);
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
    auto slice = o.file->Slice(first, len);
    if (!slice.ok()) return FsError(slice.status());
    out.file = std::move(slice).value();
    return out;
  }
  ASSIGN_OR_RETURN(out.data, ReadRange(*o.file, first, len));
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
    if (IsDir(fs_, path)) path += "/" + std::string(kSelfName);
    if (Status s = fs_.Remove(path); !s.ok()) {
      if (IsMissing(s)) return Done{};
      return FsError(s);
    }
    const std::string mp = MetaPath(bucket, key);
    if (Status s = fs_.Remove(mp); !s.ok() && s.code() != StatusCode::kNotFound) return FsError(s);
  }
  if (auto s = Sync(Parent(path)); !s.ok()) return s;
  // Empty folders are not objects in S3: remove them up to the bucket. A Put racing
  // this finds its folder gone and recreates it (Commit retries).
  const std::string root = BucketDir(bucket);
  std::string dir = Parent(path);
  while (dir.size() > root.size() && fs_.RemoveDir(dir).ok()) dir = Parent(dir);
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
    auto out = fs_.OpenWritable(temp, OpenMode::kCreateNew);
    if (!out.ok()) return FsError(out.status());
    const auto fail = [&](const Status& s) {
      out->reset();
      (void)fs_.Remove(temp);
      return FsError(s);
    };
    if (auto n = (*out)->AppendFrom(*o.file, 0, src.size); !n.ok()) return fail(n.status());
    if (opts_.sync) {
      if (Status s = (*out)->Sync(); !s.ok()) return fail(s);
    }
    if (Status s = (*out)->Close(); !s.ok()) return fail(s);
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
