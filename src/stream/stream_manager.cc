#include "stream/stream_manager.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "stream/sequence_number.h"
#include "stream_state.h"
#include "base/thread_name.h"

namespace sluice::stream {

namespace fs = std::filesystem;

std::string StreamManager::Impl::StatusOf(const Stream& s) const {
  const int64_t now = Now();
  if (s.deleted_ms) return "DELETING";
  if (now < s.created_ms + options.create_delay_ms) return "CREATING";
  if (now < s.updating_until_ms) return "UPDATING";
  return "ACTIVE";
}

std::string StreamManager::Impl::Arn(std::string_view name) const {
  return fmt::format("arn:aws:kinesis:{}:{}:stream/{}", options.region, options.account_id, name);
}

std::shared_ptr<Stream> StreamManager::Impl::Find(std::string_view name) const {
  const ReaderLock r(mu);
  const auto it = streams.find(name);
  return it == streams.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Stream>> StreamManager::Impl::AllStreams() const {
  const ReaderLock r(mu);
  std::vector<std::shared_ptr<Stream>> out;
  out.reserve(streams.size());
  for (const auto& [name, s] : streams) out.push_back(s);
  return out;
}

Error StreamManager::Impl::NotFound(std::string_view name) const {
  return MakeError(ErrorType::kResourceNotFound,
                   fmt::format("Stream {} under account {} not found.", name, options.account_id));
}

Error StreamManager::Impl::NotActive(const Stream& s) const {
  return MakeError(ErrorType::kResourceInUse,
                   fmt::format("Stream {} under account {} not ACTIVE, instead in state {}",
                               s.name, options.account_id, StatusOf(s)));
}

void StreamManager::Impl::AttachMetrics(Stream& s) const {
  s.cloudwatch = std::make_unique<StreamHandles>(metrics, s.name);
  // A missing key is a stream that never had shard-level metrics.
  auto saved = catalog.GetMeta(ShardLevelMetaKey(s.id, s.created_ms));
  if (!saved.ok()) return;
  uint32_t mask = 0;
  std::string_view rest = *saved;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    mask |= ShardLevelMask(rest.substr(0, comma)).value_or(0);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  s.shard_level.store(mask);
}

bool StreamManager::Impl::LimitsOn(const Stream& s) const {
  const std::string tag = s.Tag("sluice.shard-limits");
  if (tag == "on") return true;
  if (tag == "off") return false;
  return options.shard_limits;
}

int64_t StreamManager::Impl::OpenShardCount() const {
  int64_t open = 0;
  for (const std::shared_ptr<Stream>& s : AllStreams()) {
    const ReaderLock r(s->mu);
    s->ForEachShard([&](const Shard& sh) { open += sh.open() ? 1 : 0; });
  }
  return open;
}

void StreamManager::Impl::ExpireShards(
    std::vector<std::pair<std::string, std::shared_ptr<Shard>>>& expired) {
  const int64_t now = Now();
  for (const std::shared_ptr<Stream>& s : AllStreams()) {
    std::vector<int64_t> gone;
    {
      const ReaderLock r(s->mu);
      const int64_t cutoff = now - s->retention_hours * 3'600'000;
      for (const auto& shard : s->shards) {
        if (!shard || shard->open() || shard->closed_ms >= cutoff) continue;
        // Every record arrived before the shard closed, so all of them are past retention.
        gone.push_back(shard->index);
      }
    }
    if (gone.empty()) continue;
    // Only control-plane calls change shards, and they are serialized with this one,
    // so `gone` is still right after the commit.
    if (const Status st = catalog::RemoveShards(catalog, s->id, gone); !st.ok()) {
      spdlog::error("msg=\"shard expiry failed\" stream={} error=\"{}\"", s->name, st.ToString());
      continue;
    }
    const WriterLock w(s->mu);
    for (const int64_t index : gone) {
      expired.emplace_back(s->dir, std::move(s->shards[static_cast<size_t>(index)]));
    }
  }
}

Result<std::unique_ptr<log::Log>> StreamManager::Impl::OpenShardLog(const Stream& s,
                                                                    uint32_t index) const {
  log::LogOptions lo;
  lo.dir = fmt::format("{}/{}", s.dir, index);
  lo.fsync = options.fsync;
  lo.fsync_interval_ms = options.fsync_interval_ms;
  lo.segment_bytes = options.segment_bytes;
  // Roll at least every hour so retention (whole segments) tracks the stream's period.
  lo.segment_max_age_ms = 3'600'000;
  lo.clock = &clock;
  lo.file_system = options.log_file_system;
  lo.flusher_pool = options.flusher_pool;
  lo.file_cache = file_cache.get();
  lo.on_warning = [dir = lo.dir](std::string_view w) {
    spdlog::warn("msg=\"log recovery\" dir=\"{}\" detail=\"{}\"", dir, w);
  };
  return log::Log::Open(std::move(lo));
}

std::string StreamManager::Impl::SequenceFor(const Stream& s, uint32_t shard,
                                             log::Offset offset) const {
  return FormatSequenceNumber({s.created_ms, shard, offset});
}

void StreamManager::Impl::FinishDeletions(std::vector<std::shared_ptr<Stream>>& removed) {
  const int64_t now = Now();
  for (const std::shared_ptr<Stream>& s : AllStreams()) {
    {
      const ReaderLock r(s->mu);
      if (!s->deleted_ms || now < *s->deleted_ms + options.delete_delay_ms) continue;
    }
    if (const Status st = catalog::RemoveStream(catalog, s->id); !st.ok()) {
      spdlog::error("msg=\"stream removal failed\" stream={} error=\"{}\"", s->name, st.ToString());
      continue;
    }
    {
      const WriterLock w(mu);
      streams.erase(s->name);
    }
    removed.push_back(s);
  }
}

namespace {

// Closes the logs and removes the files of streams already gone from the catalog.
void DisposeStreams(std::vector<std::shared_ptr<Stream>>& removed) {
  for (auto& s : removed) {
    std::vector<std::shared_ptr<log::Log>> logs;
    {
      const ReaderLock r(s->mu);
      s->ForEachShard([&logs](const Shard& shard) {
        if (shard.log) logs.push_back(shard.log);
      });
    }
    for (const auto& lg : logs) (void)lg->Close();
    std::error_code ec;
    fs::remove_all(s->dir, ec);
    if (ec) spdlog::warn("msg=\"could not remove stream files\" dir=\"{}\" error=\"{}\"", s->dir, ec.message());
  }
  removed.clear();
}

// Closes and removes the files of shards already gone from the catalog.
void DisposeShards(std::vector<std::pair<std::string, std::shared_ptr<Shard>>>& expired) {
  for (auto& [dir, shard] : expired) {
    (void)shard->log->Close();
    std::error_code ec;
    fs::remove_all(fmt::format("{}/{}", dir, shard->index), ec);
  }
  expired.clear();
}

}  // namespace

void StreamManager::Impl::ApplyLogRetention() {
  std::vector<std::pair<std::shared_ptr<log::Log>, int64_t>> work;
  for (const std::shared_ptr<Stream>& s : AllStreams()) {
    const ReaderLock r(s->mu);
    const int64_t hours = s->retention_hours;
    s->ForEachShard([&](const Shard& shard) { work.emplace_back(shard.log, hours); });
  }
  for (auto& [lg, hours] : work) {
    auto res = lg->ApplyRetention(Now(), hours * 3'600'000);
    if (!res.ok()) spdlog::warn("msg=\"retention failed\" error=\"{}\"", res.status().ToString());
  }
}

void StreamManager::Impl::MaintenanceLoop() {
  int64_t next_retention = Now() + options.retention_check_ms;
  MutexLock lock(maintenance_mu);
  while (!stopping) {
    (void)maintenance_cv.WaitFor(maintenance_mu, std::chrono::milliseconds(200));
    if (stopping) break;
    lock.Unlock();
    std::vector<std::shared_ptr<Stream>> removed;
    {
      const MutexLock c(control_mu);
      FinishDeletions(removed);
    }
    DisposeStreams(removed);
    if (Now() >= next_retention) {
      std::vector<std::pair<std::string, std::shared_ptr<Shard>>> expired;
      {
        const MutexLock c(control_mu);
        ExpireShards(expired);
      }
      DisposeShards(expired);
      next_retention = Now() + options.retention_check_ms;
      ApplyLogRetention();
    }
    lock.Lock();
  }
}

namespace {

// One stream as the catalog has it, with every stored shard's log opened (recovered).
Result<std::shared_ptr<Stream>> LoadStream(const StreamManager::Impl& impl, const catalog::StreamRecord& rec) {
  auto s = std::make_shared<Stream>(rec.stream, fmt::format("{}/{}", impl.options.dir, rec.stream.id));
  impl.AttachMetrics(*s);
  const WriterLock w(s->mu);  // uncontended: nothing else sees the stream yet
  s->retention_hours = rec.stream.retention_hours;
  s->deleted_ms = rec.stream.deleted_ms;
  s->tags = rec.tags;
  s->shard_count_updates = rec.shard_count_updates;
  for (const auto& row : rec.shards) {
    auto shard = std::make_shared<Shard>();
    shard->index = static_cast<uint32_t>(row.shard_index);
    const auto start = ParseDecimal(row.start_hash);
    const auto end = ParseDecimal(row.end_hash);
    if (!start || !end || row.shard_index < 0 || row.shard_index > kMaxShardIndex) {
      return Status::Corruption(fmt::format("{}: stream {} shard {} is malformed", impl.catalog.path(),
                                            rec.stream.name, row.shard_index));
    }
    shard->range = {*start, *end};
    if (row.parent_index) shard->parent = static_cast<uint32_t>(*row.parent_index);
    if (row.adjacent_parent_index) shard->adjacent_parent = static_cast<uint32_t>(*row.adjacent_parent_index);
    shard->created_ms = row.created_ms;
    if (row.end_offset) shard->end_offset = log::Offset(static_cast<uint64_t>(*row.end_offset));
    shard->closed_ms = row.closed_ms.value_or(0);
    ASSIGN_OR_RETURN(shard->log, impl.OpenShardLog(*s, shard->index));
    // A closed shard's log only serves reads: closed, it holds no descriptor.
    if (!shard->open()) RETURN_IF_ERROR(shard->log->Close());
    // Shards expired by retention leave gaps; indexes are never reused.
    if (s->shards.size() <= shard->index) s->shards.resize(shard->index + 1);
    s->shards[shard->index] = std::move(shard);
  }
  return s;
}

}  // namespace

Result<std::unique_ptr<StreamManager>> StreamManager::Open(StreamManagerOptions options,
                                                           catalog::Catalog& catalog) {
  auto impl = std::make_unique<Impl>(std::move(options), catalog);
  std::error_code ec;
  fs::create_directories(impl->options.dir, ec);
  if (ec) return Status::IOError("create " + impl->options.dir + ": " + ec.message());

  ASSIGN_OR_RETURN(auto records, catalog::LoadStreams(catalog));
  std::set<std::string> known_dirs;
  for (const auto& rec : records) {
    ASSIGN_OR_RETURN(std::shared_ptr<Stream> s, LoadStream(*impl, rec));
    known_dirs.insert(std::to_string(rec.stream.id));
    const WriterLock w(impl->mu);
    impl->streams.emplace(s->name, std::move(s));
  }
  // Directories of streams whose catalog row is gone (a crash between the row's removal
  // and the files') hold nothing anyone can address.
  for (const auto& entry : fs::directory_iterator(impl->options.dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && !known_dirs.count(name)) {
      spdlog::info("msg=\"removing files of a deleted stream\" dir=\"{}\"", entry.path().string());
      fs::remove_all(entry.path(), ec);
    }
  }
  Impl* raw = impl.get();
  raw->maintenance = std::thread([raw] {
    NameThisThread("stream-maint");
    raw->MaintenanceLoop();
  });
  return std::make_unique<StreamManager>(PassKey{}, std::move(impl));
}

StreamManager::StreamManager(PassKey, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StreamManager::~StreamManager() { (void)Close(); }

Status StreamManager::Close() {
  {
    const MutexLock lock(impl_->maintenance_mu);
    if (impl_->stopping) return Status::OK();
    impl_->stopping = true;
    impl_->maintenance_cv.SignalAll();
  }
  if (impl_->maintenance.joinable()) impl_->maintenance.join();
  // Serialized with control-plane calls, so that none is halfway through opening or
  // closing logs; the closes themselves (final syncs) run without any manager lock.
  const MutexLock c(impl_->control_mu);
  std::vector<std::shared_ptr<log::Log>> logs;
  for (const std::shared_ptr<Stream>& s : impl_->AllStreams()) {
    const ReaderLock r(s->mu);
    s->ForEachShard([&logs](const Shard& shard) { logs.push_back(shard.log); });
  }
  Status first;
  for (const auto& lg : logs) {
    if (Status st = lg->Close(); !st.ok() && first.ok()) first = st;
  }
  return first;
}

void StreamManager::RunMaintenance() {
  std::vector<std::shared_ptr<Stream>> removed;
  std::vector<std::pair<std::string, std::shared_ptr<Shard>>> expired;
  {
    const MutexLock c(impl_->control_mu);
    impl_->FinishDeletions(removed);
    impl_->ExpireShards(expired);
  }
  DisposeStreams(removed);
  DisposeShards(expired);
  impl_->ApplyLogRetention();
}

namespace {

// Closes the logs of a stream that never became visible and removes its files.
void DiscardUnpublished(const std::string& dir, std::vector<std::shared_ptr<Shard>>& shards) {
  for (auto& shard : shards) {
    if (shard->log) (void)shard->log->Close();
  }
  shards.clear();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace

KResult<Done> StreamManager::CreateStream(
    const std::string& name, int shard_count, const std::string& mode,
    const std::vector<std::pair<std::string, std::string>>& tags, int64_t max_record_kib) {
  // Checks, the catalog commit and the log opens all run under control_mu alone: the
  // new stream is invisible until the brief exclusive section at the end publishes it.
  const MutexLock c(impl_->control_mu);
  if (impl_->Find(name)) {
    return MakeError(ErrorType::kResourceInUse,
                     fmt::format("Stream {} under account {} already exists.", name,
                                 impl_->options.account_id));
  }
  const int64_t open = impl_->OpenShardCount();
  if (open + shard_count > impl_->options.shard_limit) {
    return MakeError(
        ErrorType::kLimitExceeded,
        fmt::format("This request would exceed the shard limit for the account {} in {}. Current "
                    "shard count for the account: {}. Limit: {}. Number of additional shards that "
                    "would have resulted from this request: {}. Refer to the AWS Service Limits "
                    "page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) "
                    "for current limits and how to request higher limits.",
                    impl_->options.account_id, impl_->options.region, open,
                    impl_->options.shard_limit, shard_count));
  }
  catalog::StreamRow row;
  row.name = name;
  row.created_ms = impl_->Now();
  row.retention_hours = 24;
  row.mode = mode;
  row.max_record_kib = max_record_kib;
  catalog::Tags sorted_tags = tags;
  std::sort(sorted_tags.begin(), sorted_tags.end());
  std::vector<catalog::ShardRow> rows;
  const auto ranges = EvenSplit(static_cast<size_t>(shard_count));
  for (size_t i = 0; i < ranges.size(); ++i) {
    rows.push_back({.shard_index = static_cast<int64_t>(i),
                    .start_hash = ToDecimal(ranges[i].start),
                    .end_hash = ToDecimal(ranges[i].end),
                    .created_ms = row.created_ms});
  }
  auto id = catalog::InsertStream(impl_->catalog, row, rows, sorted_tags);
  if (!id.ok()) return InternalError(id.status());
  row.id = *id;
  auto s = std::make_shared<Stream>(row, fmt::format("{}/{}", impl_->options.dir, *id));
  impl_->AttachMetrics(*s);
  std::vector<std::shared_ptr<Shard>> shards;
  for (size_t i = 0; i < ranges.size(); ++i) {
    auto shard = std::make_shared<Shard>();
    shard->index = static_cast<uint32_t>(i);
    shard->range = ranges[i];
    shard->created_ms = row.created_ms;
    auto log = impl_->OpenShardLog(*s, shard->index);
    if (!log.ok()) {
      (void)catalog::RemoveStream(impl_->catalog, *id);
      DiscardUnpublished(s->dir, shards);
      return InternalError(log.status());
    }
    shard->log = std::move(*log);
    shards.push_back(std::move(shard));
  }
  {
    const WriterLock sw(s->mu);  // uncontended: nothing else sees the stream yet
    s->retention_hours = row.retention_hours;
    s->tags = std::move(sorted_tags);
    s->shards = std::move(shards);
  }
  const WriterLock w(impl_->mu);
  impl_->streams.emplace(name, std::move(s));
  return Done{};
}

KResult<Done> StreamManager::DeleteStream(const std::string& name) {
  std::vector<std::shared_ptr<Stream>> removed;
  {
    const MutexLock c(impl_->control_mu);
    const std::shared_ptr<Stream> s = impl_->Find(name);
    if (!s) return impl_->NotFound(name);
    {
      const ReaderLock r(s->mu);
      if (s->deleted_ms) return Done{};  // already DELETING: AWS accepts the repeat
    }
    const int64_t now = impl_->Now();
    if (const Status st = catalog::MarkStreamDeleted(impl_->catalog, s->id, now); !st.ok()) {
      return InternalError(st);
    }
    {
      // Waits for PutRecords calls already appending to this stream; later ones see
      // the deletion.
      const WriterLock w(s->mu);
      s->deleted_ms = now;
    }
    impl_->FinishDeletions(removed);
  }
  DisposeStreams(removed);
  return Done{};
}

KResult<StreamInfo> StreamManager::DescribeStream(const std::string& name) const {
  const std::shared_ptr<Stream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  const ReaderLock r(s->mu);
  StreamInfo info;
  info.name = s->name;
  info.arn = impl_->Arn(s->name);
  info.status = impl_->StatusOf(*s);
  info.mode = s->mode;
  info.created_ms = s->created_ms;
  info.retention_hours = s->retention_hours;
  info.max_record_kib = s->max_record_kib;
  info.tags = s->tags;
  info.shard_level_metrics = ShardLevelNames(s->shard_level.load());
  for (const auto& shard : s->shards) {
    if (!shard) continue;
    ShardInfo si;
    si.shard_id = ShardIdFor(shard->index);
    si.created_ms = shard->created_ms;
    if (shard->parent) si.parent_shard_id = ShardIdFor(*shard->parent);
    if (shard->adjacent_parent) si.adjacent_parent_shard_id = ShardIdFor(*shard->adjacent_parent);
    si.starting_hash_key = ToDecimal(shard->range.start);
    si.ending_hash_key = ToDecimal(shard->range.end);
    si.starting_sequence_number = impl_->SequenceFor(*s, shard->index, log::Offset(0));
    if (shard->end_offset) {
      const uint64_t end = shard->end_offset->value();
      si.ending_sequence_number =
          impl_->SequenceFor(*s, shard->index, log::Offset(end == 0 ? 0 : end - 1));
      si.closed_ms = shard->closed_ms;
    } else {
      ++info.open_shard_count;
    }
    info.shards.push_back(std::move(si));
  }
  return info;
}

std::vector<std::string> StreamManager::ListStreamNames() const {
  const ReaderLock r(impl_->mu);
  std::vector<std::string> names;
  names.reserve(impl_->streams.size());
  for (const auto& [name, s] : impl_->streams) names.push_back(name);
  return names;
}

std::string StreamManager::ArnFor(const std::string& name) const { return impl_->Arn(name); }

std::string StreamManager::NameFromArn(std::string_view arn) const {
  const std::string prefix = impl_->Arn("");
  if (arn.size() <= prefix.size() || arn.substr(0, prefix.size()) != prefix) return "";
  return std::string(arn.substr(prefix.size()));
}

KResult<StreamManager::ShardLevelChange> StreamManager::SetShardLevelMetrics(
    const std::string& name, std::span<const std::string> names, bool enable) {
  uint32_t change = 0;
  for (const std::string& n : names) {
    const auto bit = ShardLevelMask(n);
    if (!bit) return MakeError(ErrorType::kInvalidArgument, fmt::format("Unknown shard-level metric {}.", n));
    change |= *bit;
  }
  const MutexLock c(impl_->control_mu);
  const std::shared_ptr<Stream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  {
    const ReaderLock r(s->mu);
    if (impl_->StatusOf(*s) != "ACTIVE") return impl_->NotActive(*s);
  }
  const uint32_t current = s->shard_level.load();
  const uint32_t desired = enable ? (current | change) : (current & ~change);
  const std::vector<std::string> desired_names = ShardLevelNames(desired);
  std::string saved;
  for (const std::string& n : desired_names) saved += (saved.empty() ? "" : ",") + n;
  if (const Status st = impl_->catalog.SetMeta(ShardLevelMetaKey(s->id, s->created_ms), saved); !st.ok()) {
    return InternalError(st);
  }
  s->shard_level.store(desired);
  return ShardLevelChange{ShardLevelNames(current), desired_names};
}

KResult<Done> StreamManager::ChangeRetention(const std::string& name, int64_t hours, bool increase) {
  const MutexLock c(impl_->control_mu);
  const std::shared_ptr<Stream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  {
    const ReaderLock r(s->mu);
    if (impl_->StatusOf(*s) != "ACTIVE") return impl_->NotActive(*s);
    const int64_t current = s->retention_hours;
    if (increase && hours < current) {
      return MakeError(ErrorType::kInvalidArgument,
                       fmt::format("Requested retention period ({} hours) for stream {} can not be "
                                   "shorter than existing retention period ({} hours). Use "
                                   "DecreaseRetentionPeriod API.",
                                   hours, name, current));
    }
    if (!increase && hours > current) {
      return MakeError(ErrorType::kInvalidArgument,
                       fmt::format("Requested retention period ({} hours) for stream {} can not be "
                                   "longer than existing retention period ({} hours). Use "
                                   "IncreaseRetentionPeriod API.",
                                   hours, name, current));
    }
  }
  if (const Status st = catalog::SetRetentionHours(impl_->catalog, s->id, hours); !st.ok()) {
    return InternalError(st);
  }
  const WriterLock w(s->mu);
  s->retention_hours = hours;
  return Done{};
}

KResult<Done> StreamManager::AddTags(const std::string& name,
                                     const std::vector<std::pair<std::string, std::string>>& tags) {
  const MutexLock c(impl_->control_mu);
  const std::shared_ptr<Stream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  std::map<std::string, std::string> merged;
  {
    const ReaderLock r(s->mu);
    merged.insert(s->tags.begin(), s->tags.end());
  }
  for (const auto& [k, v] : tags) merged[k] = v;
  if (merged.size() > 50) {
    return MakeError(ErrorType::kInvalidArgument,
                     "Failed to add tags to stream " + name +
                         " under account " + impl_->options.account_id +
                         " because a given stream cannot have more than 50 tags.");
  }
  if (const Status st = catalog::PutTags(impl_->catalog, s->id, tags); !st.ok()) {
    return InternalError(st);
  }
  const WriterLock w(s->mu);
  s->tags.assign(merged.begin(), merged.end());
  return Done{};
}

KResult<Done> StreamManager::RemoveTags(const std::string& name,
                                        const std::vector<std::string>& keys) {
  const MutexLock c(impl_->control_mu);
  const std::shared_ptr<Stream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  if (const Status st = catalog::RemoveTags(impl_->catalog, s->id, keys); !st.ok()) {
    return InternalError(st);
  }
  const WriterLock w(s->mu);
  std::erase_if(s->tags, [&](const auto& kv) {
    return std::find(keys.begin(), keys.end(), kv.first) != keys.end();
  });
  return Done{};
}

int64_t StreamManager::OpenShardCount() const { return impl_->OpenShardCount(); }

KResult<std::vector<StreamManager::ShardMetricsSnapshot>> StreamManager::ShardMetrics(
    const std::string& name) const {
  const std::shared_ptr<Stream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  const ReaderLock r(s->mu);
  std::vector<ShardMetricsSnapshot> out;
  s->ForEachShard([&out](const Shard& shard) {
    const auto& m = shard.metrics;
    out.push_back({ShardIdFor(shard.index), m.incoming_bytes.load(), m.incoming_records.load(),
                   m.write_provisioned_throughput_exceeded.load(),
                   m.read_provisioned_throughput_exceeded.load(), m.iterator_age_ms.load()});
  });
  return out;
}

int64_t StreamManager::shard_limit() const { return impl_->options.shard_limit; }
int64_t StreamManager::iterator_lifetime_ms() const { return impl_->options.iterator_lifetime_ms; }

}  // namespace sluice::stream
