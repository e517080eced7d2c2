#include "stream/sequence_number.h"

#include <charconv>

#include <fmt/format.h>

namespace sluice::stream {
namespace {

template <typename T>
std::optional<T> ParseDigits(std::string_view s) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

namespace {
// Writes v as exactly `width` decimal digits ending just before `end`.
void PutDigits(char* end, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}
}  // namespace

// On every GetRecords record, so by hand rather than through fmt.
SequenceText FormatSequenceText(const SequenceParts& p) {
  SequenceText t;
  t.digits.fill('0');
  t.digits[0] = '4';
  t.digits[1] = '9';
  PutDigits(t.digits.data() + 15, static_cast<uint64_t>(p.stream_created_ms), 13);
  PutDigits(t.digits.data() + 22, p.shard_index, 7);
  PutDigits(t.digits.data() + 56, p.offset.value(), 20);
  return t;
}

std::string FormatSequenceNumber(const SequenceParts& p) { return FormatSequenceText(p).str(); }

std::optional<SequenceParts> ParseSequenceNumber(std::string_view s) {
  if (s.size() != kSequenceDigits || s.substr(0, 2) != "49") return std::nullopt;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  if (s.substr(22, 14) != "00000000000000") return std::nullopt;
  const auto created = ParseDigits<int64_t>(s.substr(2, 13));
  const auto shard = ParseDigits<uint32_t>(s.substr(15, 7));
  const auto offset = ParseDigits<uint64_t>(s.substr(36, 20));
  if (!created || !shard || !offset) return std::nullopt;
  return SequenceParts{*created, *shard, log::Offset(*offset)};
}

std::string ShardIdFor(uint32_t shard_index) { return fmt::format("shardId-{:012d}", shard_index); }

std::optional<uint32_t> ParseShardId(std::string_view s) {
  constexpr std::string_view kPrefix = "shardId-";
  if (s.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  s.remove_prefix(kPrefix.size());
  if (s.empty() || s.size() > 20) return std::nullopt;
  const auto v = ParseDigits<uint64_t>(s);
  if (!v || *v > kMaxShardIndex) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

}  // namespace sluice::stream
