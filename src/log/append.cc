// The write path: batches are encoded outside the lock, written to the page cache in
// offset order under the lock, and acknowledged by the flusher after one fdatasync
// covers them (group commit). Writes and the fdatasync overlap: while the flusher
// syncs, the next appends are already being written. A roll only swaps files under the
// lock; the flusher syncs the sealed segment like any other write.
#include <algorithm>
#include <future>

#include "log_state.h"

namespace sluice::log {

Status Log::State::RollLocked(int64_t now_ms) {
  const Offset base = next_offset;
  const std::string pending = JoinPath(opts.dir, format::PendingSegmentFileName(base));
  // A pending file of this name can only be a leftover that open failed to remove.
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> wf, fs.OpenWritable(pending, OpenMode::kCreateOrTruncate));
  Result<std::unique_ptr<RandomAccessFile>> rf = fs.OpenReadable(pending);
  if (!rf.ok()) {
    const Status st = fs.Remove(pending);
    (void)st;  // a stray pending file is harmless: open removes it
    return rf.status();
  }
  // The flusher may still hold the old file for an fdatasync; the last holder closes it.
  const std::string path = JoinPath(opts.dir, format::SegmentFileName(base));
  seals.push_back(Seal{segments.back(), std::move(active_file), base, pending, path});
  active_file = std::move(wf);
  active_created_ms = now_ms;
  // Readers use the open descriptor, so the later rename does not concern them.
  segments.push_back(
      std::make_shared<Segment>(path, base, fs, cache, std::move(rf).value(), opts.index_interval_bytes));
  RequestFlushLocked();  // whatever the policy, the sealed segment is synced now
  return Status::OK();
}

Status Log::State::WriteLocked(std::span<const char> batch) {
  const uint64_t good_end = segments.back()->size();
  const Status st = WriteAll(*active_file, batch);
  if (st.ok()) return st;
  // Leave no partial batch behind: the next append would otherwise follow garbage
  // that recovery would cut off together with it.
  const Status tr = active_file->Truncate(good_end);
  if (tr.ok()) return st;
  failed = Status::IOError("write failed (" + st.ToString() + ") and truncating back to position " +
                           std::to_string(good_end) + " failed (" + tr.ToString() + ")");
  RequestFlushLocked();  // the flusher fails the waiters
  return failed;
}

void Log::AppendAsync(std::span<const RecordInput> records, AppendCallback done) {
  State& s = *s_;
  const int64_t now = s.clock.NowMillis();
  Result<std::vector<char>> encoded = format::EncodeBatch(records, now);
  if (!encoded.ok()) {
    done(encoded.status());
    return;
  }
  std::vector<char>& batch = *encoded;
  format::BatchHeader h;
  (void)format::DecodeBatchHeader(std::span<const char, format::kBatchHeaderSize>(batch.data(), format::kBatchHeaderSize), &h);

  MutexLock lock(s.mu);
  if (s.closed) {
    lock.Unlock();
    done(Status::Unavailable("log " + s.opts.dir + " is closed"));
    return;
  }
  if (!s.failed.ok()) {
    const Status st = s.failed;
    lock.Unlock();
    done(st);
    return;
  }
  const Segment& active = *s.segments.back();
  const bool too_big = active.size() + batch.size() > s.opts.segment_bytes;
  const bool too_old = s.opts.segment_max_age_ms > 0 && now - s.active_created_ms >= s.opts.segment_max_age_ms;
  if (!active.empty() && (too_big || too_old)) {
    const Status st = s.RollLocked(now);
    if (!st.ok()) {
      lock.Unlock();
      done(st);
      return;
    }
  }
  const Offset base = s.next_offset;
  format::SetBaseOffset(batch, base);
  h.base_offset = base.value();
  if (const Status st = s.WriteLocked(batch); !st.ok()) {
    lock.Unlock();
    done(st);
    return;
  }
  s.segments.back()->OnBatch(h, batch.size());
  s.next_offset = Offset(base.value() + h.record_count);
  const AppendResult result{base, Offset(base.value() + h.record_count - 1)};
  if (s.opts.fsync == FsyncPolicy::kAlways) {
    s.waiters.push_back(State::Waiter{s.next_offset, result, std::move(done)});
    s.RequestFlushLocked();
    return;
  }
  if (s.opts.fsync == FsyncPolicy::kInterval && !s.interval_armed) {
    s.interval_armed = true;
    s.flusher->WakeAt(FlusherPool::Clock::now() + std::chrono::milliseconds(s.opts.fsync_interval_ms));
  }
  s.visible_end = s.next_offset;
  lock.Unlock();
  done(result);
}

Result<AppendResult> Log::Append(std::span<const RecordInput> records) {
  std::promise<Result<AppendResult>> promise;
  std::future<Result<AppendResult>> future = promise.get_future();
  AppendAsync(records, [&promise](Result<AppendResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

void Log::State::RequestFlushLocked() {
  if (flush_requested) return;
  flush_requested = true;
  flusher->Wake();  // a no-op once Close has cancelled it: Close runs the last round
}

void Log::State::Flush(bool last_round) {
  std::vector<std::shared_ptr<Segment>> named_now;  // names made final: unpinned at the end
  std::deque<Waiter> succeeded;
  std::deque<Waiter> doomed;
  Status doom_status;
  {
    const MutexLock flush_lock(flush_mu);
    MutexLock lock(mu);
    // Whatever is written from here on may miss this round: it asks for another.
    flush_requested = false;
    interval_armed = false;
    if (failed.ok()) {
      const Offset target = next_offset;
      const Offset synced_before = synced_end;
      const std::shared_ptr<WritableFile> file = active_file;
      const std::vector<Seal> sealing(seals.begin(), seals.end());
      // kNever syncs the active segment only when the log closes; sealed ones always.
      const bool sync_active = target != synced_end && (opts.fsync != FsyncPolicy::kNever || last_round);
      const Offset durable = sync_active ? target : sealing.empty() ? synced_end : sealing.back().end;
      if (sync_active || !sealing.empty()) {
        lock.Unlock();
        Status st;
        for (const Seal& seal : sealing) {
          if (seal.end > synced_before) st = seal.file->Sync();
          if (!st.ok()) break;
          // The index is a checksummed cache: if this write is lost, the next open
          // rebuilds it.
          const Status idx = ReplaceFile(fs, JoinPath(opts.dir, format::IndexFileName(seal.segment->base())),
                                         format::EncodeIndexFile(seal.segment->ToIndexFile()));
          (void)idx;
          st = fs.Rename(seal.successor_pending, seal.successor_path);
          if (!st.ok()) break;
        }
        // A renamed successor must be durable before records in it are acknowledged.
        if (st.ok() && !sealing.empty()) st = fs.SyncDir(opts.dir);
        if (st.ok() && sync_active) st = file->Sync();
        lock.Lock();
        if (st.ok()) {
          seals.erase(seals.begin(), seals.begin() + static_cast<std::ptrdiff_t>(sealing.size()));
          for (const Seal& seal : sealing) named_now.push_back(seal.segment);
          // With no seal left the active segment has its final name too.
          if (!sealing.empty() && seals.empty()) named_now.push_back(segments.back());
          synced_end = std::max(synced_end, durable);
          if (opts.fsync == FsyncPolicy::kAlways) visible_end = std::max(visible_end, durable);
          while (!waiters.empty() && waiters.front().end <= durable) {
            succeeded.push_back(std::move(waiters.front()));
            waiters.pop_front();
          }
        } else if (failed.ok()) {
          // Never retry: after a failed fdatasync the kernel may have dropped the dirty
          // pages, so a later "successful" sync would prove nothing.
          failed = st;
        }
      }
    }
    if (!failed.ok()) {
      doomed = std::move(waiters);
      waiters.clear();
      doom_status = failed;
    }
  }
  // A segment's name became final when its predecessor's seal renamed it, so from now
  // on its file is reopened by path through the cache when read.
  for (const std::shared_ptr<Segment>& seg : named_now) seg->Unpin();
  for (Waiter& w : succeeded) w.done(w.result);
  for (Waiter& w : doomed) w.done(doom_status);
}

}  // namespace sluice::log
