// The delivery loop: one thread polls Kinesis sources, routes what the logs
// acknowledged and delivers what is due; Flush and Stats for the operator.
#include <chrono>

#include <spdlog/spdlog.h>

#include "internal/manager_state.h"
#include "base/thread_name.h"
#include "base/thread_priority.h"

namespace sluice::delivery {
namespace {

// How often the delivery thread looks at streams when nothing wakes it.
constexpr auto kLoopTick = std::chrono::milliseconds(100);

}  // namespace

void DeliveryManager::RunDueDeliveries() { impl_->RunDue(); }

void DeliveryManager::Impl::RunDue() {
  std::vector<std::shared_ptr<DeliveryStream>> all;
  {
    const MutexLock lock(mu);
    for (const auto& [name, s] : streams) all.push_back(s);
  }
  for (const auto& owner : all) {
    DeliveryStream& s = *owner;
    if (!s.delivery_mu.TryLock()) continue;  // a Flush or Delete is delivering it
    DeliverDue(s);
    s.delivery_mu.Unlock();
  }
}

void DeliveryManager::Impl::PollSource(DeliveryStream& s) {
  std::string position;
  int64_t start_ms = 0;
  std::string stream_arn;
  {
    const MutexLock lock(s.mu);
    if (!s.config.source || opts.streams == nullptr) return;
    position = s.source_position;
    start_ms = s.source_start_ms;
    stream_arn = s.config.source->stream_arn;
  }
  if (!s.source) {
    auto reader = std::make_unique<KinesisSourceReader>(*opts.streams, opts.streams->NameFromArn(stream_arn),
                                                        position, start_ms);
    if (const Status st = reader->Recover(*s.log); !st.ok()) {
      spdlog::error("msg=\"delivery source recovery failed\" name={} error=\"{}\"", s.name, st.ToString());
      return;
    }
    s.source = std::move(reader);
  }
  auto r = s.source->Poll(*s.log, *s.log_clock, catalog, s.id);
  const MutexLock lock(s.mu);
  if (!r.ok()) {
    s.stats.last_error = r.status().message();
    return;
  }
  s.stats.incoming_records += r->records;
  s.stats.incoming_bytes += r->bytes;
  s.source_position = s.source->Position();
}

void DeliveryManager::Impl::DeliverDue(DeliveryStream& s) {
  PollSource(s);
  if (const Status st = Scan(s); !st.ok()) {
    spdlog::error("msg=\"delivery log read failed\" name={} error=\"{}\"", s.name, st.ToString());
    return;
  }
  if (const Status st = DeliverPartitions(s, /*force=*/false); !st.ok()) {
    spdlog::warn("msg=\"delivery failed, will retry\" name={} error=\"{}\"", s.name, st.ToString());
  }
}

DResult<DeliveryStats> DeliveryManager::Flush(const std::string& name) {
  const std::shared_ptr<DeliveryStream> s = impl_->Find(name);
  if (!s) return impl_->NotFound(name);
  {
    const MutexLock dlock(s->delivery_mu);
    impl_->PollSource(*s);  // a Kinesis source: what the stream holds now is buffered too
  }
  if (const Status st = impl_->DeliverUpTo(*s, s->log->EndOffset().value(), /*attempts=*/1); !st.ok()) {
    return Error{ErrorType::kServiceUnavailable, st.message()};
  }
  for (const DeliveryStats& st : Stats()) {
    if (st.name == name) return st;
  }
  return impl_->NotFound(name);
}

std::vector<DeliveryStats> DeliveryManager::Stats() const {
  std::vector<DeliveryStats> out;
  const int64_t now = impl_->clock.NowMillis();
  const MutexLock lock(impl_->mu);
  for (const auto& [name, s] : impl_->streams) {
    const MutexLock slock(s->mu);
    DeliveryStats st = s->stats;
    for (const auto& [id, p] : s->partitions) {
      st.buffered_bytes += p.bytes;
      for (const BufferRun& r : p.runs) st.buffered_records += r.records;
    }
    for (const UnscannedBatch& b : s->unscanned) {
      st.buffered_bytes += b.bytes;
      st.buffered_records += b.records();
    }
    const int64_t oldest = OldestArrival(*s);
    st.oldest_record_age_ms = oldest < 0 ? -1 : now - oldest;
    out.push_back(std::move(st));
  }
  return out;
}

void DeliveryManager::Impl::Wake() {
  const MutexLock lock(loop_mu);
  wake = true;
  loop_cv.Signal();
}

void DeliveryManager::Impl::Loop() {
  // Before the name: a thread named "delivery" already runs at its priority.
  if (const Status st = LowerThisThreadPriority(opts.thread_nice); !st.ok()) {
    spdlog::warn("msg=\"delivery thread keeps the server's priority\" error=\"{}\"", st.ToString());
  }
  NameThisThread("delivery");
  for (;;) {
    {
      MutexLock lock(loop_mu);
      if (stop) return;
      if (!wake) loop_cv.WaitFor(loop_mu, kLoopTick);
      if (stop) return;
      wake = false;
    }
    RunDue();
  }
}

}  // namespace sluice::delivery
