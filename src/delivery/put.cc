// The data plane: PutRecord(Batch) appends one batch to the stream's log and answers
// with RecordIds once it is synced; the optional per-stream quota refuses calls past it.
#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "internal/manager_state.h"

namespace sluice::delivery {
namespace {

bool LargeQuotaRegion(const std::string& region) {
  return region == "us-east-1" || region == "us-west-2" || region == "eu-west-1";
}

constexpr double kMaxCallBytes = 4.0 * 1024 * 1024;

}  // namespace

std::string RecordId(int64_t created_ms, uint64_t offset) {
  return fmt::format("{:016x}{:016x}", static_cast<uint64_t>(created_ms), offset);
}

PutQuota::PutQuota(const std::string& region)
    : requests_(LargeQuotaRegion(region) ? 2000.0 : 1000.0, LargeQuotaRegion(region) ? 2000.0 : 1000.0),
      records_(LargeQuotaRegion(region) ? 500'000.0 : 100'000.0, LargeQuotaRegion(region) ? 500'000.0 : 100'000.0),
      bytes_(LargeQuotaRegion(region) ? 5.0 * 1024 * 1024 : 1024.0 * 1024,
             std::max(LargeQuotaRegion(region) ? 5.0 * 1024 * 1024 : 1024.0 * 1024, kMaxCallBytes)) {}

bool PutQuota::Admit(uint64_t records, uint64_t bytes, int64_t now_ms) {
  const MutexLock lock(mu_);
  return requests_.TryTake(1, now_ms) && records_.TryTake(static_cast<double>(records), now_ms) &&
         bytes_.TryTake(static_cast<double>(bytes), now_ms);
}

void DeliveryManager::Put(const std::string& name, std::span<const std::string_view> records, PutCallback done) {
  const std::shared_ptr<DeliveryStream> s = impl_->Find(name);
  if (!s) return done(impl_->NotFound(name));
  {
    const MutexLock lock(s->mu);
    if (s->deleting) return done(impl_->NotFound(name));
    if (s->config.type == "KinesisStreamAsSource") {
      return done(Error{ErrorType::kInvalidArgument,
                        "This operation is not permitted on KinesisStreamAsSource delivery stream type."});
    }
  }
  if (s->quota) {
    uint64_t total = 0;
    for (const std::string_view r : records) total += r.size();
    if (!s->quota->Admit(records.size(), total, impl_->clock.NowMillis())) {
      s->metrics->throttled_records.Add(static_cast<double>(records.size()));
      return done(Error{ErrorType::kServiceUnavailable, "Slow down."});
    }
  }
  const int64_t arrival = s->log_clock->NowMillis();
  std::vector<log::RecordInput> inputs(records.size());
  uint64_t bytes = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    inputs[i].data = records[i];
    inputs[i].arrival_ms = arrival;
    bytes += records[i].size();
  }
  Impl* impl = impl_.get();
  // A raw pointer: the log runs its callbacks only while it exists, and the stream owns
  // it, so the stream outlives the callback (which must not destroy the log).
  DeliveryStream* const sp = s.get();
  sp->log->AppendAsync(inputs, [impl, s = sp, n = records.size(), bytes, arrival, done = std::move(done)](
                                   Result<log::AppendResult> r) {
    if (!r.ok()) {
      spdlog::error("msg=\"delivery stream append failed\" name={} error=\"{}\"", s->name, r.status().ToString());
      return done(Error{ErrorType::kInternalFailure, "Internal service failure."});
    }
    {
      const MutexLock lock(s->mu);
      s->stats.incoming_records += n;
      s->stats.incoming_bytes += bytes;
      NoteAcknowledged(*s, {.first = r->first_offset.value(),
                            .end = r->last_offset.value() + 1,
                            .bytes = bytes,
                            .arrival_ms = arrival});
    }
    s->metrics->incoming_bytes.Add(static_cast<double>(bytes));
    s->metrics->incoming_records.Add(static_cast<double>(n));
    s->metrics->incoming_put_requests.Add(1);
    std::vector<std::string> ids;
    ids.reserve(n);
    for (uint64_t o = r->first_offset.value(); o <= r->last_offset.value(); ++o) ids.push_back(RecordId(s->created_ms, o));
    impl->Wake();
    done(std::move(ids));
  });
}
}  // namespace sluice::delivery
