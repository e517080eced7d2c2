// Non-cryptographic randomness for identifiers that must not collide in practice
// (request ids, temporary file names, upload ids) and for retry jitter. One generator
// per thread, seeded from std::random_device, so calls never contend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sluice {

uint64_t RandomU64();
// `bytes` random bytes as 2*bytes lower-case hex digits.
std::string RandomHex(size_t bytes);

}  // namespace sluice
