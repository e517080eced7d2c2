// The metadata file kept for each object (format: docs/formats/objects.md): a small
// JSON document with the key, ETag, size, the inode number of the data file it
// describes, and the stored headers.
//
// Why the inode: the data file and its metadata are published by two renames. A crash
// (or a reader) between them pairs new data with old metadata; the inode tells them
// apart, and the store then derives what it can from the data itself (size, MD5)
// instead of serving a wrong ETag.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "objects/object_store.h"

namespace sluice::objects {

inline constexpr int kMetaFormatVersion = 1;

struct StoredMeta {
  std::string key;
  std::string etag;
  uint64_t size = 0;
  uint64_t inode = 0;
  ObjectMeta meta;
  ObjectChecksum checksum;  // optional in the file ("checksum": {"algorithm", "value"})
};

std::string EncodeStoredMeta(const StoredMeta& m);
// nullopt for unreadable or foreign JSON (treated like missing metadata).
std::optional<StoredMeta> DecodeStoredMeta(std::string_view text);

// Multipart upload state: upload.json in the upload's directory.
struct StoredUpload {
  std::string key;
  int64_t initiated_ms = 0;
  ObjectMeta meta;
  ObjectChecksum checksum;  // algorithm and type asked for at creation; optional in the file
};
std::string EncodeStoredUpload(const StoredUpload& u);
std::optional<StoredUpload> DecodeStoredUpload(std::string_view text);

}  // namespace sluice::objects
