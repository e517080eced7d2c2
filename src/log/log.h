// Log: one append-only, segmented, checksummed record log in one directory (one per
// Kinesis shard or Firehose buffer). Records get dense offsets starting at 0 that are
// never reused, even after retention deletes everything.
//
// Threading: every method is thread-safe. Appends are written in call order under a
// lock; a flush round on a FlusherPool thread (shared by many logs) runs fdatasync for
// everything written so far and completes all appends it covers (group commit), so
// concurrent appenders share syncs. No file is synced under the lock appends take, not
// even when a segment rolls.
//
// Durability: an append's callback reports success only once its bytes are durable
// under the fsync policy (kAlways: after fdatasync). Readers see only acknowledged
// records, so a consumer never observes a record a crash could take back. If a sync
// fails the log enters a failed state: waiting and later appends fail with that status,
// reads keep working. After a crash, Open recovers every acknowledged record.
//
// Lifetime: Close() (or the destructor) syncs, completes pending appends and leaves the
// flusher pool; reads keep working after Close until the Log is destroyed. The pool
// and the file cache must outlive the Log.
//
// Descriptors: an open log holds its active segment's write descriptor (and, for the
// moment a new segment still has its pending name, a read descriptor for it); a closed
// log holds none. Reads open segments through the FileCache, which bounds how many
// stay open (file_cache.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "base/file_system.h"
#include "log/file_cache.h"
#include "log/flusher_pool.h"
#include "log/types.h"

namespace sluice::log {

enum class FsyncPolicy {
  kAlways,    // acknowledge after fdatasync (group commit); the default
  kInterval,  // acknowledge after write; fdatasync every fsync_interval_ms
  kNever,     // acknowledge after write; sync only when a segment is sealed and at Close
};

struct LogOptions {
  std::string dir;  // created if missing
  // Roll to a new segment file past this size: bounds recovery scans and the
  // granularity of retention. Range 4 KiB .. 4 GiB.
  uint64_t segment_bytes = 128ull << 20;
  // Roll a segment whose first record is this old (0 = never), so a quiet log's
  // data can still expire by whole segments.
  int64_t segment_max_age_ms = 0;
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  int64_t fsync_interval_ms = 1000;  // for kInterval
  // One index entry per this many bytes of segment: a lookup scans at most this far.
  uint64_t index_interval_bytes = 4096;
  Clock* clock = nullptr;          // nullptr: Clock::Real(); stamps arrival times
  FileSystem* file_system = nullptr;  // nullptr: FileSystem::Posix()
  // Runs this log's syncs and acknowledgements; nullptr: FlusherPool::Default().
  FlusherPool* flusher_pool = nullptr;
  // Holds the read handles of sealed segments (file_cache.h); nullptr:
  // FileCache::Default(). Must outlive the log.
  FileCache* file_cache = nullptr;
  // Where recovery reports repairs (e.g. bytes dropped from a torn tail); nullptr:
  // standard error. Called during Open and ApplyRetention, never under a lock.
  std::function<void(std::string_view)> on_warning;
};

// Records of one read; the string_views inside `records` point into buffers owned by
// this object (one per batch read, never copied per record).
class ReadResult {
 public:
  std::vector<Record> records;
  Offset next_offset;  // offset after the last record returned (== start if none)

 private:
  friend class Log;
  std::vector<std::unique_ptr<char[]>> buffers_;
};

// Called exactly once per AppendAsync, on a flusher pool thread, inline in the caller,
// or in the thread that closes the log. It must not block for long (it holds a pool
// thread that other logs' acknowledgements need) and must not close or destroy the log.
using AppendCallback = std::function<void(Result<AppendResult>)>;

struct RetentionResult {
  size_t segments_deleted = 0;
  Offset start_offset;  // the new log start
};

class Log {
 public:
  static Result<std::unique_ptr<Log>> Open(LogOptions options);
  ~Log();
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  // Appends the records as one batch with consecutive offsets. The records are copied
  // before this returns. Fails at once (callback inline) when the log is failed or
  // closed, or the input is invalid (empty, too large).
  void AppendAsync(std::span<const RecordInput> records, AppendCallback done);
  // Blocking form of AppendAsync.
  Result<AppendResult> Append(std::span<const RecordInput> records);

  // Up to max_records records from `from` on, stopping before max_bytes of data and
  // partition keys would be exceeded but returning at least one record if any exists.
  // OutOfRange means exactly "below the log start (trimmed)"; from == EndOffset() gives
  // no records; from > EndOffset() is InvalidArgument; damaged data is Corruption naming
  // the file and position, and is never returned.
  Result<ReadResult> Read(Offset from, size_t max_records, size_t max_bytes) const;

  // Offset of the first record (in offset order) whose arrival time is >= t_ms, or
  // EndOffset() if there is none. Records below StartOffset() are not considered.
  Result<Offset> OffsetForTimestamp(int64_t t_ms) const;

  Offset StartOffset() const;  // first offset still stored
  Offset EndOffset() const;    // one past the last acknowledged (readable) record

  // Deletes whole segments whose newest record arrived before now_ms - retention_ms,
  // rolling the active segment first if all of it has expired.
  Result<RetentionResult> ApplyRetention(int64_t now_ms, int64_t retention_ms);

  // Syncs everything written, completes pending appends, leaves the pool. Later
  // appends fail with Unavailable. Idempotent; returns the failure status if failed.
  Status Close();

  // OK, or the status that put the log into the read-only failed state.
  Status health() const;

 private:
  struct State;
  struct PrivateTag {};  // keeps construction inside Open while allowing make_unique

 public:
  Log(PrivateTag, std::unique_ptr<State> state);

 private:
  std::unique_ptr<State> s_;
};

}  // namespace sluice::log
