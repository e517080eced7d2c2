// LocalObjectStore::List: a sorted walk of the bucket's directory tree that skips
// subtrees the listing cannot use (see ListingBuilder::WantsSubtree).

#include <cerrno>

#include <algorithm>

#include "objects/file_util.h"
#include "objects/key_path.h"
#include "objects/listing.h"
#include "objects/local_store.h"

namespace sluice::objects {
namespace {

struct Entry {
  std::string sort_key;  // the key, or the folder's key prefix ending in '/'
  std::string path;
  bool folder = false;
};

using StatFn = std::function<std::optional<ObjectInfo>(const std::string&, const std::string&)>;
// The segment a directory entry stands for; false for the store's own names.
using DecodeFn = std::function<bool(const std::string& name, std::string* segment)>;

// Returns false when the listing is complete.
bool Walk(FileSystem& fs, const std::string& dir, const std::string& key_prefix, ListingBuilder& builder,
          const StatFn& stat, const DecodeFn& decode, ObjectError* error) {
  auto names = ListDir(fs, dir);
  if (!names.ok()) {
    if (names.error().sys_errno == ENOENT) return true;  // removed meanwhile
    *error = names.error();
    return false;
  }
  std::vector<Entry> entries;
  entries.reserve(names->size());
  std::string segment;
  for (const std::string& name : *names) {
    // Names starting with '.' are the store's own (kSelfName, move-aside folders).
    if (name.starts_with(".") || !decode(name, &segment)) continue;
    const std::string path = dir + "/" + name;
    auto st = fs.Stat(path);
    if (!st.ok()) continue;
    if (st->is_regular) {
      entries.push_back({key_prefix + segment, path, false});
    } else if (st->is_dir) {
      const std::string self = path + "/" + std::string(kSelfName);
      if (fs.Stat(self).ok()) entries.push_back({key_prefix + segment, self, false});
      entries.push_back({key_prefix + segment + "/", path, true});
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.sort_key < b.sort_key; });
  for (const Entry& e : entries) {
    if (e.folder) {
      if (!builder.WantsSubtree(e.sort_key)) continue;
      if (!Walk(fs, e.path, e.sort_key, builder, stat, decode, error)) return false;
    } else if (!builder.Offer(e.sort_key, [&] { return stat(e.sort_key, e.path); })) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<ObjectInfo> LocalObjectStore::StatForListing(std::string_view bucket,
                                                           const std::string& key,
                                                           const std::string& path) {
  (void)path;
  auto head = Head(bucket, key);
  if (!head.ok()) return std::nullopt;
  return std::move(head).value();
}

ObjResult<ListResult> LocalObjectStore::List(std::string_view bucket, const ListRequest& request) {
  if (auto c = CheckBucket(bucket); !c.ok()) return c.error();
  ListRequest req = request;
  req.max_keys = std::clamp(req.max_keys, 0, kMaxListKeys);
  ListingBuilder builder(req);
  ObjectError error;
  error.code = S3Error::kNoSuchKey;  // sentinel: no error
  const bool finished = Walk(fs_, BucketDir(bucket), "", builder,
                             [&](const std::string& key, const std::string& path) {
                               return StatForListing(bucket, key, path);
                             },
                             [&](const std::string& name, std::string* segment) {
                               if (DecodeSegment(name, segment)) return true;
                               auto long_segment = LongSegment(bucket, name);
                               if (!long_segment) return false;
                               *segment = std::move(*long_segment);
                               return true;
                             },
                             &error);
  if (!finished && error.code != S3Error::kNoSuchKey) return error;
  return std::move(builder).Finish();
}

}  // namespace sluice::objects
