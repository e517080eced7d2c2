#include "stream/stream_manager.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "stream/sequence_number.h"
#include "stream_state.h"

namespace sluice::stream {

namespace fs = std::filesystem;

std::string StreamManager::Impl::StatusOf(const Stream& s) const {
  const int64_t now = Now();
  if (s.row.deleted_ms) return "DELETING";
  if (now < s.row.created_ms + options.create_delay_ms) return "CREATING";
  if (now < s.updating_until_ms) return "UPDATING";
  return "ACTIVE";
}

std::string StreamManager::Impl::Arn(std::string_view name) const {
  return fmt::format("arn:aws:kinesis:{}:{}:stream/{}", options.region, options.account_id, name);
}

std::shared_ptr<Stream> StreamManager::Impl::Find(std::string_view name) const {
  const auto it = streams.find(name);
  return it == streams.end() ? nullptr : it->second;
}

Error StreamManager::Impl::NotFound(std::string_view name) const {
  return MakeError(ErrorType::kResourceNotFound,
                   fmt::format("Stream {} under account {} not found.", name, options.account_id));
}

Error StreamManager::Impl::NotActive(const Stream& s) const {
  return MakeError(ErrorType::kResourceInUse,
                   fmt::format("Stream {} under account {} not ACTIVE, instead in state {}",
                               s.row.name, options.account_id, StatusOf(s)));
}

bool StreamManager::Impl::LimitsOn(const Stream& s) const {
  const std::string tag = s.Tag("sluice.shard-limits");
  if (tag == "on") return true;
  if (tag == "off") return false;
  return options.shard_limits;
}

int64_t StreamManager::Impl::OpenShardCountLocked() const {
  int64_t open = 0;
  for (const auto& [n, s] : streams) s->ForEachShard([&](const Shard& sh) { open += sh.open() ? 1 : 0; });
  return open;
}

void StreamManager::Impl::ExpireShards(
    std::vector<std::pair<std::string, std::shared_ptr<Shard>>>& expired) {
  const int64_t now = Now();
  for (auto& [name, s] : streams) {
    const int64_t cutoff = now - s->row.retention_hours * 3'600'000;
    std::vector<int64_t> gone;
    for (auto& shard : s->shards) {
      if (!shard || shard->open() || shard->closed_ms >= cutoff) continue;
      // Every record arrived before the shard closed, so all of them are past retention.
      gone.push_back(shard->index);
    }
    if (gone.empty()) continue;
    if (const Status st = catalog::RemoveShards(catalog, s->row.id, gone); !st.ok()) {
      spdlog::error("msg=\"shard expiry failed\" stream={} error=\"{}\"", name, st.ToString());
      continue;
    }
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
  lo.on_warning = [dir = lo.dir](std::string_view w) {
    spdlog::warn("msg=\"log recovery\" dir=\"{}\" detail=\"{}\"", dir, w);
  };
  return log::Log::Open(std::move(lo));
}

std::string StreamManager::Impl::SequenceFor(const Stream& s, uint32_t shard,
                                             log::Offset offset) const {
  return FormatSequenceNumber({s.row.created_ms, shard, offset});
}

void StreamManager::Impl::FinishDeletions(std::vector<std::shared_ptr<Stream>>& removed) {
  const int64_t now = Now();
  for (auto it = streams.begin(); it != streams.end();) {
    const Stream& s = *it->second;
    if (s.row.deleted_ms && now >= *s.row.deleted_ms + options.delete_delay_ms) {
      if (const Status st = catalog::RemoveStream(catalog, s.row.id); !st.ok()) {
        spdlog::error("msg=\"stream removal failed\" stream={} error=\"{}\"", s.row.name,
                      st.ToString());
        ++it;
        continue;
      }
      removed.push_back(it->second);
      it = streams.erase(it);
    } else {
      ++it;
    }
  }
}

namespace {

// Closes the logs and removes the files of streams already gone from the catalog.
void DisposeStreams(std::vector<std::shared_ptr<Stream>>& removed) {
  for (auto& s : removed) {
    s->ForEachShard([](Shard& shard) {
      if (shard.log) (void)shard.log->Close();
    });
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

void StreamManager::Impl::MaintenanceLoop() {
  int64_t next_retention = Now() + options.retention_check_ms;
  std::unique_lock lock(maintenance_mu);
  while (!stopping) {
    maintenance_cv.wait_for(lock, std::chrono::milliseconds(200));
    if (stopping) break;
    lock.unlock();
    std::vector<std::shared_ptr<Stream>> removed;
    {
      std::unique_lock w(mu);
      FinishDeletions(removed);
    }
    DisposeStreams(removed);
    if (Now() >= next_retention) {
      std::vector<std::pair<std::string, std::shared_ptr<Shard>>> expired;
      {
        std::unique_lock w(mu);
        ExpireShards(expired);
      }
      DisposeShards(expired);
      next_retention = Now() + options.retention_check_ms;
      std::vector<std::pair<std::shared_ptr<Shard>, int64_t>> work;
      {
        std::shared_lock r(mu);
        for (const auto& [name, s] : streams) {
          for (const auto& shard : s->shards) {
          if (shard) work.emplace_back(shard, s->row.retention_hours);
        }
        }
      }
      for (auto& [shard, hours] : work) {
        auto res = shard->log->ApplyRetention(Now(), hours * 3'600'000);
        if (!res.ok()) spdlog::warn("msg=\"retention failed\" error=\"{}\"", res.status().ToString());
      }
    }
    lock.lock();
  }
}

Result<std::unique_ptr<StreamManager>> StreamManager::Open(StreamManagerOptions options,
                                                           catalog::Catalog& catalog) {
  auto impl = std::make_unique<Impl>(std::move(options), catalog);
  std::error_code ec;
  fs::create_directories(impl->options.dir, ec);
  if (ec) return Status::IOError("create " + impl->options.dir + ": " + ec.message());

  ASSIGN_OR_RETURN(auto records, catalog::LoadStreams(catalog));
  std::set<std::string> known_dirs;
  for (auto& rec : records) {
    auto s = std::make_shared<Stream>();
    s->row = rec.stream;
    s->dir = fmt::format("{}/{}", impl->options.dir, rec.stream.id);
    s->tags = rec.tags;
    known_dirs.insert(std::to_string(rec.stream.id));
    for (const auto& row : rec.shards) {
      auto shard = std::make_shared<Shard>();
      shard->index = static_cast<uint32_t>(row.shard_index);
      const auto start = ParseDecimal(row.start_hash);
      const auto end = ParseDecimal(row.end_hash);
      if (!start || !end || row.shard_index < 0 || row.shard_index > kMaxShardIndex) {
        return Status::Corruption(fmt::format("{}: stream {} shard {} is malformed",
                                              catalog.path(), rec.stream.name, row.shard_index));
      }
      shard->range = {*start, *end};
      if (row.parent_index) shard->parent = static_cast<uint32_t>(*row.parent_index);
      if (row.adjacent_parent_index) shard->adjacent_parent = static_cast<uint32_t>(*row.adjacent_parent_index);
      shard->created_ms = row.created_ms;
      if (row.end_offset) shard->end_offset = log::Offset(static_cast<uint64_t>(*row.end_offset));
      shard->closed_ms = row.closed_ms.value_or(0);
      ASSIGN_OR_RETURN(shard->log, impl->OpenShardLog(*s, shard->index));
      // Shards expired by retention leave gaps; indexes are never reused.
      if (s->shards.size() <= shard->index) s->shards.resize(shard->index + 1);
      s->shards[shard->index] = std::move(shard);
    }
    impl->streams.emplace(s->row.name, std::move(s));
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
  raw->maintenance = std::thread([raw] { raw->MaintenanceLoop(); });
  return std::make_unique<StreamManager>(PassKey{}, std::move(impl));
}

StreamManager::StreamManager(PassKey, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StreamManager::~StreamManager() { (void)Close(); }

Status StreamManager::Close() {
  {
    std::lock_guard lock(impl_->maintenance_mu);
    if (impl_->stopping) return Status::OK();
    impl_->stopping = true;
  }
  impl_->maintenance_cv.notify_all();
  if (impl_->maintenance.joinable()) impl_->maintenance.join();
  Status first;
  std::unique_lock w(impl_->mu);
  for (auto& [name, s] : impl_->streams) {
    s->ForEachShard([&first](Shard& shard) {
      if (Status st = shard.log->Close(); !st.ok() && first.ok()) first = st;
    });
  }
  return first;
}

void StreamManager::RunMaintenance() {
  std::vector<std::shared_ptr<Stream>> removed;
  std::vector<std::pair<std::string, std::shared_ptr<Shard>>> expired;
  {
    std::unique_lock w(impl_->mu);
    impl_->FinishDeletions(removed);
    impl_->ExpireShards(expired);
  }
  DisposeStreams(removed);
  DisposeShards(expired);
  std::shared_lock r(impl_->mu);
  for (const auto& [name, s] : impl_->streams) {
    s->ForEachShard([&](Shard& shard) {
      (void)shard.log->ApplyRetention(impl_->Now(), s->row.retention_hours * 3'600'000);
    });
  }
}

KResult<Done> StreamManager::CreateStream(
    const std::string& name, int shard_count, const std::string& mode,
    const std::vector<std::pair<std::string, std::string>>& tags, int64_t max_record_kib) {
  std::unique_lock w(impl_->mu);
  if (impl_->Find(name)) {
    return MakeError(ErrorType::kResourceInUse,
                     fmt::format("Stream {} under account {} already exists.", name,
                                 impl_->options.account_id));
  }
  const int64_t open = impl_->OpenShardCountLocked();
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
  auto s = std::make_shared<Stream>();
  s->row.name = name;
  s->row.created_ms = impl_->Now();
  s->row.retention_hours = 24;
  s->row.mode = mode;
  s->row.max_record_kib = max_record_kib;
  s->tags = tags;
  std::sort(s->tags.begin(), s->tags.end());
  std::vector<catalog::ShardRow> rows;
  const auto ranges = EvenSplit(static_cast<size_t>(shard_count));
  for (size_t i = 0; i < ranges.size(); ++i) {
    rows.push_back({.shard_index = static_cast<int64_t>(i),
                    .start_hash = ToDecimal(ranges[i].start),
                    .end_hash = ToDecimal(ranges[i].end),
                    .created_ms = s->row.created_ms});
  }
  auto id = catalog::InsertStream(impl_->catalog, s->row, rows, s->tags);
  if (!id.ok()) return InternalError(id.status());
  s->row.id = *id;
  s->dir = fmt::format("{}/{}", impl_->options.dir, *id);
  for (size_t i = 0; i < ranges.size(); ++i) {
    auto shard = std::make_shared<Shard>();
    shard->index = static_cast<uint32_t>(i);
    shard->range = ranges[i];
    shard->created_ms = s->row.created_ms;
    auto log = impl_->OpenShardLog(*s, shard->index);
    if (!log.ok()) {
      (void)catalog::RemoveStream(impl_->catalog, *id);
      return InternalError(log.status());
    }
    shard->log = std::move(*log);
    s->shards.push_back(std::move(shard));
  }
  impl_->streams.emplace(name, std::move(s));
  return Done{};
}

KResult<Done> StreamManager::DeleteStream(const std::string& name) {
  std::vector<std::shared_ptr<Stream>> removed;
  {
    std::unique_lock w(impl_->mu);
    auto s = impl_->Find(name);
    if (!s) return impl_->NotFound(name);
    if (s->row.deleted_ms) return Done{};  // already DELETING: AWS accepts the repeat
    const int64_t now = impl_->Now();
    if (const Status st = catalog::MarkStreamDeleted(impl_->catalog, s->row.id, now); !st.ok()) {
      return InternalError(st);
    }
    s->row.deleted_ms = now;
    impl_->FinishDeletions(removed);
  }
  DisposeStreams(removed);
  return Done{};
}

KResult<StreamInfo> StreamManager::DescribeStream(const std::string& name) const {
  std::shared_lock r(impl_->mu);
  const auto s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  StreamInfo info;
  info.name = s->row.name;
  info.arn = impl_->Arn(s->row.name);
  info.status = impl_->StatusOf(*s);
  info.mode = s->row.mode;
  info.created_ms = s->row.created_ms;
  info.retention_hours = s->row.retention_hours;
  info.max_record_kib = s->row.max_record_kib;
  info.tags = s->tags;
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
  std::shared_lock r(impl_->mu);
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

KResult<Done> StreamManager::ChangeRetention(const std::string& name, int64_t hours, bool increase) {
  std::unique_lock w(impl_->mu);
  auto s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  if (impl_->StatusOf(*s) != "ACTIVE") return impl_->NotActive(*s);
  const int64_t current = s->row.retention_hours;
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
  if (const Status st = catalog::SetRetentionHours(impl_->catalog, s->row.id, hours); !st.ok()) {
    return InternalError(st);
  }
  s->row.retention_hours = hours;
  return Done{};
}

KResult<Done> StreamManager::AddTags(const std::string& name,
                                     const std::vector<std::pair<std::string, std::string>>& tags) {
  std::unique_lock w(impl_->mu);
  auto s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  std::map<std::string, std::string> merged(s->tags.begin(), s->tags.end());
  for (const auto& [k, v] : tags) merged[k] = v;
  if (merged.size() > 50) {
    return MakeError(ErrorType::kInvalidArgument,
                     "Failed to add tags to stream " + name +
                         " under account " + impl_->options.account_id +
                         " because a given stream cannot have more than 50 tags.");
  }
  if (const Status st = catalog::PutTags(impl_->catalog, s->row.id, tags); !st.ok()) {
    return InternalError(st);
  }
  s->tags.assign(merged.begin(), merged.end());
  return Done{};
}

KResult<Done> StreamManager::RemoveTags(const std::string& name,
                                        const std::vector<std::string>& keys) {
  std::unique_lock w(impl_->mu);
  auto s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  if (const Status st = catalog::RemoveTags(impl_->catalog, s->row.id, keys); !st.ok()) {
    return InternalError(st);
  }
  std::erase_if(s->tags, [&](const auto& kv) {
    return std::find(keys.begin(), keys.end(), kv.first) != keys.end();
  });
  return Done{};
}

int64_t StreamManager::OpenShardCount() const {
  std::shared_lock r(impl_->mu);
  return impl_->OpenShardCountLocked();
}

KResult<std::vector<StreamManager::ShardMetricsSnapshot>> StreamManager::ShardMetrics(
    const std::string& name) const {
  std::shared_lock r(impl_->mu);
  const auto s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
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
