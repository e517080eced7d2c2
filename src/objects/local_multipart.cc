// LocalObjectStore multipart uploads. An upload is a directory holding upload.json and
// one file per part named "<number, 5 digits>-<md5 hex>", so a part's ETag needs no
// second file. Complete concatenates the parts into a temporary and commits it like a
// Put; the upload directory is removed only after the object is durable.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "base/hash.h"
#include "base/random.h"
#include "objects/file_util.h"
#include "objects/key_path.h"
#include "objects/local_store.h"
#include "objects/local_writer.h"
#include "base/ascii.h"

namespace sluice::objects {
namespace {

ObjectError NoSuchUpload() {
  return Err(S3Error::kNoSuchUpload,
             "The specified upload does not exist. The upload ID may be invalid, or the upload "
             "may have been aborted or completed.");
}

bool ValidUploadId(std::string_view id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

struct StoredPart {
  PartInfo info;
  std::string path;
};

// Parses "00001-<md5>"; a crash between publishing a part and removing its
// predecessor leaves two files for a number, and the newer one wins.
ObjResult<std::map<int, StoredPart>> ReadParts(const std::string& dir) {
  ASSIGN_OR_RETURN(auto names, ListDir(dir));
  std::map<int, StoredPart> parts;
  for (const std::string& name : names) {
    if (name.size() != 5 + 1 + 32 || name[5] != '-') continue;
    const int number = std::atoi(name.substr(0, 5).c_str());
    struct stat st {};
    const std::string path = dir + "/" + name;
    if (number <= 0 || ::stat(path.c_str(), &st) != 0) continue;
    StoredPart p{{number, name.substr(6), static_cast<uint64_t>(st.st_size), MtimeMs(st)}, path};
    auto it = parts.find(number);
    if (it == parts.end() || it->second.info.last_modified_ms <= p.info.last_modified_ms) {
      parts[number] = std::move(p);
    }
  }
  return parts;
}

std::string PartName(int number, std::string_view md5) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%05d", number);
  return std::string(buf) + "-" + std::string(md5);
}

std::string Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return AsciiLower(etag);
}

}  // namespace

ObjResult<std::string> LocalObjectStore::CreateMultipartUpload(std::string_view bucket,
                                                               std::string_view key,
                                                               const ObjectMeta& meta) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c.error();
  if (auto v = ValidateKey(key); !v.ok()) return v.error();
  const std::string bucket_dir = uploads_ + "/" + std::string(bucket);
  if (::mkdir(bucket_dir.c_str(), 0755) != 0 && errno != EEXIST) return IoError("mkdir", bucket_dir, errno);
  const std::string id = RandomHex(16);
  const std::string dir = UploadDir(bucket, id);
  if (::mkdir(dir.c_str(), 0755) != 0) return IoError("mkdir", dir, errno);
  const std::string temp = dir + "/.upload.tmp";
  if (auto w = WriteNewFile(temp, EncodeStoredUpload({std::string(key), NowMs(), meta})); !w.ok()) {
    return w.error();
  }
  if (::rename(temp.c_str(), (dir + "/upload.json").c_str()) != 0) return IoError("rename", dir, errno);
  if (auto s = Sync(dir); !s.ok()) return s.error();
  if (auto s = Sync(bucket_dir); !s.ok()) return s.error();
  return id;
}

namespace {

ObjResult<StoredUpload> LoadUpload(const std::string& dir, std::string_view key) {
  auto text = ReadWholeFile(dir + "/upload.json");
  if (!text.ok()) return NoSuchUpload();
  auto u = DecodeStoredUpload(*text);
  if (!u || u->key != key) return NoSuchUpload();
  return *u;
}

}  // namespace

ObjResult<std::unique_ptr<UploadWriter>> LocalObjectStore::NewPartWriter(std::string_view bucket,
                                                                         std::string_view key,
                                                                         std::string_view upload_id,
                                                                         int part_number) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c.error();
  if (!ValidUploadId(upload_id)) return NoSuchUpload();
  if (part_number < 1 || part_number > kMaxPartNumber) {
    return Err(S3Error::kInvalidArgument, "Part number must be an integer between 1 and 10000, inclusive");
  }
  std::string dir = UploadDir(bucket, upload_id);
  if (auto u = LoadUpload(dir, key); !u.ok()) return u.error();
  std::string temp = dir + "/.part-" + RandomHex(8);
  auto writer = Writer::Create(std::move(temp), [this, dir, k = std::string(key), part_number](
                                             UniqueFd fd, const std::string& temp, uint64_t size,
                                             const std::string& etag, const ObjectChecksum&) {
    return PublishPart(dir, k, part_number, std::move(fd), temp, size, etag);
  });
  if (!writer.ok() && ::access(dir.c_str(), F_OK) != 0) return NoSuchUpload();  // retired meanwhile
  return writer;
}

ObjResult<PartInfo> LocalObjectStore::UploadPart(std::string_view bucket, std::string_view key,
                                                 std::string_view upload_id, int part_number,
                                                 std::string_view data) {
  ASSIGN_OR_RETURN(auto writer, NewPartWriter(bucket, key, upload_id, part_number));
  if (auto a = writer->Append(data); !a.ok()) return a.error();
  ASSIGN_OR_RETURN(ObjectInfo info, writer->Commit(std::nullopt));
  return PartInfo{part_number, info.etag, info.size, info.last_modified_ms};
}

ObjResult<ObjectInfo> LocalObjectStore::PublishPart(const std::string& dir, std::string_view key,
                                                    int number, UniqueFd fd, const std::string& temp,
                                                    uint64_t size, const std::string& etag) {
  if (opts_.sync && ::fdatasync(fd.get()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return IoError("fdatasync", temp, err);
  }
  fd = UniqueFd();
  const std::string name = PartName(number, etag);
  if (::rename(temp.c_str(), (dir + "/" + name).c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    if (err == ENOENT) return NoSuchUpload();  // aborted meanwhile
    return IoError("rename", dir + "/" + name, err);
  }
  if (auto s = Sync(dir); !s.ok()) {
    if (::access(dir.c_str(), F_OK) != 0) return NoSuchUpload();  // retired meanwhile
    return s.error();
  }
  // Drop an earlier upload of the same part number.
  if (auto names = ListDir(dir); names.ok()) {
    const std::string prefix = name.substr(0, 6);
    for (const std::string& n : *names) {
      if (n.starts_with(prefix) && n != name) ::unlink((dir + "/" + n).c_str());
    }
  }
  return ObjectInfo{std::string(key), size, etag, NowMs(), {}};
}

ObjResult<ObjectInfo> LocalObjectStore::CompleteMultipartUpload(
    std::string_view bucket, std::string_view key, std::string_view upload_id,
    const std::vector<CompletedPart>& parts) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c.error();
  if (!ValidUploadId(upload_id)) return NoSuchUpload();
  const std::string dir = UploadDir(bucket, upload_id);
  ASSIGN_OR_RETURN(StoredUpload upload, LoadUpload(dir, key));
  if (parts.empty()) {
    return Err(S3Error::kMalformedXML, "You must specify at least one part");
  }
  ASSIGN_OR_RETURN(auto stored, ReadParts(dir));
  std::vector<const StoredPart*> chosen;
  std::vector<std::string> md5s;
  int previous = 0;
  for (const CompletedPart& p : parts) {
    if (p.number <= previous) {
      return Err(S3Error::kInvalidPartOrder, "The list of parts was not in ascending order. The parts "
                                             "list must be specified in order by part number.");
    }
    previous = p.number;
    const auto it = stored.find(p.number);
    if (it == stored.end() || it->second.info.etag != Unquote(p.etag)) {
      return Err(S3Error::kInvalidPart, "One or more of the specified parts could not be found. "
                                        "The part may not have been uploaded, or the specified "
                                        "entity tag may not match the part's entity tag.");
    }
    chosen.push_back(&it->second);
    md5s.push_back(it->second.info.etag);
  }
  for (size_t i = 0; i + 1 < chosen.size(); ++i) {
    if (chosen[i]->info.size < kMinPartBytes) {
      return Err(S3Error::kEntityTooSmall, "Your proposed upload is smaller than the minimum allowed "
                                           "object size. Each part must be at least 5 MB in size, "
                                           "except the last part.");
    }
  }
  const std::string temp = NewTempPath();
  {
    const UniqueFd out(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (out.get() < 0) return IoError("open", temp, errno);
    auto fail = [&](std::string_view what, const std::string& path, int err) {
      ::unlink(temp.c_str());
      return IoError(what, path, err);
    };
    for (const StoredPart* p : chosen) {
      const UniqueFd in(::open(p->path.c_str(), O_RDONLY | O_CLOEXEC));
      if (in.get() < 0) return fail("open", p->path, errno);
      uint64_t left = p->info.size;
      while (left > 0) {
        const ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, left, 0);
        if (n < 0) return fail("copy_file_range", p->path, errno);
        if (n == 0) return fail("copy_file_range", p->path, EIO);  // part shrank
        left -= static_cast<uint64_t>(n);
      }
    }
    if (::fdatasync(out.get()) != 0) return fail("fdatasync", temp, errno);
  }
  StoredMeta sm;
  sm.etag = MultipartEtag(md5s);
  sm.meta = std::move(upload.meta);
  ASSIGN_OR_RETURN(ObjectInfo info, Commit(bucket, key, temp, std::move(sm)));
  // The object is durable; the parts are now garbage whatever happens next (an
  // Abort that got there first has already retired them).
  if (auto r = RetireUpload(dir); !r.ok() && r.error().code != S3Error::kNoSuchUpload) return r.error();
  return info;
}

ObjStatus LocalObjectStore::RetireUpload(const std::string& dir) {
  // One rename takes the upload out of reach: a part writer that has not created its
  // temporary yet finds no directory (NoSuchUpload), one that has finds its rename
  // fail the same way, and nothing lands in a directory being removed.
  const std::string gone = NewTempPath();
  if (::rename(dir.c_str(), gone.c_str()) != 0) {
    if (errno == ENOENT) return NoSuchUpload();
    return IoError("rename", dir, errno);
  }
  // The upload is gone from here on: what remains is housekeeping, and a failure of
  // it must not turn a done Abort or Complete into an error (objects-tmp, where the
  // directory now is, is emptied at every start).
  (void)Sync(dir.substr(0, dir.rfind('/')));
  (void)RemoveTree(gone);
  return Done{};
}

ObjStatus LocalObjectStore::AbortMultipartUpload(std::string_view bucket, std::string_view key,
                                                 std::string_view upload_id) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c;
  if (!ValidUploadId(upload_id)) return NoSuchUpload();
  const std::string dir = UploadDir(bucket, upload_id);
  if (auto u = LoadUpload(dir, key); !u.ok()) return u.error();
  return RetireUpload(dir);
}

ObjResult<std::vector<PartInfo>> LocalObjectStore::ListParts(std::string_view bucket,
                                                             std::string_view key,
                                                             std::string_view upload_id,
                                                             int part_number_marker, int max_parts) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c.error();
  if (!ValidUploadId(upload_id)) return NoSuchUpload();
  const std::string dir = UploadDir(bucket, upload_id);
  if (auto u = LoadUpload(dir, key); !u.ok()) return u.error();
  ASSIGN_OR_RETURN(auto stored, ReadParts(dir));
  std::vector<PartInfo> out;
  for (const auto& [number, p] : stored) {
    if (number <= part_number_marker) continue;
    if (static_cast<int>(out.size()) >= max_parts) break;
    out.push_back(p.info);
  }
  return out;
}

ObjResult<std::vector<UploadInfo>> LocalObjectStore::ListMultipartUploads(std::string_view bucket,
                                                                          std::string_view prefix) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c.error();
  std::vector<UploadInfo> out;
  const std::string bucket_dir = uploads_ + "/" + std::string(bucket);
  auto names = ListDir(bucket_dir);
  if (!names.ok()) return out;  // no upload was ever started here
  for (const std::string& id : *names) {
    if (!ValidUploadId(id)) continue;
    auto text = ReadWholeFile(bucket_dir + "/" + id + "/upload.json");
    if (!text.ok()) continue;
    auto u = DecodeStoredUpload(*text);
    if (!u || !u->key.starts_with(prefix)) continue;
    out.push_back({u->key, id, u->initiated_ms});
  }
  std::sort(out.begin(), out.end(), [](const UploadInfo& a, const UploadInfo& b) {
    return a.key != b.key ? a.key < b.key : a.initiated_ms < b.initiated_ms;
  });
  return out;
}

}  // namespace sluice::objects
