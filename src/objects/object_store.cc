#include "objects/object_store.h"

#include <functional>

#include "base/hash.h"

namespace sluice::objects {

ObjectError BadDigest() {
  return Err(S3Error::kBadDigest, "The Content-MD5 you specified did not match what we received.");
}

namespace {

// The default writer: gathers the bytes, then one Put or UploadPart.
class BufferedWriter final : public UploadWriter {
 public:
  using Sink = std::function<ObjResult<ObjectInfo>(std::string_view data)>;
  explicit BufferedWriter(Sink sink) : sink_(std::move(sink)) {}
  ObjStatus Append(std::string_view data) override {
    data_.append(data);
    return Done{};
  }
  uint64_t size() const override { return data_.size(); }
  ObjResult<ObjectInfo> Commit(const std::optional<Md5Digest>& expect_md5) override {
    if (expect_md5 && Md5(data_) != *expect_md5) return BadDigest();
    return sink_(data_);
  }

 private:
  Sink sink_;
  std::string data_;
};

}  // namespace

ObjResult<std::unique_ptr<UploadWriter>> ObjectStore::NewObjectWriter(std::string_view bucket,
                                                                      std::string_view key,
                                                                      const ObjectMeta& meta) {
  return std::unique_ptr<UploadWriter>(std::make_unique<BufferedWriter>(
      [this, b = std::string(bucket), k = std::string(key), meta](std::string_view data) {
        return Put(b, k, data, meta);
      }));
}

ObjResult<std::unique_ptr<UploadWriter>> ObjectStore::NewPartWriter(std::string_view bucket,
                                                                    std::string_view key,
                                                                    std::string_view upload_id,
                                                                    int part_number) {
  return std::unique_ptr<UploadWriter>(std::make_unique<BufferedWriter>(
      [this, b = std::string(bucket), k = std::string(key), u = std::string(upload_id),
       part_number](std::string_view data) -> ObjResult<ObjectInfo> {
        ASSIGN_OR_RETURN(PartInfo p, UploadPart(b, k, u, part_number, data));
        return ObjectInfo{k, p.size, p.etag, p.last_modified_ms, {}};
      }));
}

std::string MultipartEtag(const std::vector<std::string>& part_md5_hex) {
  std::string binary;
  binary.reserve(part_md5_hex.size() * 16);
  for (std::string_view hex : part_md5_hex) {
    if (hex.size() == 34 && hex.front() == '"' && hex.back() == '"') hex = hex.substr(1, 32);
    if (hex.size() != 32) return {};
    for (size_t i = 0; i < 32; i += 2) {
      const int hi = HexDigitValue(hex[i]), lo = HexDigitValue(hex[i + 1]);
      if (hi < 0 || lo < 0) return {};
      binary.push_back(static_cast<char>(hi * 16 + lo));
    }
  }
  return HexEncode(Md5(binary)) + "-" + std::to_string(part_md5_hex.size());
}

std::optional<std::pair<uint64_t, uint64_t>> ResolveRange(const RangeSpec& range, uint64_t size) {
  if (!range.first) {
    // Suffix: the last N bytes; N larger than the object means all of it.
    if (!range.last || *range.last == 0 || size == 0) return std::nullopt;
    const uint64_t n = std::min(*range.last, size);
    return std::make_pair(size - n, size - 1);
  }
  if (*range.first >= size) return std::nullopt;
  uint64_t last = range.last ? std::min(*range.last, size - 1) : size - 1;
  if (last < *range.first) return std::nullopt;
  return std::make_pair(*range.first, last);
}

}  // namespace sluice::objects
