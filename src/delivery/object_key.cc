#include "delivery/object_key.h"

#include <cstdio>

#include "base/hash.h"
#include "base/hex.h"
#include "delivery/utc_time.h"

namespace sluice::delivery {
namespace {

void AppendBigEndian64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

}  // namespace

std::string DeliveryObjectId(std::string_view stream_identity, uint64_t first_offset,
                             uint64_t last_offset) {
  // Domain-separated, length-prefixed input: no two (identity, range) pairs share bytes.
  std::string input = "sluice.delivery.object-id.v1";
  input.push_back('\0');
  AppendBigEndian64(input, stream_identity.size());
  input.append(stream_identity);
  AppendBigEndian64(input, first_offset);
  AppendBigEndian64(input, last_offset);
  Sha256Digest digest = Sha256(input);
  digest[6] = static_cast<uint8_t>((digest[6] & 0x0f) | 0x80);  // version 8 (custom)
  digest[8] = static_cast<uint8_t>((digest[8] & 0x3f) | 0x80);  // variant 10
  std::string hex = HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), 16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string ObjectName(std::string_view stream_name, int64_t version, int64_t arrival_ms,
                       std::string_view id, Compression compression) {
  UtcTime t = ToUtc(arrival_ms);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "-%lld-%04lld-%02d-%02d-%02d-%02d-%02d-",
                static_cast<long long>(version), static_cast<long long>(t.year), t.month, t.day,
                t.hour, t.minute, t.second);
  std::string name(stream_name);
  name += stamp;
  name += id;
  name += FileExtension(compression);
  return name;
}

}  // namespace sluice::delivery
