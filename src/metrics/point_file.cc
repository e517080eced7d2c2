// Encoding and decoding of points files (point_file.h).
#include "point_file.h"

#include <bit>
#include <cstring>

#include "base/crc32c.h"

namespace sluice::metrics::internal {
namespace {

static_assert(std::endian::native == std::endian::little, "points files are little-endian");

template <typename T>
void Put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}
void PutStr(std::string& out, std::string_view s) {
  Put<uint16_t>(out, static_cast<uint16_t>(s.size()));
  out.append(s.data(), s.size());
}
void PutBuckets(std::string& out, const Histogram::Buckets& b) {
  Put<uint32_t>(out, static_cast<uint32_t>(b.size()));
  for (const auto& [index, count] : b) {
    Put<int32_t>(out, index);
    Put<double>(out, count);
  }
}

// Reads fields from a payload; any read past the end marks it bad.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  template <typename T>
  T Get() {
    T v{};
    if (data_.size() < sizeof(T)) {
      bad_ = true;
      return v;
    }
    std::memcpy(&v, data_.data(), sizeof(T));
    data_.remove_prefix(sizeof(T));
    return v;
  }
  std::string GetStr() {
    const uint16_t n = Get<uint16_t>();
    if (bad_ || data_.size() < n) {
      bad_ = true;
      return {};
    }
    std::string s(data_.substr(0, n));
    data_.remove_prefix(n);
    return s;
  }
  Histogram::Buckets GetBuckets() {
    const uint32_t n = Get<uint32_t>();
    Histogram::Buckets b;
    if (bad_ || data_.size() / 12 < n) {
      bad_ = true;
      return b;
    }
    b.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      const int32_t index = Get<int32_t>();
      b.emplace_back(index, Get<double>());
    }
    return b;
  }
  bool ok() const { return !bad_ && data_.empty(); }

 private:
  std::string_view data_;
  bool bad_ = false;
};

}  // namespace

void EncodePoint(const StoredPoint& p, std::string& out) {
  std::string payload;
  const bool histogram = p.aggregate.has_histogram;
  Put<uint8_t>(payload, static_cast<uint8_t>(p.unit));
  Put<uint8_t>(payload, histogram ? kFlagHistogram : 0);
  Put<uint16_t>(payload, 0);
  Put<int64_t>(payload, p.period_start_ms);
  const StatisticSet& s = p.aggregate.stats;
  Put<double>(payload, s.sample_count);
  Put<double>(payload, s.sum);
  Put<double>(payload, s.minimum);
  Put<double>(payload, s.maximum);
  PutStr(payload, p.id.ns);
  PutStr(payload, p.id.name);
  Put<uint8_t>(payload, static_cast<uint8_t>(p.id.dimensions.size()));
  for (const Dimension& d : p.id.dimensions) {
    PutStr(payload, d.name);
    PutStr(payload, d.value);
  }
  if (histogram) {
    Put<double>(payload, p.aggregate.histogram.zero());
    PutBuckets(payload, p.aggregate.histogram.positive());
    PutBuckets(payload, p.aggregate.histogram.negative());
  }
  std::string header;
  Put<uint32_t>(header, static_cast<uint32_t>(payload.size()));  // length, then the crc over it
  uint32_t crc = crc32c::Extend(0, header.data(), header.size());
  crc = crc32c::Extend(crc, payload.data(), payload.size());
  Put<uint32_t>(out, crc);
  out += header;
  out += payload;
}

Result<size_t> DecodePoints(std::string_view file,
                            const std::function<void(StoredPoint)>& fn) {
  if (file.size() < kPointFileMagic.size()) return size_t{0};  // torn before the magic
  if (file.substr(0, kPointFileMagic.size()) != kPointFileMagic) {
    return Status::Corruption("not a metrics points file (bad magic)");
  }
  size_t pos = kPointFileMagic.size();
  while (file.size() - pos >= kRecordHeaderSize) {
    uint32_t crc = 0;
    uint32_t length = 0;
    std::memcpy(&crc, file.data() + pos, 4);
    std::memcpy(&length, file.data() + pos + 4, 4);
    if (length < kFixedPayloadSize || length > kMaxRecordPayload ||
        file.size() - pos - kRecordHeaderSize < length) {
      break;
    }
    if (crc32c::Extend(0, file.data() + pos + 4, 4 + length) != crc) break;
    Reader r(file.substr(pos + kRecordHeaderSize, length));
    StoredPoint p;
    const uint8_t unit = r.Get<uint8_t>();
    const uint8_t flags = r.Get<uint8_t>();
    (void)r.Get<uint16_t>();
    p.period_start_ms = r.Get<int64_t>();
    StatisticSet& s = p.aggregate.stats;
    s.sample_count = r.Get<double>();
    s.sum = r.Get<double>();
    s.minimum = r.Get<double>();
    s.maximum = r.Get<double>();
    p.id.ns = r.GetStr();
    p.id.name = r.GetStr();
    const uint8_t dims = r.Get<uint8_t>();
    for (uint8_t i = 0; i < dims; ++i) {
      std::string name = r.GetStr();
      p.id.dimensions.push_back({std::move(name), r.GetStr()});
    }
    p.aggregate.has_histogram = (flags & kFlagHistogram) != 0;
    if (p.aggregate.has_histogram) {
      const double zero = r.Get<double>();
      auto positive = r.GetBuckets();
      auto negative = r.GetBuckets();
      p.aggregate.histogram = Histogram::FromParts(std::move(positive), std::move(negative), zero);
    }
    // A record whose checksum holds but whose fields do not parse was written by a
    // newer or broken writer: refuse rather than guess.
    if (!r.ok() || unit > static_cast<uint8_t>(Unit::kCountPerSecond)) {
      return Status::Corruption("metrics record at offset " + std::to_string(pos) +
                                " has a valid checksum but does not parse");
    }
    p.unit = static_cast<Unit>(unit);
    fn(std::move(p));
    pos += kRecordHeaderSize + length;
  }
  return pos;
}

}  // namespace sluice::metrics::internal
