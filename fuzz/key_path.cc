// Object keys to file paths (src/objects/key_path.h). The input is split in two keys.
// Invariants for every key ValidateKey accepts: each encoded segment is one safe file
// name inside the bucket directory (not empty, ".", "..", no '/', no NUL, no leading
// '.', within the OS name limit), the segments decode back to the key, two different
// keys never share a path, and a name DecodeSegment accepts is the one EncodeSegment
// writes for it.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.h"
#include "base/utf8.h"
#include "objects/key_path.h"

namespace objects = sluice::objects;

namespace {

void CheckKey(const std::string& key) {
  if (!objects::ValidateKey(key).ok()) return;
  FUZZ_CHECK(!key.empty() && key.size() <= objects::kMaxKeyBytes && sluice::IsValidUtf8(key));
  const std::vector<std::string> segments = objects::KeyToSegments(key);
  std::vector<std::string_view> raw;
  for (size_t start = 0;;) {
    const size_t slash = key.find('/', start);
    raw.push_back(std::string_view(key).substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  FUZZ_CHECK(segments.size() == raw.size());
  std::string path;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& seg = segments[i];
    FUZZ_CHECK(!seg.empty() && seg != "." && seg != "..");
    FUZZ_CHECK(seg.find('/') == std::string::npos && seg.find('\0') == std::string::npos);
    FUZZ_CHECK(seg.front() != '.');  // names starting with '.' belong to the store
    FUZZ_CHECK(seg.size() <= objects::kMaxSegmentBytes);
    std::string decoded;
    const bool decodes = objects::DecodeSegment(seg, &decoded);
    if (objects::EncodeSegment(raw[i]).size() <= objects::kMaxSegmentBytes) {
      FUZZ_CHECK(seg == objects::EncodeSegment(raw[i]));
      FUZZ_CHECK(decodes && decoded == raw[i]);
    } else {
      // A segment too long for one file name gets a name of another form, which must
      // never read as an ordinary segment's name.
      FUZZ_CHECK(!decodes);
    }
    path += (i > 0 ? "/" : "") + seg;
  }
  FUZZ_CHECK(objects::KeyToRelativePath(key) == path);
}

void CheckName(const std::string& name) {
  std::string segment;
  if (!objects::DecodeSegment(name, &segment)) return;
  FUZZ_CHECK(objects::EncodeSegment(segment) == name);
  FUZZ_CHECK(segment.find('/') == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string a = in.ConsumeRandomLengthString(1100);
  const std::string b = in.ConsumeRemainingBytesAsString();
  CheckKey(a);
  CheckKey(b);
  CheckName(a);
  CheckName(b);
  if (a != b && objects::ValidateKey(a).ok() && objects::ValidateKey(b).ok()) {
    FUZZ_CHECK(objects::KeyToRelativePath(a) != objects::KeyToRelativePath(b));
  }
  // Any segment (no '/') encodes to a name that decodes back to it.
  if (a.find('/') == std::string::npos) {
    std::string back;
    FUZZ_CHECK(objects::DecodeSegment(objects::EncodeSegment(a), &back) && back == a);
  }
  return 0;
}
