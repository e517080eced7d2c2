#include "base/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <stdexcept>

namespace sluice {
namespace {

template <size_t N>
std::array<uint8_t, N> Digest(const EVP_MD* md, std::string_view data) {
  std::array<uint8_t, N> out{};
  unsigned int len = 0;
  // Fails only on allocation failure inside OpenSSL: a broken invariant, not input.
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr) != 1 || len != N) {
    throw std::runtime_error("EVP_Digest failed");
  }
  return out;
}

}  // namespace

Sha256Digest Sha256(std::string_view data) { return Digest<32>(EVP_sha256(), data); }
Md5Digest Md5(std::string_view data) { return Digest<16>(EVP_md5(), data); }

namespace {

const EVP_MD* MdFor(HashStream::Kind kind) {
  switch (kind) {
    case HashStream::Kind::kMd5: return EVP_md5();
    case HashStream::Kind::kSha1: return EVP_sha1();
    case HashStream::Kind::kSha256: return EVP_sha256();
  }
  return EVP_md5();
}

}  // namespace

HashStream::HashStream(Kind kind) : ctx_(EVP_MD_CTX_new()), md_(MdFor(kind)) {
  if (ctx_ == nullptr ||
      EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), static_cast<const EVP_MD*>(md_), nullptr) != 1) {
    throw std::runtime_error("EVP_DigestInit_ex failed");
  }
}

HashStream::~HashStream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void HashStream::Update(std::string_view data) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) != 1) {
    throw std::runtime_error("EVP_DigestUpdate failed");
  }
}

std::string HashStream::Finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  if (EVP_DigestFinal_ex(ctx, out, &len) != 1 ||
      EVP_DigestInit_ex(ctx, static_cast<const EVP_MD*>(md_), nullptr) != 1) {
    throw std::runtime_error("EVP_DigestFinal_ex failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

Md5Digest Md5Stream::Finish() {
  const std::string d = hash_.Finish();
  Md5Digest out{};
  std::copy(d.begin(), d.end(), out.begin());
  return out;
}

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  Sha256Digest out{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &len) == nullptr ||
      len != out.size()) {
    throw std::runtime_error("HMAC failed");
  }
  return out;
}

}  // namespace sluice
