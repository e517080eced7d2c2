// Appends, reads, segment rolls, the sparse index and time lookups.
#include "log/log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "log/format.h"
#include "log/testing/test_util.h"

namespace sluice::log {
namespace {

using testing::MakeRecords;
using testing::OwnedRecord;
using testing::ReadAllData;
using testing::ScratchDir;
using testing::TestOptions;
using testing::Views;

std::unique_ptr<Log> OpenOrDie(const LogOptions& o) {
  Result<std::unique_ptr<Log>> log = Log::Open(o);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

TEST(LogTest, AppendThenReadReturnsTheSameRecords) {
  ScratchDir dir;
  ManualClock clock(5000);
  LogOptions o = TestOptions(dir.path());
  o.clock = &clock;
  auto log = OpenOrDie(o);
  std::vector<OwnedRecord> in = MakeRecords("r", 3);
  in[1].hash = HashKey{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1};
  in[2].arrival_ms = 42;
  Result<AppendResult> a = log->Append(Views(in));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->first_offset, Offset(0));
  EXPECT_EQ(a->last_offset, Offset(2));
  EXPECT_EQ(log->EndOffset(), Offset(3));

  Result<ReadResult> r = log->Read(Offset(0), 10, 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->records.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r->records[i].offset, Offset(i));
    EXPECT_EQ(r->records[i].partition_key, in[i].key);
    EXPECT_EQ(r->records[i].data, in[i].data);
    EXPECT_EQ(r->records[i].explicit_hash_key, in[i].hash);
  }
  EXPECT_EQ(r->records[0].arrival_ms, 5000);
  EXPECT_EQ(r->records[2].arrival_ms, 42);
  EXPECT_EQ(r->next_offset, Offset(3));
}

TEST(LogTest, OffsetsAreDenseAcrossAppends) {
  ScratchDir dir;
  auto log = OpenOrDie(TestOptions(dir.path()));
  for (int i = 0; i < 5; ++i) {
    const std::vector<OwnedRecord> in = MakeRecords("b" + std::to_string(i), i + 1);
    Result<AppendResult> a = log->Append(Views(in));
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->last_offset.value() - a->first_offset.value() + 1, static_cast<uint64_t>(i + 1));
  }
  EXPECT_EQ(log->EndOffset(), Offset(15));
  EXPECT_EQ(ReadAllData(*log).size(), 15u);
}

TEST(LogTest, ReadStartsInsideABatchAndHonoursTheRecordLimit) {
  ScratchDir dir;
  auto log = OpenOrDie(TestOptions(dir.path()));
  ASSERT_TRUE(log->Append(Views(MakeRecords("x", 10))).ok());
  Result<ReadResult> r = log->Read(Offset(4), 3, 1 << 20);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_EQ(r->records[0].data, "x-4");
  EXPECT_EQ(r->next_offset, Offset(7));
}

TEST(LogTest, ByteLimitStopsTheReadButOneRecordAlwaysComesBack) {
  ScratchDir dir;
  auto log = OpenOrDie(TestOptions(dir.path()));
  ASSERT_TRUE(log->Append(Views(MakeRecords("x", 4, 1000))).ok());
  Result<ReadResult> r = log->Read(Offset(0), 100, 2500);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), 2u);  // each record is 1000 bytes of data + a 5-byte key
  Result<ReadResult> tiny = log->Read(Offset(0), 100, 10);
  ASSERT_TRUE(tiny.ok());
  EXPECT_EQ(tiny->records.size(), 1u);
}

TEST(LogTest, ReadAtTheEndIsEmptyAndBeyondItIsInvalid) {
  ScratchDir dir;
  auto log = OpenOrDie(TestOptions(dir.path()));
  ASSERT_TRUE(log->Append(Views(MakeRecords("x", 2))).ok());
  Result<ReadResult> r = log->Read(Offset(2), 10, 1000);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(r->next_offset, Offset(2));
  EXPECT_EQ(log->Read(Offset(3), 10, 1000).status().code(), StatusCode::kInvalidArgument);
}

TEST(LogTest, RecordsOutliveLaterAppendsAndMoves) {
  ScratchDir dir;
  auto log = OpenOrDie(TestOptions(dir.path()));
  ASSERT_TRUE(log->Append(Views(MakeRecords("keep", 3))).ok());
  Result<ReadResult> r = log->Read(Offset(0), 10, 1 << 20);
  ASSERT_TRUE(r.ok());
  ReadResult moved = std::move(r).value();
  ASSERT_TRUE(log->Append(Views(MakeRecords("other", 3))).ok());
  EXPECT_EQ(moved.records[2].data, "keep-2");
}

TEST(LogTest, SegmentsRollAtTheConfiguredSizeAndReadsCrossThem) {
  ScratchDir dir;
  LogOptions o = TestOptions(dir.path());
  o.segment_bytes = 8192;
  auto log = OpenOrDie(o);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(log->Append(Views(MakeRecords("s" + std::to_string(i), 4, 200))).ok());
  const std::vector<std::string> names = testing::ListDir(dir.path());
  EXPECT_GT(std::count_if(names.begin(), names.end(), [](const std::string& n) { return n.ends_with(".log"); }), 3);
  EXPECT_EQ(names.front(), "00000000000000000000.index");
  for (const std::string& n : names) {
    if (!n.ends_with(".log")) continue;
    EXPECT_LE(std::filesystem::file_size(dir.File(n)), o.segment_bytes) << n;
    EXPECT_EQ(n.size(), 24u) << n;
  }
  const std::vector<std::string> all = ReadAllData(*log);
  ASSERT_EQ(all.size(), 160u);
  EXPECT_EQ(all[159].substr(0, 6), "s39-3.");
  // A read that starts in one segment and ends in the next.
  Result<ReadResult> r = log->Read(Offset(10), 100, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), 100u);
  for (size_t i = 0; i < r->records.size(); ++i) EXPECT_EQ(r->records[i].offset, Offset(10 + i));
}

TEST(LogTest, SegmentsRollOnAgeSoAQuietLogCanExpire) {
  ScratchDir dir;
  ManualClock clock;
  LogOptions o = TestOptions(dir.path());
  o.clock = &clock;
  o.segment_max_age_ms = 60'000;
  auto log = OpenOrDie(o);
  ASSERT_TRUE(log->Append(Views(MakeRecords("a", 1))).ok());
  clock.Advance(30'000);
  ASSERT_TRUE(log->Append(Views(MakeRecords("b", 1))).ok());
  EXPECT_EQ(testing::ListDir(dir.path()).size(), 1u);
  clock.Advance(31'000);
  ASSERT_TRUE(log->Append(Views(MakeRecords("c", 1))).ok());
  EXPECT_TRUE(std::filesystem::exists(dir.File("00000000000000000002.log")));
}

TEST(LogTest, ReopenContinuesAtTheNextOffset) {
  ScratchDir dir;
  LogOptions o = TestOptions(dir.path());
  o.segment_bytes = 4096;
  {
    auto log = OpenOrDie(o);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->Append(Views(MakeRecords("x", 3, 100))).ok());
    ASSERT_TRUE(log->Close().ok());
  }
  auto log = OpenOrDie(o);
  EXPECT_EQ(log->EndOffset(), Offset(60));
  Result<AppendResult> a = log->Append(Views(MakeRecords("y", 1)));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first_offset, Offset(60));
  EXPECT_EQ(ReadAllData(*log).size(), 61u);
}

TEST(LogTest, AppendAfterCloseIsUnavailableButReadsStillWork) {
  ScratchDir dir;
  auto log = OpenOrDie(TestOptions(dir.path()));
  ASSERT_TRUE(log->Append(Views(MakeRecords("x", 2))).ok());
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(log->Append(Views(MakeRecords("y", 1))).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(ReadAllData(*log).size(), 2u);
  EXPECT_TRUE(log->Close().ok());
}

TEST(LogTest, TimeLookupFindsTheFirstRecordAtOrAfterT) {
  ScratchDir dir;
  LogOptions o = TestOptions(dir.path());
  o.segment_bytes = 4096;
  o.index_interval_bytes = 256;
  auto log = OpenOrDie(o);
  // Arrivals 1000, 1010, ... with one producer clock step back at offset 50.
  for (int i = 0; i < 100; ++i) {
    std::vector<OwnedRecord> in = MakeRecords("t" + std::to_string(i), 1, 100);
    in[0].arrival_ms = i == 50 ? 900 : 1000 + 10 * i;
    ASSERT_TRUE(log->Append(Views(in)).ok());
  }
  const auto at = [&](int64_t t) {
    Result<Offset> r = log->OffsetForTimestamp(t);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->value() : UINT64_MAX;
  };
  EXPECT_EQ(at(0), 0u);
  EXPECT_EQ(at(1000), 0u);
  EXPECT_EQ(at(1001), 1u);
  EXPECT_EQ(at(1495), 51u);  // offset 50 arrived at 900
  EXPECT_EQ(at(1490), 49u);
  EXPECT_EQ(at(1990), 99u);
  EXPECT_EQ(at(5000), 100u);  // none: the end
  EXPECT_EQ(at(950), 0u);
}

TEST(LogTest, TimeLookupSurvivesReopenWithPersistedIndexes) {
  ScratchDir dir;
  LogOptions o = TestOptions(dir.path());
  o.segment_bytes = 4096;
  {
    auto log = OpenOrDie(o);
    for (int i = 0; i < 100; ++i) {
      std::vector<OwnedRecord> in = MakeRecords("t", 1, 100);
      in[0].arrival_ms = 1000 + i;
      ASSERT_TRUE(log->Append(Views(in)).ok());
    }
  }
  auto log = OpenOrDie(o);
  Result<Offset> r = log->OffsetForTimestamp(1077);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, Offset(77));
}

// Writes a multi-segment log, lets `damage` alter the first index, reopens and checks
// reads and time lookups still work and the index was written again.
void CheckIndexRebuild(const std::function<void(const std::string&)>& damage) {
  ScratchDir dir;
  LogOptions o = TestOptions(dir.path());
  o.segment_bytes = 8192;
  o.index_interval_bytes = 512;
  std::vector<std::string> warnings;
  o.on_warning = [&](std::string_view w) { warnings.emplace_back(w); };
  {
    auto log = OpenOrDie(o);
    for (int i = 0; i < 60; ++i) {
      std::vector<OwnedRecord> in = MakeRecords("i" + std::to_string(i), 2, 150);
      in[0].arrival_ms = in[1].arrival_ms = 10'000 + i;
      ASSERT_TRUE(log->Append(Views(in)).ok());
    }
  }
  const std::string index = dir.File("00000000000000000000.index");
  const std::string good = testing::ReadFileBytes(index);
  ASSERT_FALSE(good.empty());
  damage(index);
  auto log = OpenOrDie(o);
  EXPECT_EQ(testing::ReadFileBytes(index), good);
  const std::vector<std::string> all = ReadAllData(*log);
  ASSERT_EQ(all.size(), 120u);
  Result<ReadResult> r = log->Read(Offset(17), 1, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records[0].data.substr(0, 5), "i8-1.");
  Result<Offset> t = log->OffsetForTimestamp(10'008);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, Offset(16));
}

TEST(LogTest, MissingIndexIsRebuiltFromTheSegment) {
  CheckIndexRebuild([](const std::string& index) { std::filesystem::remove(index); });
}

TEST(LogTest, DamagedIndexIsRebuiltFromTheSegment) {
  CheckIndexRebuild([](const std::string& index) {
    std::string bytes = testing::ReadFileBytes(index);
    bytes[bytes.size() / 2] ^= 0x40;
    testing::WriteFileBytes(index, bytes);
  });
}

TEST(LogTest, IndexOfAnotherSizeIsRebuilt) {
  CheckIndexRebuild([](const std::string& index) {
    // A valid index file describing a different segment (as after a crash mid-roll).
    Result<format::IndexFile> f = format::DecodeIndexFile(testing::ReadFileBytes(index));
    ASSERT_TRUE(f.ok());
    f->segment_bytes -= 1;
    f->entries.pop_back();
    testing::WriteFileBytes(index, format::EncodeIndexFile(*f));
  });
}

TEST(LogTest, ReadsRunConcurrentlyWithAppends) {
  ScratchDir dir;
  LogOptions o = TestOptions(dir.path());
  o.segment_bytes = 16384;
  auto log = OpenOrDie(o);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    Offset at(0);
    while (!done.load() || at < log->EndOffset()) {
      Result<ReadResult> r = log->Read(at, 50, 1 << 20);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      for (const Record& rec : r->records) {
        ASSERT_EQ(rec.offset, at);
        ASSERT_EQ(rec.data.substr(0, 1), "c");
        at = Offset(at.value() + 1);
      }
    }
  });
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(log->Append(Views(MakeRecords("c", 5, 64))).ok());
  done = true;
  reader.join();
}

}  // namespace
}  // namespace sluice::log
