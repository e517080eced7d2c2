#include "base/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <stdexcept>

namespace sluice {
namespace {

// OpenSSL 3 looks an algorithm up by name (a locked table) each time it is handed
// EVP_md5() and the like; fetched once here, the lookup goes, which shows on short
// inputs (a Kinesis partition key per record). Fetched algorithms live as long as the
// process.
const EVP_MD* Fetched(const char* name) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) throw std::runtime_error(std::string("EVP_MD_fetch failed for ") + name);
  return md;
}

const EVP_MD* Md5Md() {
  static const EVP_MD* const md = Fetched("MD5");
  return md;
}
const EVP_MD* Sha1Md() {
  static const EVP_MD* const md = Fetched("SHA1");
  return md;
}
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = Fetched("SHA256");
  return md;
}

// One context per thread for the one-shot digests, initialised again for each call:
// no allocation per digest.
EVP_MD_CTX* ThreadContext() {
  struct Owner {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Owner() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Owner owner;
  if (owner.ctx == nullptr) throw std::runtime_error("EVP_MD_CTX_new failed");
  return owner.ctx;
}

template <size_t N>
std::array<uint8_t, N> Digest(const EVP_MD* md, std::string_view data) {
  std::array<uint8_t, N> out{};
  unsigned int len = 0;
  EVP_MD_CTX* ctx = ThreadContext();
  // Fails only on allocation failure inside OpenSSL: a broken invariant, not input.
  if (EVP_DigestInit_ex2(ctx, md, nullptr) != 1 || EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != N) {
    throw std::runtime_error("EVP digest failed");
  }
  return out;
}

}  // namespace

Sha256Digest Sha256(std::string_view data) { return Digest<32>(Sha256Md(), data); }
Md5Digest Md5(std::string_view data) { return Digest<16>(Md5Md(), data); }

namespace {

const EVP_MD* MdFor(HashStream::Kind kind) {
  switch (kind) {
    case HashStream::Kind::kMd5: return Md5Md();
    case HashStream::Kind::kSha1: return Sha1Md();
    case HashStream::Kind::kSha256: return Sha256Md();
  }
  return Md5Md();
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
  if (HMAC(Sha256Md(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &len) == nullptr ||
      len != out.size()) {
    throw std::runtime_error("HMAC failed");
  }
  return out;
}

}  // namespace sluice
