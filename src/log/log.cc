// Log lifetime: Open (recovery of the directory), Close, and simple accessors.
#include <algorithm>
#include <cstdio>
#include <string>

#include "log_state.h"

namespace sluice::log {
namespace {

Status ValidateOptions(const LogOptions& o) {
  if (o.dir.empty()) return Status::InvalidArgument("log dir is empty");
  if (o.segment_bytes < 4096 || o.segment_bytes > (4ull << 30)) {
    return Status::InvalidArgument("segment_bytes must be in [4 KiB, 4 GiB]");
  }
  if (o.segment_max_age_ms < 0) return Status::InvalidArgument("segment_max_age_ms must be >= 0");
  if (o.fsync_interval_ms <= 0) return Status::InvalidArgument("fsync_interval_ms must be > 0");
  if (o.index_interval_bytes == 0) return Status::InvalidArgument("index_interval_bytes must be > 0");
  return Status::OK();
}

void WarnToStderr(std::string_view msg) {
  std::fprintf(stderr, "sluice log warning: %.*s\n", static_cast<int>(msg.size()), msg.data());
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Log::Log(PrivateTag, std::unique_ptr<State> state) : s_(std::move(state)) {}

Log::~Log() {
  const Status st = Close();
  (void)st;  // already reported to every appender; nobody is left to tell
}

namespace {

// What the directory holds: segment bases in order, and temporary files (index
// writes and pending segments, see format.h) that an interrupted run left behind.
struct DirContents {
  std::vector<Offset> bases;
  std::vector<std::string> leftovers;
};

Result<DirContents> ListLogDir(FileSystem& fs, const std::string& dir) {
  ASSIGN_OR_RETURN(const std::vector<std::string> names, fs.ListDir(dir));
  DirContents out;
  for (const std::string& n : names) {
    if (const std::optional<Offset> base = format::ParseSegmentFileName(n)) out.bases.push_back(*base);
    if (EndsWith(n, format::kTempSuffix)) out.leftovers.push_back(n);
  }
  std::sort(out.bases.begin(), out.bases.end());
  return out;
}

struct FoundSegments {
  std::vector<SealedSegment> sealed;
  std::optional<LastSegment> last;  // absent in a new log
};

// Phase 1 of recovery: reads and checks every segment and modifies nothing, so a
// refused open (e.g. a newer format version anywhere) leaves the directory untouched.
Result<FoundSegments> ReadSegments(FileSystem& fs, FileCache& cache, const std::string& dir,
                                   const std::vector<Offset>& bases, uint64_t interval, const WarningSink& warn) {
  FoundSegments out;
  for (size_t i = 0; i + 1 < bases.size(); ++i) {
    ASSIGN_OR_RETURN(SealedSegment s, OpenSealedSegment(fs, cache, dir, bases[i], bases[i + 1], interval, warn));
    // Checked: from here on it is read through the cache, so recovering a log with
    // many segments never holds more descriptors than the cache allows.
    s.segment->Unpin();
    out.sealed.push_back(std::move(s));
  }
  if (!bases.empty()) {
    ASSIGN_OR_RETURN(LastSegment l, ScanLastSegment(fs, cache, dir, bases.back(), interval));
    RETURN_IF_ERROR(CheckFirstBatchVersion(*l.segment));
    out.last = std::move(l);
  }
  return out;
}

void RemoveLeftovers(FileSystem& fs, const std::string& dir, const std::vector<std::string>& leftovers) {
  for (const std::string& n : leftovers) {
    const Status st = fs.Remove(JoinPath(dir, n));
    (void)st;  // harmless if it stays; the next open tries again
  }
}

}  // namespace

void Log::State::AdoptSealedSegments(std::vector<SealedSegment>& sealed) {
  for (SealedSegment& seg : sealed) {
    if (seg.index_needs_write) {
      const Status st = ReplaceFile(fs, JoinPath(opts.dir, format::IndexFileName(seg.segment->base())),
                                    format::EncodeIndexFile(seg.segment->ToIndexFile()));
      if (!st.ok()) warn("could not persist a rebuilt index (it will be rebuilt again): " + st.ToString());
    }
    segments.push_back(std::move(seg.segment));
  }
}

Status Log::State::AdoptLastSegment(LastSegment& last) {
  const std::string& path = last.segment->path();
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> wf, fs.OpenWritable(path, OpenMode::kOpenExisting));
  if (last.valid_bytes < last.file_size) {
    RETURN_IF_ERROR(wf->Truncate(last.valid_bytes));
    RETURN_IF_ERROR(wf->Sync());
    warn(path + ": dropped " + std::to_string(last.file_size - last.valid_bytes) + " bytes of torn tail " +
         last.stop_reason);
  }
  // An index next to the active segment is stale by definition: the segment grows.
  const Status st = fs.Remove(JoinPath(opts.dir, format::IndexFileName(last.segment->base())));
  (void)st;  // usually NotFound
  const int64_t now = clock.NowMillis();
  active_file = std::move(wf);
  active_created_ms = last.segment->empty() ? now : std::min(now, last.segment->first_arrival());
  last.segment->Unpin();  // found under its final name: read through the cache
  segments.push_back(std::move(last.segment));
  return Status::OK();
}

Status Log::State::CreateFirstSegment() {
  const Offset base(0);
  const std::string path = JoinPath(opts.dir, format::SegmentFileName(base));
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> wf, fs.OpenWritable(path, OpenMode::kCreateNew));
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> rf, fs.OpenReadable(path));
  RETURN_IF_ERROR(fs.SyncDir(opts.dir));
  active_file = std::move(wf);
  active_created_ms = clock.NowMillis();
  segments.push_back(std::make_shared<Segment>(path, base, fs, cache, std::move(rf), opts.index_interval_bytes));
  segments.back()->Unpin();  // its name is final and durable
  return Status::OK();
}

Result<std::unique_ptr<Log>> Log::Open(LogOptions options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  FileSystem& fs = options.file_system ? *options.file_system : FileSystem::Posix();
  FlusherPool& pool = options.flusher_pool ? *options.flusher_pool : FlusherPool::Default();
  FileCache& cache = options.file_cache ? *options.file_cache : FileCache::Default();
  Clock& clock = options.clock ? *options.clock : Clock::Real();
  WarningSink warn = options.on_warning ? options.on_warning : WarningSink(WarnToStderr);
  const std::string dir = options.dir;
  RETURN_IF_ERROR(fs.CreateDirs(dir));
  ASSIGN_OR_RETURN(const DirContents contents, ListLogDir(fs, dir));
  ASSIGN_OR_RETURN(FoundSegments found,
                   ReadSegments(fs, cache, dir, contents.bases, options.index_interval_bytes, warn));

  // Phase 2: repairs, and the log's state.
  auto state = std::make_unique<State>(std::move(options), fs, cache, clock, std::move(warn), pool);
  {
    const MutexLock lock(state->mu);  // uncontended: nothing else sees the state yet
    state->AdoptSealedSegments(found.sealed);
    RemoveLeftovers(fs, dir, contents.leftovers);
    RETURN_IF_ERROR(found.last ? state->AdoptLastSegment(*found.last) : state->CreateFirstSegment());
    const Offset end = state->segments.back()->next_offset();
    state->next_offset = end;
    state->visible_end = end;
    state->synced_end = end;
  }
  State* raw = state.get();
  state->flusher = pool.Register([raw] { raw->Flush(/*last_round=*/false); });
  return std::make_unique<Log>(PrivateTag{}, std::move(state));
}

Status Log::Close() {
  const MutexLock close_lock(s_->close_mu);
  {
    const MutexLock lock(s_->mu);
    s_->closed = true;  // appends and rolls stop here, so one last round covers the rest
  }
  // From here on no pool thread runs a round of this log (one in progress finishes).
  s_->flusher->Cancel();
  s_->Flush(/*last_round=*/true);
  std::shared_ptr<Segment> unpin;
  Status result;
  {
    const MutexLock lock(s_->mu);
    if (s_->active_file) {
      const Status st = s_->active_file->Close();
      s_->active_file.reset();
      if (!st.ok() && s_->failed.ok()) s_->failed = st;
    }
    // Every name is final once the last round sealed everything, so the last segment
    // is read through the cache (it usually is already) and a closed log holds no
    // descriptor. After a failure a file may keep its pending name, and only the pinned
    // handle reads it.
    if (s_->failed.ok() && s_->seals.empty()) unpin = s_->segments.back();
    result = s_->failed;
  }
  if (unpin) unpin->Unpin();
  return result;
}

Status Log::health() const {
  const MutexLock lock(s_->mu);
  return s_->failed;
}

Offset Log::StartOffset() const {
  const MutexLock lock(s_->mu);
  return s_->segments.front()->base();
}

Offset Log::EndOffset() const {
  const MutexLock lock(s_->mu);
  return s_->visible_end;
}

Log::State::Snapshot Log::State::TakeSnapshot(Offset from) const {
  const MutexLock lock(mu);
  auto it = std::upper_bound(segments.begin(), segments.end(), from,
                             [](Offset o, const std::shared_ptr<Segment>& s) { return o < s->base(); });
  if (it != segments.begin()) --it;
  return Snapshot{std::vector<std::shared_ptr<Segment>>(it, segments.end()), segments.front()->base(), visible_end};
}

}  // namespace sluice::log
