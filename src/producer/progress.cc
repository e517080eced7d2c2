#include "producer/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>

namespace sluice::producer {

ProduceStats ProduceStats::From(const ProduceCounters& c, double elapsed_seconds) {
  ProduceStats s;
  s.rows_read = c.rows_read.load();
  s.rows_rejected = c.rows_rejected.load();
  s.records_sent = c.records_sent.load();
  s.bytes_sent = c.bytes_sent.load();
  s.records_retried = c.records_retried.load();
  s.records_failed = c.records_failed.load();
  s.requests = c.requests.load();
  s.input_bytes = c.input_bytes.load();
  s.elapsed_seconds = elapsed_seconds;
  return s;
}

std::string ProduceStats::Summary() const {
  const double secs = elapsed_seconds > 0 ? elapsed_seconds : 1e-9;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "sent %" PRIu64 " records (%.1f MB) in %.1f s: %.0f records/s, %.1f MB/s; retried %" PRIu64
                ", failed %" PRIu64 ", rejected rows %" PRIu64 ", requests %" PRIu64,
                records_sent, static_cast<double>(bytes_sent) / 1e6, elapsed_seconds,
                static_cast<double>(records_sent) / secs, static_cast<double>(bytes_sent) / 1e6 / secs,
                records_retried, records_failed, rows_rejected, requests);
  std::string out = buf;
  if (aborted) out += "; stopped early: " + abort_reason;
  return out;
}

ProgressReporter::ProgressReporter(const ProduceCounters& counters, ProgressMode mode, int64_t interval_ms,
                                   int64_t total_bytes, std::FILE* out)
    : counters_(counters), mode_(mode), interval_ms_(interval_ms), total_bytes_(total_bytes), out_(out) {
  if (mode_ == ProgressMode::kAuto) mode_ = ::isatty(::fileno(out_)) ? ProgressMode::kBar : ProgressMode::kLines;
  if (mode_ == ProgressMode::kBar) interval_ms_ = 250;  // a bar is redrawn often; lines are not
  if (mode_ != ProgressMode::kOff) thread_ = std::thread([this] { Loop(); });
}

ProgressReporter::~ProgressReporter() { Stop(); }

void ProgressReporter::Stop() {
  {
    MutexLock lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
  if (mode_ == ProgressMode::kBar) {
    std::fputs("\r\033[K", out_);  // leave the line clean for the summary
    std::fflush(out_);
  }
}

std::string ProgressReporter::Line(const ProduceStats& s, double records_per_second, int64_t total_bytes, bool bar) {
  std::string out;
  char buf[256];
  if (bar && total_bytes > 0) {
    const double frac = std::min(1.0, static_cast<double>(s.input_bytes) / static_cast<double>(total_bytes));
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    out = "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(kWidth - filled), '.') + "] ";
    std::snprintf(buf, sizeof buf, "%3.0f%% ", frac * 100);
    out += buf;
  } else if (total_bytes > 0) {
    std::snprintf(buf, sizeof buf, "%.0f%% of input, ",
                  100.0 * std::min(1.0, static_cast<double>(s.input_bytes) / static_cast<double>(total_bytes)));
    out += buf;
  }
  std::snprintf(buf, sizeof buf,
                "%" PRIu64 " sent, %.0f records/s, %.1f MB/s, retried %" PRIu64 ", failed %" PRIu64
                ", rejected %" PRIu64,
                s.records_sent, records_per_second,
                s.elapsed_seconds > 0 ? static_cast<double>(s.bytes_sent) / 1e6 / s.elapsed_seconds : 0.0,
                s.records_retried, s.records_failed, s.rows_rejected);
  out += buf;
  return out;
}

void ProgressReporter::Loop() {
  const auto start = std::chrono::steady_clock::now();
  auto last_time = start;
  uint64_t last_sent = 0;
  MutexLock lock(mu_);
  while (true) {
    // One line per interval; Stop() ends the wait early.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(interval_ms_);
    while (!stop_ && cv_.WaitUntil(mu_, deadline)) {
    }
    if (stop_) return;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    const ProduceStats s = ProduceStats::From(counters_, elapsed);
    const double dt = std::chrono::duration<double>(now - last_time).count();
    const double rate = dt > 0 ? static_cast<double>(s.records_sent - last_sent) / dt : 0;
    last_time = now;
    last_sent = s.records_sent;
    const bool bar = mode_ == ProgressMode::kBar;
    const std::string line = Line(s, rate, total_bytes_, bar);
    if (bar) {
      std::fprintf(out_, "\r\033[K%s", line.c_str());
    } else {
      std::fprintf(out_, "produce: %s\n", line.c_str());
    }
    std::fflush(out_);
  }
}

}  // namespace sluice::producer
