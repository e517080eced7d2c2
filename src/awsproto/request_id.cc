#include "awsproto/request_id.h"

#include <fmt/format.h>

#include "base/random.h"

namespace sluice::awsproto {

std::string NewUuidRequestId() {
  const uint64_t a = RandomU64(), b = RandomU64();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFF,
                     0x8000 | (b >> 48 & 0x3FFF), b & 0xFFFFFFFFFFFFull);
}

std::string NewS3RequestId() { return fmt::format("{:016X}", RandomU64()); }

}  // namespace sluice::awsproto
