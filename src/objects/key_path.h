// Validation of bucket names and object keys, and the mapping of a key to a relative
// file path inside its bucket directory (layout: docs/formats/objects.md).
//
// The mapping splits the key at '/' and encodes each segment on its own, so the lake
// keeps its folder structure on disk ("date=2024-05-01/part.json" is that very path).
// A segment is written as-is except:
//   - '%', bytes below 0x20 and 0x7F become %XX (uppercase hex);
//   - a leading '.' becomes %2E, so "." and ".." never appear and every name that
//     starts with '.' is free for the store's own files (kSelfName, temporaries);
//   - the empty segment (from "//", a leading or a trailing '/') becomes "%".
// Encoded segments therefore never contain '/', never are "." or "..", and decode
// back exactly: no key can name a path outside its bucket.
// A segment longer than kMaxSegmentBytes once encoded (a file name limit of the OS)
// is stored under a long name instead (SegmentFileName): at most kLongNamePrefixBytes
// of its encoded form, kLongNameMark, then the 64 hex digits of SHA-256 over the raw
// segment. EncodeSegment never writes kLongNameMark ('%' is always followed by two
// upper-case hex digits), so a long name is never an ordinary one, and two segments
// share a long name only if SHA-256 collides. The name does not tell the segment
// back: the store keeps each long segment in a names table (LocalObjectStore) and
// checks what it reads there against the name.
// A key that is also the "folder" of other keys ("a" beside "a/b") is stored inside
// that folder's directory under kSelfName; see LocalObjectStore.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "objects/errors.h"

namespace sluice::objects {

inline constexpr size_t kMaxKeyBytes = 1024;           // S3's limit
inline constexpr size_t kMaxSegmentBytes = 255;        // NAME_MAX on Linux file systems
inline constexpr size_t kLongNamePrefixBytes = 128;    // + mark + 64 = 194 < kMaxSegmentBytes
inline constexpr std::string_view kLongNameMark = "%#";
inline constexpr std::string_view kSelfName = ".sluice-self";

// S3's rules for new buckets: 3-63 characters of a-z 0-9 . -, starting and ending
// with a letter or digit, no "..", not shaped like an IPv4 address.
ObjStatus ValidateBucketName(std::string_view name);
// 1-1024 bytes of valid UTF-8 (S3's KeyTooLongError past 1024), any segment length.
ObjStatus ValidateKey(std::string_view key);

std::string EncodeSegment(std::string_view segment);
// Inverse of EncodeSegment; false for a name EncodeSegment never produces (long
// names included).
bool DecodeSegment(std::string_view name, std::string* segment);

// The file name of one segment: EncodeSegment's, or the long name when that is
// longer than kMaxSegmentBytes.
std::string SegmentFileName(std::string_view segment);
// Whether SegmentFileName gives `segment` a long name.
bool NeedsLongName(std::string_view segment);
// The SHA-256 hex of a long name's segment; nullopt for any other name.
std::optional<std::string_view> LongNameHash(std::string_view name);

// The file names of the segments of `key`, in order (at least one). Call ValidateKey
// first.
std::vector<std::string> KeyToSegments(std::string_view key);
// "seg1/seg2/..." relative to the bucket directory.
std::string KeyToRelativePath(std::string_view key);


}  // namespace sluice::objects
