// DeliveryManager: opening, closing and the control plane.
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "catalog/delivery_streams.h"
#include "internal/config_json.h"
#include "internal/manager_state.h"
#include "internal/validate.h"

namespace sluice::delivery {
namespace {

Error Internal(const Status& st) {
  spdlog::error("msg=\"delivery storage failure\" error=\"{}\"", st.ToString());
  return Error{ErrorType::kInternalFailure, "Internal service failure."};
}

constexpr size_t kMaxTags = 50;  // per delivery stream

int64_t SourceStartOf(const std::string& position) {
  const nlohmann::json j = nlohmann::json::parse(position, nullptr, false);
  return j.is_object() ? j.value("start_ms", int64_t{0}) : 0;
}

}  // namespace

int64_t MonotonicClock::NowMillis() const {
  const int64_t now = base_.NowMillis();
  int64_t last = last_.load();
  while (now > last && !last_.compare_exchange_weak(last, now)) {
  }
  return std::max(now, last);
}

std::shared_ptr<DeliveryStream> DeliveryManager::Impl::Find(const std::string& name) const {
  const MutexLock lock(mu);
  const auto it = streams.find(name);
  return it == streams.end() ? nullptr : it->second;
}

Error DeliveryManager::Impl::NotFound(const std::string& name) const {
  return Error{ErrorType::kResourceNotFound,
               fmt::format("Firehose {} under account {} not found.", name, opts.account_id)};
}

std::string DeliveryManager::Impl::Arn(const std::string& name) const {
  return fmt::format("arn:aws:firehose:{}:{}:deliverystream/{}", opts.region, opts.account_id, name);
}

Result<std::unique_ptr<log::Log>> DeliveryManager::Impl::OpenLog(DeliveryStream& s) const {
  log::LogOptions lo;
  lo.dir = (std::filesystem::path(opts.dir) / std::to_string(s.id)).string();
  lo.segment_bytes = opts.segment_bytes;
  lo.segment_max_age_ms = opts.segment_max_age_ms;
  lo.fsync = opts.fsync;
  lo.fsync_interval_ms = opts.fsync_interval_ms;
  lo.clock = s.log_clock.get();
  return log::Log::Open(std::move(lo));
}

DeliveryManager::DeliveryManager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DeliveryManager::~DeliveryManager() { (void)Close(); }

Result<std::unique_ptr<DeliveryManager>> DeliveryManager::Open(DeliveryOptions options, catalog::Catalog& catalog,
                                                               objects::ObjectStore& store,
                                                               metrics::Registry& metrics) {
  auto impl = std::make_unique<Impl>(std::move(options), catalog, store, metrics);
  std::error_code ec;
  std::filesystem::create_directories(impl->opts.dir, ec);
  if (ec) return Status::IOError(impl->opts.dir + ": " + ec.message());
  ASSIGN_OR_RETURN(std::vector<catalog::DeliveryStreamRecord> rows, catalog::LoadDeliveryStreams(catalog));
  for (catalog::DeliveryStreamRecord& rec : rows) {
    const std::string dir = (std::filesystem::path(impl->opts.dir) / std::to_string(rec.stream.id)).string();
    if (rec.stream.deleted_ms) {  // a deletion the last run did not finish
      std::filesystem::remove_all(dir, ec);
      RETURN_IF_ERROR(catalog::RemoveDeliveryStream(catalog, rec.stream.id));
      continue;
    }
    ASSIGN_OR_RETURN(DeliveryStreamConfig config, ConfigFromJson(rec.stream.config_json));
    auto s = std::make_shared<DeliveryStream>(rec.stream.id, rec.stream.name, rec.stream.created_ms);
    s->metrics = std::make_unique<StreamMetrics>(impl->metrics, s->name);
    s->log_clock = std::make_unique<MonotonicClock>(impl->clock);
    if (impl->opts.rate_limits) s->quota = std::make_unique<PutQuota>(impl->opts.region);
    ASSIGN_OR_RETURN(s->log, impl->OpenLog(*s));
    {
      const MutexLock lock(s->mu);
      s->config = std::move(config);
      s->version = rec.stream.version;
      s->updated_ms = rec.stream.updated_ms;
      s->tags = std::move(rec.tags);
      s->next_offset = static_cast<uint64_t>(rec.checkpoint.next_offset);
      s->scanned_end = s->next_offset;
      for (const catalog::PartitionRow& row : rec.checkpoint.partitions) {
        Partition& p = s->partitions[row.partition];
        p.id = row.partition;
        p.watermark = static_cast<uint64_t>(row.watermark);
        p.pending = row.pending;
      }
      s->stats.name = s->name;
      s->source_position = rec.checkpoint.source_position;
      s->source_start_ms = SourceStartOf(s->source_position);
    }
    const MutexLock lock(impl->mu);
    impl->streams.emplace(s->name, std::move(s));
  }
  Impl* raw = impl.get();
  auto manager = std::unique_ptr<DeliveryManager>(new DeliveryManager(std::move(impl)));
  if (raw->opts.start_thread) raw->thread = std::thread([raw] { raw->Loop(); });
  return manager;
}

Status DeliveryManager::Close() {
  {
    const MutexLock lock(impl_->loop_mu);
    if (impl_->stop) return Status::OK();
    impl_->stop = true;
    impl_->loop_cv.SignalAll();
  }
  if (impl_->thread.joinable()) impl_->thread.join();
  Status result;
  const MutexLock lock(impl_->mu);
  for (auto& [name, s] : impl_->streams) {
    if (const Status st = s->log->Close(); !st.ok() && result.ok()) result = st;
  }
  return result;
}

std::string DeliveryManager::ArnFor(const std::string& name) const { return impl_->Arn(name); }

DResult<std::string> DeliveryManager::Create(const DeliveryStreamConfig& config, const Tags& tags) {
  if (config.type == "KinesisStreamAsSource") {
    if (!config.source) {
      return Error{ErrorType::kInvalidArgument,
                   "KinesisSourceStreamConfig is required for KinesisStreamAsSource delivery stream type."};
    }
    if (impl_->opts.streams == nullptr) {
      return Error{ErrorType::kInvalidArgument, "This server has no Kinesis streams to read from."};
    }
    const std::string stream_name = impl_->opts.streams->NameFromArn(config.source->stream_arn);
    if (stream_name.empty() || !impl_->opts.streams->DescribeStream(stream_name).ok()) {
      return Error{ErrorType::kInvalidArgument,
                   fmt::format("Kinesis stream {} does not exist.", config.source->stream_arn)};
    }
  } else if (config.type != "DirectPut") {
    return Error{ErrorType::kInvalidArgument,
                 fmt::format("sluice does not support DeliveryStreamType {}.", config.type)};
  }
  if (config.source && config.type != "KinesisStreamAsSource") {
    return Error{ErrorType::kInvalidArgument,
                 "KinesisSourceStreamConfig is only supported for KinesisStreamAsSource delivery stream type."};
  }
  if (auto err = ValidateDestination(config.destination, impl_->Arn(config.name), impl_->opts.transformer != nullptr)) return *err;
  if (tags.size() > kMaxTags) {
    return Error{ErrorType::kLimitExceeded, fmt::format("A delivery stream can have at most {} tags.", kMaxTags)};
  }
  const MutexLock control(impl_->control_mu);
  {
    const MutexLock lock(impl_->mu);
    if (impl_->streams.contains(config.name)) {
      return Error{ErrorType::kResourceInUse, fmt::format("Firehose {} under accountId {} already exists",
                                                          config.name, impl_->opts.account_id)};
    }
    if (static_cast<int64_t>(impl_->streams.size()) >= impl_->opts.stream_limit) {
      return Error{ErrorType::kLimitExceeded,
                   fmt::format("You have already consumed your firehose quota of {} hoses. Firehose names: {}",
                               impl_->opts.stream_limit, config.name)};
    }
  }
  const int64_t now = impl_->clock.NowMillis();
  catalog::DeliveryStreamRow row{.name = config.name, .type = config.type, .created_ms = now,
                                 .updated_ms = now, .version = 1, .config_json = ConfigToJson(config)};
  Tags sorted = tags;
  std::sort(sorted.begin(), sorted.end());
  auto id = catalog::InsertDeliveryStream(impl_->catalog, row, sorted);
  if (!id.ok()) return Internal(id.status());
  std::string source_position;
  if (config.source) {
    // AWS starts reading at LATEST: records that arrived before now are not delivered.
    source_position = nlohmann::json{{"start_ms", now}, {"shards", nlohmann::json::object()}}.dump();
    if (const Status st = catalog::SetSourcePosition(impl_->catalog, *id, source_position); !st.ok()) {
      (void)catalog::RemoveDeliveryStream(impl_->catalog, *id);
      return Internal(st);
    }
  }
  auto s = std::make_shared<DeliveryStream>(*id, config.name, now);
  s->metrics = std::make_unique<StreamMetrics>(impl_->metrics, s->name);
  s->log_clock = std::make_unique<MonotonicClock>(impl_->clock);
  if (impl_->opts.rate_limits) s->quota = std::make_unique<PutQuota>(impl_->opts.region);
  auto lg = impl_->OpenLog(*s);
  if (!lg.ok()) {
    (void)catalog::RemoveDeliveryStream(impl_->catalog, *id);
    return Internal(lg.status());
  }
  s->log = std::move(*lg);
  {
    const MutexLock lock(s->mu);
    s->config = config;
    s->updated_ms = now;
    s->tags = std::move(sorted);
    s->stats.name = s->name;
    s->source_position = source_position;
    s->source_start_ms = config.source ? now : 0;
  }
  const MutexLock lock(impl_->mu);
  impl_->streams.emplace(config.name, std::move(s));
  return impl_->Arn(config.name);
}

DResult<DeliveryStreamInfo> DeliveryManager::Describe(const std::string& name) const {
  const std::shared_ptr<DeliveryStream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  const MutexLock lock(s->mu);
  DeliveryStreamInfo info;
  info.config = s->config;
  info.arn = impl_->Arn(name);
  info.status = s->deleting ? "DELETING" : "ACTIVE";
  info.version = s->version;
  info.created_ms = s->created_ms;
  info.updated_ms = s->updated_ms;
  info.tags = s->tags;
  info.source_start_ms = s->source_start_ms;
  return info;
}

ListResult DeliveryManager::List(std::optional<std::string> type, const std::string& exclusive_start,
                                 size_t limit) const {
  ListResult out;
  const MutexLock lock(impl_->mu);
  for (const auto& [name, s] : impl_->streams) {
    if (!exclusive_start.empty() && name <= exclusive_start) continue;
    if (type) {
      const MutexLock slock(s->mu);
      if (s->config.type != *type) continue;
    }
    if (out.names.size() == limit) {
      out.has_more = true;
      break;
    }
    out.names.push_back(name);
  }
  return out;
}

DResult<Done> DeliveryManager::Delete(const std::string& name, bool allow_force_delete) {
  const MutexLock control(impl_->control_mu);
  const std::shared_ptr<DeliveryStream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  {
    const MutexLock lock(s->mu);
    if (s->deleting) return impl_->NotFound(name);
    s->deleting = true;  // Put refuses from now on
  }
  if (const Status st = catalog::MarkDeliveryStreamDeleted(impl_->catalog, s->id, impl_->clock.NowMillis());
      !st.ok()) {
    const MutexLock lock(s->mu);
    s->deleting = false;
    return Internal(st);
  }
  if (!allow_force_delete) {
    // What is buffered is delivered first (one attempt per object: AWS guarantees nothing
    // for buffered data, and a delete must not wait on a broken destination forever).
    if (const Status st = impl_->DeliverUpTo(*s, s->log->EndOffset().value(), /*attempts=*/1); !st.ok()) {
      spdlog::warn("msg=\"delivery stream deleted with undelivered records\" name={} error=\"{}\"", name,
                   st.ToString());
    }
  }
  // Wait out a delivery or source poll in progress: nothing touches the log after this.
  const MutexLock dlock(s->delivery_mu);
  {
    const MutexLock lock(impl_->mu);
    impl_->streams.erase(name);
  }
  (void)s->log->Close();
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(impl_->opts.dir) / std::to_string(s->id), ec);
  if (const Status st = catalog::RemoveDeliveryStream(impl_->catalog, s->id); !st.ok()) return Internal(st);
  return Done{};
}

DResult<Done> DeliveryManager::UpdateDestination(const std::string& name, int64_t version_id,
                                                 const S3Destination& destination) {
  const MutexLock control(impl_->control_mu);
  const std::shared_ptr<DeliveryStream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  {
    const MutexLock lock(s->mu);
    if (s->deleting) return impl_->NotFound(name);
    if (version_id != s->version) {
      return Error{ErrorType::kConcurrentModification,
                   fmt::format("Cannot update firehose: {} since the current version id: {} and the specified "
                               "version id: {} do not match",
                               name, s->version, version_id)};
    }
    if (destination.extended != s->config.destination.extended && !destination.extended) {
      // An S3DestinationUpdate keeps an extended destination extended, as AWS does.
    }
  }
  S3Destination merged = destination;
  {
    const MutexLock lock(s->mu);
    merged.extended = s->config.destination.extended || destination.extended;
  }
  if (auto err = ValidateDestination(merged, impl_->Arn(name), impl_->opts.transformer != nullptr)) return *err;
  // Records buffered under the old configuration are delivered under it.
  if (const Status st = impl_->DeliverUpTo(*s, s->log->EndOffset().value(), /*attempts=*/1); !st.ok()) {
    return Error{ErrorType::kResourceInUse,
                 fmt::format("Firehose {} cannot be updated while its destination fails: {}", name, st.message())};
  }
  DeliveryStreamConfig next;
  int64_t version = 0;
  {
    const MutexLock lock(s->mu);
    next = s->config;
    next.destination = merged;
    version = s->version + 1;
  }
  const int64_t now = impl_->clock.NowMillis();
  if (const Status st = catalog::UpdateDeliveryStreamConfig(impl_->catalog, s->id, version, now, ConfigToJson(next));
      !st.ok()) {
    return Internal(st);
  }
  const MutexLock lock(s->mu);
  s->config = std::move(next);
  s->pipeline.reset();
  s->version = version;
  s->updated_ms = now;
  return Done{};
}

DResult<Done> DeliveryManager::Tag(const std::string& name, const Tags& tags) {
  const MutexLock control(impl_->control_mu);
  const std::shared_ptr<DeliveryStream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  Tags merged;
  {
    const MutexLock lock(s->mu);
    merged = s->tags;
  }
  for (const auto& [k, v] : tags) {
    auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& kv) { return kv.first == k; });
    if (it != merged.end()) {
      it->second = v;
    } else {
      merged.emplace_back(k, v);
    }
  }
  if (merged.size() > kMaxTags) {
    return Error{ErrorType::kLimitExceeded,
                 fmt::format("Firehose {} cannot have more than {} tags.", name, kMaxTags)};
  }
  if (const Status st = catalog::PutDeliveryStreamTags(impl_->catalog, s->id, tags); !st.ok()) return Internal(st);
  std::sort(merged.begin(), merged.end());
  const MutexLock lock(s->mu);
  s->tags = std::move(merged);
  return Done{};
}

DResult<Done> DeliveryManager::Untag(const std::string& name, const std::vector<std::string>& keys) {
  const MutexLock control(impl_->control_mu);
  const std::shared_ptr<DeliveryStream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  if (const Status st = catalog::RemoveDeliveryStreamTags(impl_->catalog, s->id, keys); !st.ok()) return Internal(st);
  const MutexLock lock(s->mu);
  std::erase_if(s->tags, [&](const auto& kv) { return std::find(keys.begin(), keys.end(), kv.first) != keys.end(); });
  return Done{};
}

}  // namespace sluice::delivery
