// Hashes the AWS protocols need: SHA-256 and HMAC-SHA256 for SigV4, MD5 for Kinesis
// hash keys and S3 ETags and Content-MD5, SHA-1 for S3 checksums.
// All functions are pure and thread-safe (OpenSSL's EVP calls, one context per thread).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/hex.h"

namespace sluice {

using Sha256Digest = std::array<uint8_t, 32>;
using Md5Digest = std::array<uint8_t, 16>;

Sha256Digest Sha256(std::string_view data);
Sha256Digest HmacSha256(std::string_view key, std::string_view data);
Md5Digest Md5(std::string_view data);

// A digest over data given in pieces (an object body as it arrives). Not thread-safe.
class HashStream {
 public:
  enum class Kind { kMd5, kSha1, kSha256 };
  explicit HashStream(Kind kind);
  ~HashStream();
  HashStream(const HashStream&) = delete;
  HashStream& operator=(const HashStream&) = delete;
  void Update(std::string_view data);
  // The raw digest of everything given so far; the stream then starts over.
  std::string Finish();

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of this header
  const void* md_;
};

class Md5Stream {
 public:
  void Update(std::string_view data) { hash_.Update(data); }
  Md5Digest Finish();

 private:
  HashStream hash_{HashStream::Kind::kMd5};
};

inline std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

}  // namespace sluice
