// LocalObjectStore multipart uploads. An upload is a directory holding upload.json and
// one file per part named "<number, 5 digits>-<md5 hex>", or
// "<number>-<md5 hex>-<ALGORITHM>-<checksum hex>" for a part uploaded with a flexible
// checksum, so neither its ETag nor its checksum needs a second file (or a second
// rename that a crash could separate from the first). Complete concatenates the parts
// into a temporary and commits it like a Put; the upload directory is removed only
// after the object is durable.
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
#include "base/base64.h"
#include "base/hex.h"
#include "objects/checksum.h"

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

constexpr size_t kPartNameBytes = 5 + 1 + 32;  // "00001-<md5 hex>"

// Lower-case hex only: the only case PartName writes.
bool HexDecode(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexDigitValue(hex[i]), lo = HexDigitValue(hex[i + 1]);
    if (hi < 0 || lo < 0 || (hex[i] >= 'A' && hex[i] <= 'F') || (hex[i + 1] >= 'A' && hex[i + 1] <= 'F')) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

// The checksum after "<number>-<md5>": "-<ALGORITHM>-<hex>"; false when malformed.
bool ParsePartChecksum(std::string_view rest, ObjectChecksum* out) {
  if (rest.empty()) return true;
  if (rest[0] != '-') return false;
  const size_t dash = rest.find('-', 1);
  if (dash == std::string_view::npos) return false;
  const auto alg = ParseChecksumAlgorithm(rest.substr(1, dash - 1));
  std::string raw;
  if (!alg || !HexDecode(rest.substr(dash + 1), &raw) || raw.size() != ChecksumBytes(*alg)) return false;
  out->algorithm = std::string(ChecksumName(*alg));
  out->value = Base64Encode(raw);
  return true;
}

// Parses part names; a crash between publishing a part and removing its predecessor
// leaves two files for a number, and the newer one wins.
ObjResult<std::map<int, StoredPart>> ReadParts(FileSystem& fs, const std::string& dir) {
  ASSIGN_OR_RETURN(auto names, ListDir(fs, dir));
  std::map<int, StoredPart> parts;
  for (const std::string& name : names) {
    if (name.size() < kPartNameBytes || name[5] != '-') continue;
    const int number = std::atoi(name.substr(0, 5).c_str());
    const std::string path = dir + "/" + name;
    if (number <= 0) continue;
    ObjectChecksum checksum;
    if (!ParsePartChecksum(std::string_view(name).substr(kPartNameBytes), &checksum)) continue;
    auto st = fs.Stat(path);
    if (!st.ok()) continue;
    StoredPart p{{number, name.substr(6, 32), st->size, st->mtime_ms, std::move(checksum)}, path};
    auto it = parts.find(number);
    if (it == parts.end() || it->second.info.last_modified_ms <= p.info.last_modified_ms) {
      parts[number] = std::move(p);
    }
  }
  return parts;
}

std::string PartName(int number, std::string_view md5, const ObjectChecksum& checksum) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%05d", number);
  std::string name = std::string(buf) + "-" + std::string(md5);
  if (checksum.algorithm.empty()) return name;
  const auto raw = Base64Decode(checksum.value);  // verified by the caller, so valid
  return name + "-" + checksum.algorithm + "-" + HexEncode(raw.value_or(""));
}

// The algorithm and type an upload keeps, the type defaulted as S3 does.
ObjectChecksum UploadChecksum(const ObjectChecksum& asked) {
  const auto alg = ParseChecksumAlgorithm(asked.algorithm);
  if (!alg) return {};
  const ChecksumType type = ParseChecksumType(asked.type).value_or(DefaultChecksumType(*alg));
  return {std::string(ChecksumName(*alg)), {}, std::string(ChecksumTypeName(type))};
}

ObjectError InvalidPart() {
  return Err(S3Error::kInvalidPart, "One or more of the specified parts could not be found. The part may not "
                                    "have been uploaded, or the specified entity tag may not match the part's "
                                    "entity tag.");
}

// A Complete request's part against the stored part, for an upload created with a
// checksum (every stored part then has one of its algorithm): a checksum given must be
// that one (compared as bytes, so unpadded base64 is the same), and a COMPOSITE
// upload needs it given for every part.
std::optional<ObjectError> CheckPartChecksum(const ObjectChecksum& upload, const CompletedPart& given,
                                             const PartInfo& stored) {
  if (upload.algorithm.empty()) return std::nullopt;
  if (stored.checksum.algorithm != upload.algorithm) return InvalidPart();  // not written by us
  if (given.checksum.algorithm.empty()) {
    if (upload.type == "FULL_OBJECT") return std::nullopt;
    return Err(S3Error::kInvalidRequest,
               "The upload was created using a " + AsciiLower(upload.algorithm) +
                   " checksum. The complete request must include the checksum for each part. It was missing "
                   "for part " + std::to_string(given.number) + " in the request.");
  }
  const auto want = Base64Decode(given.checksum.value);
  if (given.checksum.algorithm != stored.checksum.algorithm || !want ||
      *want != Base64Decode(stored.checksum.value).value_or("")) {
    return InvalidPart();
  }
  return std::nullopt;
}

// The whole object's checksum a Complete request states (x-amz-checksum-<alg>,
// x-amz-checksum-type) against the one formed from the parts.
std::optional<ObjectError> CheckExpectedChecksum(const ObjectChecksum& expect, const ObjectChecksum& formed) {
  const std::string formed_type = formed.type.empty() ? "FULL_OBJECT" : formed.type;
  if (!expect.type.empty() && expect.type != formed_type) {
    return Err(S3Error::kBadDigest, "The upload was created using the " + formed_type +
                                        " checksum mode. The complete request must use the same checksum mode.");
  }
  if (expect.algorithm.empty()) return std::nullopt;
  // A composite value keeps its "-N"; compare the digests as bytes and the count as text.
  const auto split = [](std::string_view v) {
    const size_t dash = v.find('-');
    return std::pair{Base64Decode(v.substr(0, dash)), dash == std::string_view::npos ? "" : v.substr(dash)};
  };
  if (expect.algorithm != formed.algorithm || split(expect.value) != split(formed.value)) {
    return Err(S3Error::kBadDigest, "The " + expect.algorithm + " you specified did not match the calculated checksum.");
  }
  return std::nullopt;
}

std::string Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return AsciiLower(etag);
}

}  // namespace

ObjResult<std::string> LocalObjectStore::CreateMultipartUpload(std::string_view bucket,
                                                               std::string_view key,
                                                               const ObjectMeta& meta,
                                                               const ObjectChecksum& checksum) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c.error();
  if (auto v = ValidateKey(key); !v.ok()) return v.error();
  const std::string bucket_dir = uploads_ + "/" + std::string(bucket);
  if (auto made = EnsureDir(fs_, bucket_dir); !made.ok()) return made.error();
  const std::string id = RandomHex(16);
  const std::string dir = UploadDir(bucket, id);
  if (Status s = fs_.CreateDir(dir); !s.ok()) return FsError(s);
  const std::string temp = dir + "/.upload.tmp";
  const StoredUpload upload{std::string(key), NowMs(), meta, UploadChecksum(checksum)};
  if (auto w = WriteNewFile(fs_, temp, EncodeStoredUpload(upload)); !w.ok()) return w.error();
  if (Status s = fs_.Rename(temp, dir + "/upload.json"); !s.ok()) return FsError(s);
  if (auto s = Sync(dir); !s.ok()) return s.error();
  if (auto s = Sync(bucket_dir); !s.ok()) return s.error();
  return id;
}

namespace {

ObjResult<StoredUpload> LoadUpload(FileSystem& fs, const std::string& dir, std::string_view key) {
  auto text = ReadFileText(fs, dir + "/upload.json");
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
  ASSIGN_OR_RETURN(StoredUpload upload, LoadUpload(fs_, dir, key));
  std::string temp = dir + "/.part-" + RandomHex(8);
  auto writer = Writer::Create(
      fs_, std::move(temp),
      [this, dir, k = std::string(key), part_number](std::unique_ptr<WritableFile> file, const std::string& temp,
                                                     uint64_t size, const std::string& etag,
                                                     const ObjectChecksum& checksum) {
        return PublishPart(dir, k, part_number, std::move(file), temp, size, etag, checksum);
      },
      upload.checksum);
  if (!writer.ok() && !fs_.Stat(dir).ok()) return NoSuchUpload();  // retired meanwhile
  return writer;
}

ObjResult<PartInfo> LocalObjectStore::UploadPart(std::string_view bucket, std::string_view key,
                                                 std::string_view upload_id, int part_number,
                                                 std::string_view data) {
  ASSIGN_OR_RETURN(auto writer, NewPartWriter(bucket, key, upload_id, part_number));
  if (auto a = writer->Append(data); !a.ok()) return a.error();
  ASSIGN_OR_RETURN(ObjectInfo info, writer->Commit(std::nullopt));
  return PartInfo{part_number, info.etag, info.size, info.last_modified_ms, info.checksum};
}

ObjResult<ObjectInfo> LocalObjectStore::PublishPart(const std::string& dir, std::string_view key,
                                                    int number, std::unique_ptr<WritableFile> file,
                                                    const std::string& temp, uint64_t size,
                                                    const std::string& etag, const ObjectChecksum& checksum) {
  Status closed = opts_.sync ? file->Sync() : Status::OK();
  if (closed.ok()) closed = file->Close();
  file.reset();
  if (!closed.ok()) {
    (void)fs_.Remove(temp);
    return FsError(closed);
  }
  const std::string name = PartName(number, etag, checksum);
  if (Status s = fs_.Rename(temp, dir + "/" + name); !s.ok()) {
    (void)fs_.Remove(temp);
    if (s.sys_errno() == ENOENT) return NoSuchUpload();  // aborted meanwhile
    return FsError(s);
  }
  if (auto s = Sync(dir); !s.ok()) {
    if (!fs_.Stat(dir).ok()) return NoSuchUpload();  // retired meanwhile
    return s.error();
  }
  // Drop an earlier upload of the same part number.
  if (auto names = ListDir(fs_, dir); names.ok()) {
    const std::string prefix = name.substr(0, 6);
    for (const std::string& n : *names) {
      if (n.starts_with(prefix) && n != name) (void)fs_.Remove(dir + "/" + n);
    }
  }
  return ObjectInfo{std::string(key), size, etag, NowMs(), {}, checksum};
}

ObjResult<ObjectInfo> LocalObjectStore::CompleteMultipartUpload(
    std::string_view bucket, std::string_view key, std::string_view upload_id,
    const std::vector<CompletedPart>& parts, const ObjectChecksum& expect) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c.error();
  if (!ValidUploadId(upload_id)) return NoSuchUpload();
  const std::string dir = UploadDir(bucket, upload_id);
  // Held until the upload is retired: an Abort waits, then finds it gone.
  const UploadClaims::Claim claim = claims_.Acquire(dir);
  ASSIGN_OR_RETURN(StoredUpload upload, LoadUpload(fs_, dir, key));
  if (parts.empty()) {
    return Err(S3Error::kMalformedXML, "You must specify at least one part");
  }
  ASSIGN_OR_RETURN(auto stored, ReadParts(fs_, dir));
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
    if (it == stored.end() || it->second.info.etag != Unquote(p.etag)) return InvalidPart();
    if (auto bad = CheckPartChecksum(upload.checksum, p, it->second.info)) return *bad;
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
  ObjectChecksum checksum;
  if (const auto alg = ParseChecksumAlgorithm(upload.checksum.algorithm)) {
    const ChecksumType type = ParseChecksumType(upload.checksum.type).value_or(DefaultChecksumType(*alg));
    std::vector<PartDigest> digests;
    for (const StoredPart* p : chosen) digests.push_back({Base64Decode(p->info.checksum.value).value_or(""), p->info.size});
    checksum = {upload.checksum.algorithm, MultipartChecksum(*alg, type, digests), std::string(ChecksumTypeName(type))};
  }
  if (auto bad = CheckExpectedChecksum(expect, checksum)) return *bad;
  const std::string temp = NewTempPath();
  {
    auto out = fs_.OpenWritable(temp, OpenMode::kCreateNew);
    if (!out.ok()) return FsError(out.status());
    const auto fail = [&](ObjectError e) {
      out->reset();
      (void)fs_.Remove(temp);
      return e;
    };
    for (const StoredPart* p : chosen) {
      auto in = fs_.OpenReadable(p->path);
      if (!in.ok()) return fail(FsError(in.status()));
      auto n = (*out)->AppendFrom(**in, 0, p->info.size);
      if (!n.ok()) return fail(FsError(n.status()));
      if (*n != p->info.size) return fail(IoError("copy_file_range", p->path, EIO));  // part shrank
    }
    if (Status s = (*out)->Sync(); !s.ok()) return fail(FsError(s));
    if (Status s = (*out)->Close(); !s.ok()) return fail(FsError(s));
  }
  StoredMeta sm;
  sm.etag = MultipartEtag(md5s);
  sm.meta = std::move(upload.meta);
  sm.checksum = std::move(checksum);
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
  if (Status s = fs_.Rename(dir, gone); !s.ok()) {
    if (s.sys_errno() == ENOENT) return NoSuchUpload();
    return FsError(s);
  }
  // The upload is gone from here on: what remains is housekeeping, and a failure of
  // it must not turn a done Abort or Complete into an error (objects-tmp, where the
  // directory now is, is emptied at every start).
  (void)Sync(dir.substr(0, dir.rfind('/')));
  (void)RemoveTree(fs_, gone);
  return Done{};
}

ObjStatus LocalObjectStore::AbortMultipartUpload(std::string_view bucket, std::string_view key,
                                                 std::string_view upload_id) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c;
  if (!ValidUploadId(upload_id)) return NoSuchUpload();
  const std::string dir = UploadDir(bucket, upload_id);
  const UploadClaims::Claim claim = claims_.Acquire(dir);  // never inside a Complete
  if (auto u = LoadUpload(fs_, dir, key); !u.ok()) return u.error();
  return RetireUpload(dir);
}

ObjResult<std::vector<PartInfo>> LocalObjectStore::ListParts(std::string_view bucket,
                                                             std::string_view key,
                                                             std::string_view upload_id,
                                                             int part_number_marker, int max_parts) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c.error();
  if (!ValidUploadId(upload_id)) return NoSuchUpload();
  const std::string dir = UploadDir(bucket, upload_id);
  if (auto u = LoadUpload(fs_, dir, key); !u.ok()) return u.error();
  ASSIGN_OR_RETURN(auto stored, ReadParts(fs_, dir));
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
  auto names = ListDir(fs_, bucket_dir);
  if (!names.ok()) return out;  // no upload was ever started here
  for (const std::string& id : *names) {
    if (!ValidUploadId(id)) continue;
    auto text = ReadFileText(fs_, bucket_dir + "/" + id + "/upload.json");
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
