#include "stream/shard_iterator.h"

#include <cstring>

#include "base/crc32c.h"
#include "base/base64.h"

namespace sluice::stream {
namespace {

constexpr uint8_t kIteratorVersion = 1;
// version u8 | created i64 | issued i64 | shard u32 | next u64 | name | crc32c u32
constexpr size_t kFixed = 1 + 8 + 8 + 4 + 8;

template <typename T>
void Put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

template <typename T>
T Get(std::string_view in, size_t pos) {
  T v;
  std::memcpy(&v, in.data() + pos, sizeof(T));
  return v;
}

}  // namespace

std::string EncodeIterator(const IteratorState& s) {
  std::string raw;
  raw.reserve(kFixed + s.stream_name.size() + 4);
  raw.push_back(static_cast<char>(kIteratorVersion));
  Put<int64_t>(raw, s.stream_created_ms);
  Put<int64_t>(raw, s.issued_ms);
  Put<uint32_t>(raw, s.shard_index);
  Put<uint64_t>(raw, s.next.value());
  raw += s.stream_name;
  Put<uint32_t>(raw, crc32c::Value(raw));
  return Base64Encode(raw);
}

std::optional<IteratorState> DecodeIterator(std::string_view text) {
  const auto raw = Base64Decode(text);
  if (!raw || raw->size() < kFixed + 4) return std::nullopt;
  const std::string_view r(*raw);
  const std::string_view body = r.substr(0, r.size() - 4);
  if (Get<uint32_t>(r, r.size() - 4) != crc32c::Value(body)) return std::nullopt;
  if (static_cast<uint8_t>(body[0]) != kIteratorVersion) return std::nullopt;
  IteratorState s;
  s.stream_created_ms = Get<int64_t>(body, 1);
  s.issued_ms = Get<int64_t>(body, 9);
  s.shard_index = Get<uint32_t>(body, 17);
  s.next = log::Offset(Get<uint64_t>(body, 21));
  s.stream_name = std::string(body.substr(kFixed));
  return s;
}

}  // namespace sluice::stream
