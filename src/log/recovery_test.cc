// Recovery at open: torn tails, damage in sealed segments, newer format versions.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "log/format.h"
#include "log/log.h"
#include "log/testing/test_util.h"

namespace sluice::log {
namespace {

using testing::MakeRecords;
using testing::ReadAllData;
using testing::ReadFileBytes;
using testing::ScratchDir;
using testing::TestOptions;
using testing::Views;
using testing::WriteFileBytes;

constexpr char kFirst[] = "00000000000000000000.log";

struct Fixture {
  ScratchDir dir;
  LogOptions opts;
  std::vector<std::string> warnings;

  explicit Fixture(uint64_t segment_bytes = 128ull << 20) {
    opts = TestOptions(dir.path());
    opts.segment_bytes = segment_bytes;
    opts.on_warning = [this](std::string_view w) { warnings.emplace_back(w); };
  }
  // Appends `batches` one-record batches "d<i>" of ~100 bytes, then closes.
  void Fill(int batches) {
    Result<std::unique_ptr<Log>> log = Log::Open(opts);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int i = 0; i < batches; ++i) {
      ASSERT_TRUE((*log)->Append(Views(MakeRecords("d" + std::to_string(i), 1, 100))).ok());
    }
    ASSERT_TRUE((*log)->Close().ok());
  }
  std::unique_ptr<Log> Reopen() {
    Result<std::unique_ptr<Log>> log = Log::Open(opts);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }
  std::string LastSegment() const {
    const std::vector<std::string> names = testing::ListDir(dir.path());
    std::string last;
    for (const std::string& n : names) {
      if (n.ends_with(".log")) last = n;
    }
    return dir.File(last);
  }
  std::map<std::string, std::string> Snapshot() const {
    std::map<std::string, std::string> files;
    for (const std::string& n : testing::ListDir(dir.path())) files[n] = ReadFileBytes(dir.File(n));
    return files;
  }
};

// A valid-looking batch written by a future version of the format.
std::string NewerVersionBatch(Offset base) {
  Result<std::vector<char>> batch = format::EncodeBatch(Views(MakeRecords("future", 1)), 1);
  EXPECT_TRUE(batch.ok());
  format::SetBaseOffset(*batch, base);
  format::BatchHeader h;
  EXPECT_EQ(format::DecodeBatchHeader(std::span<const char, format::kBatchHeaderSize>(batch->data(), 48), &h),
            format::HeaderCheck::kValid);
  h.version = format::kFormatVersion + 1;
  format::EncodeBatchHeader(h, batch->data());
  return std::string(batch->begin(), batch->end());
}

TEST(RecoveryTest, TruncatedTailIsIgnored) {
  Fixture f;
  f.Fill(10);
  const std::string seg = f.dir.File(kFirst);
  const std::string bytes = ReadFileBytes(seg);
  WriteFileBytes(seg, bytes.substr(0, bytes.size() - 30));  // cut inside the last batch
  auto log = f.Reopen();
  ASSERT_TRUE(log);
  EXPECT_EQ(log->EndOffset(), Offset(9));
  ASSERT_EQ(f.warnings.size(), 1u);
  const size_t batch_size = bytes.size() / 10;
  EXPECT_NE(f.warnings[0].find("dropped " + std::to_string(batch_size - 30) + " bytes"), std::string::npos)
      << f.warnings[0];
  EXPECT_EQ(std::filesystem::file_size(seg), bytes.size() - batch_size);
  Result<AppendResult> a = log->Append(Views(MakeRecords("after", 1)));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first_offset, Offset(9));
  const std::vector<std::string> all = ReadAllData(*log);
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(all[9], "after-0");
}

TEST(RecoveryTest, TailCutInsideABatchHeaderIsIgnored) {
  Fixture f;
  f.Fill(3);
  const std::string seg = f.dir.File(kFirst);
  const std::string bytes = ReadFileBytes(seg);
  const size_t batch_size = bytes.size() / 3;
  WriteFileBytes(seg, bytes.substr(0, 2 * batch_size + 20));
  auto log = f.Reopen();
  ASSERT_TRUE(log);
  EXPECT_EQ(log->EndOffset(), Offset(2));
}

TEST(RecoveryTest, ZeroFilledTailIsTruncated) {
  Fixture f;
  f.Fill(5);
  const std::string seg = f.dir.File(kFirst);
  const std::string bytes = ReadFileBytes(seg);
  WriteFileBytes(seg, bytes + std::string(8192, '\0'));
  auto log = f.Reopen();
  ASSERT_TRUE(log);
  EXPECT_EQ(log->EndOffset(), Offset(5));
  EXPECT_EQ(ReadFileBytes(seg), bytes);
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_NE(f.warnings[0].find("dropped 8192 bytes"), std::string::npos) << f.warnings[0];
}

TEST(RecoveryTest, GarbageAfterValidDataIsTruncated) {
  Fixture f;
  f.Fill(5);
  const std::string seg = f.dir.File(kFirst);
  const std::string bytes = ReadFileBytes(seg);
  // Garbage that starts like a batch: a copy of the first batch (wrong offset).
  WriteFileBytes(seg, bytes + bytes.substr(0, bytes.size() / 5) + "not a batch at all");
  auto log = f.Reopen();
  ASSERT_TRUE(log);
  EXPECT_EQ(log->EndOffset(), Offset(5));
  EXPECT_EQ(ReadFileBytes(seg), bytes);
  EXPECT_EQ(ReadAllData(*log).size(), 5u);
}

TEST(RecoveryTest, FlippedPayloadBitInTheTailBatchDropsOnlyThatTail) {
  Fixture f;
  f.Fill(4);
  const std::string seg = f.dir.File(kFirst);
  std::string bytes = ReadFileBytes(seg);
  bytes[bytes.size() - 5] ^= 0x01;
  WriteFileBytes(seg, bytes);
  auto log = f.Reopen();
  ASSERT_TRUE(log);
  EXPECT_EQ(log->EndOffset(), Offset(3));
}

// Flips one payload byte of batch 3 of the first (sealed) segment.
void CheckSealedDamageIsReported(bool remove_index) {
  Fixture f(4096);
  f.Fill(80);
  const std::string seg = f.dir.File(kFirst);
  std::string bytes = ReadFileBytes(seg);
  const size_t batch_size = 48 + 16 + 5 + 100;  // header + record header + key + data
  ASSERT_EQ(bytes.size() % batch_size, 0u);
  bytes[3 * batch_size + 100] ^= 0x04;
  WriteFileBytes(seg, bytes);
  if (remove_index) std::filesystem::remove(f.dir.File("00000000000000000000.index"));
  const auto before = f.Snapshot();
  auto log = f.Reopen();
  ASSERT_TRUE(log);
  // Never truncated: the sealed segment's bytes are as they were.
  EXPECT_EQ(ReadFileBytes(seg), before.at(kFirst));
  EXPECT_EQ(log->EndOffset(), Offset(80));

  Result<ReadResult> head = log->Read(Offset(0), 100, 1 << 20);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->records.size(), 3u);  // stops before the damage
  EXPECT_EQ(head->next_offset, Offset(3));
  Result<ReadResult> bad = log->Read(Offset(3), 100, 1 << 20);
  ASSERT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find(kFirst), std::string::npos) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("position " + std::to_string(3 * batch_size)), std::string::npos)
      << bad.status().ToString();
  // The rest of the log is still served.
  const uint64_t next_segment = bytes.size() / batch_size;
  Result<ReadResult> later = log->Read(Offset(next_segment), 10, 1 << 20);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  EXPECT_EQ(later->records.size(), 10u);
}

TEST(RecoveryTest, FlippedBitInASealedSegmentIsReportedNotServed) { CheckSealedDamageIsReported(false); }

TEST(RecoveryTest, FlippedBitInASealedSegmentWithoutIndexIsReportedNotServed) {
  CheckSealedDamageIsReported(true);
}

TEST(RecoveryTest, NewerVersionSegmentIsRejectedAndLeftUnmodified) {
  Fixture f(4096);
  f.Fill(60);
  // Replace the first batch of the first segment with a newer-version batch of the
  // same size, and make the last segment's tail torn so a repair would be tempting.
  const std::string seg = f.dir.File(kFirst);
  std::string bytes = ReadFileBytes(seg);
  const std::string newer = NewerVersionBatch(Offset(0));
  ASSERT_EQ(newer.size(), 48u + 16 + 5 + 8);
  bytes.replace(0, newer.size(), newer);
  WriteFileBytes(seg, bytes);
  std::filesystem::remove(f.dir.File("00000000000000000000.index"));
  WriteFileBytes(f.LastSegment(), ReadFileBytes(f.LastSegment()) + "torn");
  const auto before = f.Snapshot();
  Result<std::unique_ptr<Log>> log = Log::Open(f.opts);
  ASSERT_EQ(log.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(log.status().message().find(kFirst), std::string::npos) << log.status().ToString();
  EXPECT_EQ(f.Snapshot(), before);
}

TEST(RecoveryTest, NewerVersionBatchInTheTailIsRejectedNotTruncated) {
  Fixture f;
  f.Fill(3);
  const std::string seg = f.dir.File(kFirst);
  WriteFileBytes(seg, ReadFileBytes(seg) + NewerVersionBatch(Offset(3)));
  const auto before = f.Snapshot();
  Result<std::unique_ptr<Log>> log = Log::Open(f.opts);
  ASSERT_EQ(log.status().code(), StatusCode::kNotSupported);
  EXPECT_NE(log.status().message().find(kFirst), std::string::npos);
  EXPECT_EQ(f.Snapshot(), before);
}

TEST(RecoveryTest, EmptyLastSegmentKeepsItsOffset) {
  Fixture f;
  f.Fill(2);
  std::filesystem::rename(f.dir.File(kFirst), f.dir.File("00000000000000000500.log"));
  WriteFileBytes(f.dir.File("00000000000000000700.log"), "");
  // The renamed segment's batches claim offsets 0.. so it reads as damaged; the point
  // here is only that the empty last segment sets the next offset.
  auto log = f.Reopen();
  ASSERT_TRUE(log);
  EXPECT_EQ(log->EndOffset(), Offset(700));
  Result<AppendResult> a = log->Append(Views(MakeRecords("x", 1)));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first_offset, Offset(700));
}

TEST(RecoveryTest, LeftoverTemporaryFilesAreRemoved) {
  Fixture f;
  f.Fill(1);
  WriteFileBytes(f.dir.File("00000000000000000000.index.tmp"), "partial");
  auto log = f.Reopen();
  ASSERT_TRUE(log);
  EXPECT_FALSE(std::filesystem::exists(f.dir.File("00000000000000000000.index.tmp")));
}

TEST(RecoveryTest, PendingSegmentLeftByACrashIsDroppedAndItsOffsetsReused) {
  // A crash after a roll, before the sealed segment was synced: the successor still
  // has its pending name. Nothing in it was acknowledged (acknowledgement waits for
  // the rename), so open removes it and the log continues at the sealed segment's end.
  Fixture f(4096);
  f.Fill(20);
  const std::string last = f.LastSegment();
  const std::string pending = last + ".tmp";
  std::filesystem::rename(last, pending);
  const std::string before = f.LastSegment();
  ASSERT_NE(before, last);
  auto log = f.Reopen();
  ASSERT_TRUE(log);
  EXPECT_FALSE(std::filesystem::exists(pending));
  EXPECT_TRUE(f.warnings.empty()) << f.warnings.front();
  const Offset end = log->EndOffset();
  EXPECT_LT(end, Offset(20));
  EXPECT_EQ(ReadAllData(*log).size(), end.value());
  Result<AppendResult> a = log->Append(Views(MakeRecords("again", 1)));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first_offset, end);
}

}  // namespace
}  // namespace sluice::log
