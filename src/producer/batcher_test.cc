#include "producer/batcher.h"

#include <gtest/gtest.h>

#include "producer/rate_limiter.h"

namespace sluice::producer {
namespace {

aws::PutRecordsEntry Entry(size_t data_bytes, std::string key = "k") {
  return aws::PutRecordsEntry{std::string(data_bytes, 'd'), std::move(key), ""};
}

// Feeds entries the way the producer does and returns the batch sizes produced.
std::vector<Batch> Feed(Batcher& b, std::vector<aws::PutRecordsEntry> entries) {
  std::vector<Batch> out;
  for (auto& e : entries) {
    EXPECT_TRUE(b.Check(e).ok());
    if (!b.Fits(e)) out.push_back(b.Take());
    b.Add(std::move(e));
    if (b.full()) out.push_back(b.Take());
  }
  if (!b.empty()) out.push_back(b.Take());
  return out;
}

TEST(Batcher, AtMost500RecordsPerBatch) {
  Batcher b;
  std::vector<aws::PutRecordsEntry> entries;
  for (int i = 0; i < 1234; ++i) entries.push_back(Entry(10));
  const std::vector<Batch> batches = Feed(b, std::move(entries));
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].records.size(), 500u);
  EXPECT_EQ(batches[1].records.size(), 500u);
  EXPECT_EQ(batches[2].records.size(), 234u);
}

TEST(Batcher, AtMostFiveMiBPerBatchCountingKeys) {
  Batcher b;
  std::vector<aws::PutRecordsEntry> entries;
  // 1 MiB minus the key: exactly 1 MiB each, so five fill a batch.
  for (int i = 0; i < 11; ++i) entries.push_back(Entry((1 << 20) - 1, "k"));
  const std::vector<Batch> batches = Feed(b, std::move(entries));
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].records.size(), 5u);
  EXPECT_EQ(batches[0].bytes, 5u << 20);
  EXPECT_EQ(batches[2].records.size(), 1u);
  for (const Batch& batch : batches) EXPECT_LE(batch.bytes, 5u << 20);
}

TEST(Batcher, ARecordThatDoesNotFitStartsTheNextBatch) {
  constexpr size_t kMiB = 1 << 20;
  Batcher b;
  // Four records of exactly 1 MiB and one of 1 MiB - 1 byte: 5 MiB - 1 byte.
  std::vector<aws::PutRecordsEntry> entries;
  for (int i = 0; i < 4; ++i) entries.push_back(Entry(kMiB - 1));
  entries.push_back(Entry(kMiB - 2));
  entries.push_back(Entry(0));  // costs 1 byte (its key): fits exactly
  entries.push_back(Entry(0));  // one byte too many: starts the next batch
  const std::vector<Batch> batches = Feed(b, std::move(entries));
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].records.size(), 6u);
  EXPECT_EQ(batches[0].bytes, 5 * kMiB);
  EXPECT_EQ(batches[1].records.size(), 1u);
}

TEST(Batcher, RecordsOverTheLimitsAreRefusedUpFront) {
  Batcher b;
  EXPECT_TRUE(b.Check(Entry((1 << 20) - 1, "k")).ok());
  EXPECT_EQ(b.Check(Entry(1 << 20, "k")).code(), StatusCode::kInvalidArgument) << "data + key over 1 MiB";
  EXPECT_EQ(b.Check(Entry(10, "")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(b.Check(Entry(10, std::string(257, 'k'))).code(), StatusCode::kInvalidArgument);
  // 256 characters of two-byte UTF-8 are allowed: the limit is on characters.
  std::string key;
  for (int i = 0; i < 256; ++i) key += "\xc3\xa9";
  EXPECT_TRUE(b.Check(Entry(10, key)).ok());
}

TEST(TokenBucket, BurstThenSteadyRate) {
  TokenBucket bucket(100, 10, 0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(bucket.Take(1, 0), 0) << "within the burst";
  EXPECT_EQ(bucket.Take(1, 0), 10'000) << "one token at 100/s is 10 ms away";
  EXPECT_EQ(bucket.Take(1, 20'000), 0) << "after the wait, paid off and one more earned";
}

TEST(TokenBucket, LargeRequestsAreDelayedNotStarved) {
  TokenBucket bucket(1000, 100, 0);
  EXPECT_EQ(bucket.Take(500, 0), 400'000);
}

TEST(TokenBucket, IdleTimeDoesNotBankMoreThanTheBurst) {
  TokenBucket bucket(10, 5, 0);
  EXPECT_EQ(bucket.Take(5, 100'000'000), 0);
  EXPECT_GT(bucket.Take(1, 100'000'000), 0);
}

TEST(Backoff, FullJitterStaysUnderTheExponentialCeilingAndTheCap) {
  Rng rng(3);
  const BackoffPolicy p{100, 2000};
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const int64_t ceiling = std::min<int64_t>(2000, 100LL << (attempt - 1));
    int64_t max_seen = 0;
    for (int i = 0; i < 2000; ++i) {
      const int64_t d = BackoffDelayMs(p, attempt, rng);
      ASSERT_GE(d, 0);
      ASSERT_LE(d, ceiling);
      max_seen = std::max(max_seen, d);
    }
    EXPECT_GT(max_seen, ceiling * 9 / 10) << "the whole range is used, attempt " << attempt;
  }
}

}  // namespace
}  // namespace sluice::producer
