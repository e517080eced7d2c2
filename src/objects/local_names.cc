// LocalObjectStore's names table: the segments of keys too long to be file names
// (key_path.h), one file per segment named by its SHA-256, so a directory walk can
// turn a long file name back into the key it stands for.
#include "base/hash.h"
#include "objects/file_util.h"
#include "objects/key_path.h"
#include "objects/local_store.h"

namespace sluice::objects {

std::string LocalObjectStore::LongNamePath(std::string_view bucket, std::string_view hash) const {
  return BucketMetaDir(bucket) + "/names/" + std::string(hash);
}

ObjStatus LocalObjectStore::RecordLongNames(std::string_view bucket, std::string_view key) {
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    if (slash == std::string_view::npos) slash = key.size();
    const std::string_view segment = key.substr(start, slash - start);
    start = slash + 1;
    if (!NeedsLongName(segment)) continue;
    // Content-addressed and never changed once written: present means done.
    const std::string path = LongNamePath(bucket, Sha256Hex(segment));
    if (fs_.Stat(path).ok()) continue;
    const std::string dir = BucketMetaDir(bucket) + "/names";
    if (auto made = EnsureDir(fs_, dir); !made.ok()) return made;
    const std::string temp = NewTempPath();
    if (auto w = WriteNewFile(fs_, temp, segment); !w.ok()) return w;
    if (Status st = fs_.Rename(temp, path); !st.ok()) {
      (void)fs_.Remove(temp);
      return FsError(st);
    }
    // The entry, and the table's own entry in the bucket's folder (new with the first
    // long segment), must survive a crash that keeps the data naming them.
    if (auto synced = Sync(dir); !synced.ok()) return synced;
    if (auto synced = Sync(BucketMetaDir(bucket)); !synced.ok()) return synced;
  }
  return Done{};
}

std::optional<std::string> LocalObjectStore::LongSegment(std::string_view bucket, std::string_view name) {
  const auto hash = LongNameHash(name);
  if (!hash) return std::nullopt;
  auto text = ReadFileText(fs_, LongNamePath(bucket, *hash));
  // Only what maps back to this very name: a damaged or foreign entry lists nothing.
  if (!text.ok() || SegmentFileName(*text) != name) return std::nullopt;
  return std::move(text).value();
}

}  // namespace sluice::objects
