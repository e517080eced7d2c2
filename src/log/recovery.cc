#include "log/recovery.h"

#include <algorithm>

#include "base/crc32c.h"

namespace sluice::log {
namespace {

// Scans read ahead in large chunks: with small batches, two preads per batch would
// make recovery of a 128 MiB segment take seconds.
constexpr size_t kScanChunk = 1u << 20;

class ChunkReader {
 public:
  ChunkReader(const RandomAccessFile& f, uint64_t file_size) : f_(f), file_size_(file_size) {}

  // A pointer to bytes [pos, pos + n), which the caller knows are inside the file.
  Result<const char*> Get(uint64_t pos, size_t n) {
    if (pos >= start_ && pos + n <= start_ + buf_.size()) return buf_.data() + (pos - start_);
    const size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(n, kScanChunk), file_size_ - pos));
    buf_.resize(want);
    ASSIGN_OR_RETURN(const size_t got, f_.Read(pos, std::span<char>(buf_.data(), want)));
    if (got < n) return Status::IOError("file shrank while being scanned");
    buf_.resize(got);
    start_ = pos;
    return buf_.data();
  }

 private:
  const RandomAccessFile& f_;
  const uint64_t file_size_;
  std::vector<char> buf_;
  uint64_t start_ = 0;
};

std::string NewerVersionMessage(const std::string& path, uint64_t pos, uint8_t version) {
  return path + ": batch at position " + std::to_string(pos) + " has format version " +
         std::to_string(version) + ", newer than the supported " + std::to_string(format::kFormatVersion);
}

}  // namespace

std::string JoinPath(const std::string& dir, std::string_view name) {
  std::string p = dir;
  if (!p.empty() && p.back() != '/') p += '/';
  p += name;
  return p;
}

Result<ScanOutcome> ScanSegment(Segment& seg, uint64_t file_size) {
  ASSIGN_OR_RETURN(const FileCache::Handle file, seg.OpenFile());
  ChunkReader reader(*file, file_size);
  uint64_t pos = 0;
  uint64_t expected = seg.base().value();
  const auto stop = [&](std::string why) {
    return ScanOutcome{pos, "at position " + std::to_string(pos) + ": " + std::move(why)};
  };
  while (pos < file_size) {
    if (file_size - pos < format::kBatchHeaderSize) return stop("incomplete batch header");
    ASSIGN_OR_RETURN(const char* p, reader.Get(pos, format::kBatchHeaderSize));
    format::BatchHeader h;
    switch (format::DecodeBatchHeader(std::span<const char, format::kBatchHeaderSize>(p, format::kBatchHeaderSize), &h)) {
      case format::HeaderCheck::kValid: break;
      case format::HeaderCheck::kBadMagic: return stop("no batch magic (zeroed or garbage bytes)");
      case format::HeaderCheck::kBadCrc: return stop("batch header checksum mismatch");
      case format::HeaderCheck::kBadLength: return stop("batch header has impossible lengths");
      case format::HeaderCheck::kNewerVersion:
        return Status::NotSupported(NewerVersionMessage(seg.path(), pos, h.version));
    }
    if (h.base_offset != expected) {
      return stop("batch starts at offset " + std::to_string(h.base_offset) + ", expected " +
                  std::to_string(expected));
    }
    const uint64_t total = format::kBatchHeaderSize + uint64_t{h.payload_len};
    if (file_size - pos < total) return stop("batch runs past the end of the file");
    ASSIGN_OR_RETURN(const char* batch, reader.Get(pos, static_cast<size_t>(total)));
    if (crc32c::Value(batch + format::kBatchHeaderSize, h.payload_len) != h.payload_crc) {
      return stop("batch payload checksum mismatch");
    }
    seg.OnBatch(h, total);
    pos += total;
    expected += h.record_count;
  }
  return ScanOutcome{pos, ""};
}

Status CheckFirstBatchVersion(const Segment& seg) {
  char buf[format::kBatchHeaderSize];
  ASSIGN_OR_RETURN(const FileCache::Handle file, seg.OpenFile());
  ASSIGN_OR_RETURN(const size_t n, file->Read(0, std::span<char>(buf, sizeof(buf))));
  if (n < sizeof(buf)) return Status::OK();
  format::BatchHeader h;
  if (format::DecodeBatchHeader(std::span<const char, format::kBatchHeaderSize>(buf, sizeof(buf)), &h) ==
      format::HeaderCheck::kNewerVersion) {
    return Status::NotSupported(NewerVersionMessage(seg.path(), 0, h.version));
  }
  return Status::OK();
}

Result<SealedSegment> OpenSealedSegment(FileSystem& fs, FileCache& cache, const std::string& dir, Offset base,
                                        Offset next_base, uint64_t index_interval, const WarningSink& warn) {
  const std::string path = JoinPath(dir, format::SegmentFileName(base));
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs.OpenReadable(path));
  ASSIGN_OR_RETURN(const uint64_t size, file->Size());
  auto seg = std::make_shared<Segment>(path, base, fs, cache, std::move(file), index_interval);
  RETURN_IF_ERROR(CheckFirstBatchVersion(*seg));

  const std::string index_path = JoinPath(dir, format::IndexFileName(base));
  Result<std::string> bytes = ReadWholeFile(fs, index_path);
  if (bytes.ok()) {
    Result<format::IndexFile> idx = format::DecodeIndexFile(*bytes);
    if (idx.ok() && idx->base_offset == base && idx->next_offset == next_base && idx->segment_bytes == size) {
      seg->LoadIndex(*idx);
      return SealedSegment{std::move(seg), false};
    }
    warn(index_path + ": " + (idx.ok() ? std::string("does not match its segment") : idx.status().ToString()) +
         "; rebuilding it");
  }

  ASSIGN_OR_RETURN(const ScanOutcome scan, ScanSegment(*seg, size));
  if (!scan.stop_reason.empty() || seg->next_offset() != next_base) {
    // Never truncate a sealed segment: its records were acknowledged. Readers that
    // reach the damage get Corruption; the offsets after it stay addressable.
    warn(path + ": damaged " + (scan.stop_reason.empty() ? "(records missing at the end)" : scan.stop_reason) +
         "; reads reaching it will fail");
    seg->SetNextOffset(next_base);
    return SealedSegment{std::move(seg), false};
  }
  return SealedSegment{std::move(seg), true};
}

Result<LastSegment> ScanLastSegment(FileSystem& fs, FileCache& cache, const std::string& dir, Offset base,
                                    uint64_t index_interval) {
  const std::string path = JoinPath(dir, format::SegmentFileName(base));
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, fs.OpenReadable(path));
  ASSIGN_OR_RETURN(const uint64_t size, file->Size());
  auto seg = std::make_shared<Segment>(path, base, fs, cache, std::move(file), index_interval);
  ASSIGN_OR_RETURN(const ScanOutcome scan, ScanSegment(*seg, size));
  return LastSegment{std::move(seg), size, scan.valid_bytes, scan.stop_reason};
}

}  // namespace sluice::log
