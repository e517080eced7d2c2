#include "producer/produce.h"

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "aws/credentials.h"
#include "aws/endpoint.h"
#include "aws/kinesis_client.h"
#include "base/mutex.h"
#include "producer/batcher.h"
#include "producer/csv_reader.h"
#include "producer/record_builder.h"

namespace sluice::producer {
namespace {

using Clock = std::chrono::steady_clock;

// Rejected rows beyond this many are counted and written to --rejects but no longer
// printed one by one: a wholly broken file must not flood the terminal.
constexpr uint64_t kMaxRejectsPrinted = 100;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count();
}

// A bounded FIFO: the reader blocks when every sender is busy and the queue is full,
// which keeps memory at (concurrency * 2 + concurrency) batches whatever the input size.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}
  void Push(Batch b) {
    MutexLock lock(mu_);
    while (q_.size() >= capacity_) not_full_.Wait(mu_);
    q_.push_back(std::move(b));
    not_empty_.Signal();
  }
  // nullopt once closed and drained.
  std::optional<Batch> Pop() {
    MutexLock lock(mu_);
    while (q_.empty() && !closed_) not_empty_.Wait(mu_);
    if (q_.empty()) return std::nullopt;
    Batch b = std::move(q_.front());
    q_.pop_front();
    not_full_.Signal();
    return b;
  }
  void Close() {
    MutexLock lock(mu_);
    closed_ = true;
    not_empty_.SignalAll();
  }

 private:
  const size_t capacity_;
  Mutex mu_;
  CondVar not_empty_, not_full_;
  std::deque<Batch> q_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
};

// Set once by whichever thread meets a fatal error; everyone else stops early.
class AbortFlag {
 public:
  void Set(std::string reason) {
    MutexLock lock(mu_);
    if (set_.exchange(true)) return;
    reason_ = std::move(reason);
  }
  bool is_set() const { return set_.load(); }
  std::string reason() const {
    MutexLock lock(mu_);
    return reason_;
  }

 private:
  std::atomic<bool> set_{false};
  mutable Mutex mu_;
  std::string reason_ GUARDED_BY(mu_);
};

bool RecordErrorRetryable(const std::string& code) {
  return aws::IsRetryable(aws::KinesisErrorFromType(code));
}

class Sender {
 public:
  Sender(const ProduceOptions& options, aws::KinesisClientOptions client_options, uint64_t seed,
         ProduceCounters& counters, AbortFlag& abort, Mutex& log_mu)
      : options_(options), client_(std::move(client_options)), rng_(seed), counters_(counters), abort_(abort),
        log_mu_(log_mu) {}

  void Run(BatchQueue& queue) {
    while (std::optional<Batch> batch = queue.Pop()) {
      if (abort_.is_set()) {
        counters_.records_failed += batch->records.size();
        continue;
      }
      Send(std::move(batch->records));
    }
  }

 private:
  void Send(std::vector<aws::PutRecordsEntry> pending) {
    for (int attempt = 1;; ++attempt) {
      counters_.requests += 1;
      aws::KinesisResult<aws::PutRecordsOutput> out = client_.PutRecords(options_.stream, pending);
      if (!out.ok()) {
        const aws::KinesisError& err = out.error();
        if (!err.retryable) {
          counters_.records_failed += pending.size();
          abort_.Set("PutRecords failed: " + err.ToString());
          return;
        }
        if (attempt >= options_.max_attempts) {
          GiveUp(pending.size(), "PutRecords still failing after " + std::to_string(attempt) +
                                     " attempts: " + err.ToString());
          return;
        }
        counters_.records_retried += pending.size();
        Sleep(attempt);
        continue;
      }
      std::vector<aws::PutRecordsEntry> retry;
      uint64_t fatal = 0;
      std::string fatal_code;
      for (size_t i = 0; i < pending.size(); ++i) {
        const aws::PutRecordsResultEntry& r = out->records[i];
        if (r.ok()) {
          counters_.records_sent += 1;
          counters_.bytes_sent += pending[i].data.size();
        } else if (RecordErrorRetryable(r.error_code)) {
          retry.push_back(std::move(pending[i]));
        } else {
          ++fatal;
          fatal_code = r.error_code + ": " + r.error_message;
        }
      }
      if (fatal > 0) {
        counters_.records_failed += fatal;
        Log("produce: " + std::to_string(fatal) + " records refused for good (" + fatal_code + ")");
      }
      if (retry.empty()) return;
      if (attempt >= options_.max_attempts) {
        GiveUp(retry.size(), "records still throttled after " + std::to_string(attempt) + " attempts");
        return;
      }
      counters_.records_retried += retry.size();
      pending = std::move(retry);
      Sleep(attempt);
    }
  }

  void GiveUp(size_t n, const std::string& why) {
    counters_.records_failed += n;
    Log("produce: giving up on " + std::to_string(n) + " records: " + why);
  }

  void Sleep(int attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(BackoffDelayMs(options_.backoff, attempt, rng_)));
  }

  void Log(const std::string& line) {
    MutexLock lock(log_mu_);
    std::fprintf(options_.log, "%s\n", line.c_str());
  }

  const ProduceOptions& options_;
  aws::KinesisClient client_;
  Rng rng_;
  ProduceCounters& counters_;
  AbortFlag& abort_;
  Mutex& log_mu_;  // serializes lines written to options_.log
};

Result<aws::KinesisClientOptions> ClientOptions(const ProduceOptions& options) {
  aws::CredentialOptions co;
  co.access_key_id = options.access_key_id;
  co.secret_access_key = options.secret_access_key;
  co.session_token = options.session_token;
  co.profile = options.profile;
  co.region = options.region;
  // --endpoint, else AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL or the profile's, as the SDKs do.
  ASSIGN_OR_RETURN(aws::ClientTarget target,
                   aws::ResolveClientTarget({"Kinesis", "kinesis", options.endpoint, co}, aws::RealEnv()));
  aws::KinesisClientOptions out;
  out.credentials = std::move(target.credentials);
  out.region = std::move(target.region);
  out.endpoint = std::move(target.endpoint);
  out.http.request_timeout_ms = options.request_timeout_ms;
  return out;
}

Status ValidateOptions(const ProduceOptions& o) {
  if (o.stream.empty()) return Status::InvalidArgument("--stream is required");
  if (o.concurrency < 1 || o.concurrency > 256) return Status::InvalidArgument("--concurrency must be 1..256");
  if (o.rate < 0) return Status::InvalidArgument("--rate must not be negative");
  if (o.max_attempts < 1) return Status::InvalidArgument("max attempts must be at least 1");
  if (o.partition_key.empty()) return Status::InvalidArgument("--partition-key must be 'uuid' or a column name");
  return Status::OK();
}

using RejectsFile = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

// The partition-key column, or nullopt for random (uuid) keys.
Result<std::optional<size_t>> KeyColumn(const ProduceOptions& options, const RecordBuilder& builder) {
  if (options.partition_key == "uuid") return std::optional<size_t>();
  const std::optional<size_t> column = builder.ColumnIndex(options.partition_key);
  if (!column) {
    return Status::InvalidArgument("--partition-key: no column named '" + options.partition_key +
                                   "' in the CSV header");
  }
  return column;
}

Result<RejectsFile> OpenRejects(const std::string& path) {
  RejectsFile file(nullptr, &std::fclose);
  if (path.empty()) return file;
  file.reset(std::fopen(path.c_str(), "w"));
  if (!file) return Status::FromErrno("open", path, errno);
  return file;
}

// The sending side of a run: batchers, queues and sender threads, one lane per sender
// when records have a key column. With a partition-key column, each key always goes
// through the same lane (batcher, queue, sender), so one key's records are sent in CSV
// order even with many requests in flight. Random (uuid) keys have no order to keep
// and share one queue. Offer and Reject run on the reading thread only.
class Pipeline {
 public:
  Pipeline(const ProduceOptions& options, const aws::KinesisClientOptions& client_options, uint64_t seed,
           bool keyed, FILE* rejects)
      : options_(options),
        lanes_(keyed ? static_cast<size_t>(options.concurrency) : 1),
        rejects_(rejects),
        batchers_(lanes_),
        batch_started_(lanes_, Clock::now()) {
    for (size_t i = 0; i < lanes_; ++i) {
      queues_.push_back(
          std::make_unique<BatchQueue>(lanes_ == 1 ? static_cast<size_t>(options.concurrency) * 2 : 2));
    }
    for (int i = 0; i < options.concurrency; ++i) {
      senders_.push_back(std::make_unique<Sender>(options, client_options, seed + 1 + static_cast<uint64_t>(i),
                                                  counters_, abort_, log_mu_));
    }
    for (size_t i = 0; i < senders_.size(); ++i) {
      threads_.emplace_back([queue = queues_[i % lanes_].get(), sender = senders_[i].get()] { sender->Run(*queue); });
    }
    // A burst of one batch lets the first request go out at once.
    if (options.rate > 0) bucket_.emplace(options.rate, std::min(options.rate, 500.0), NowMicros());
  }

  ProduceCounters& counters() { return counters_; }
  AbortFlag& abort() { return abort_; }

  void Reject(uint64_t line, std::string_view reason, std::string_view raw) {
    const uint64_t n = ++counters_.rows_rejected;
    MutexLock lock(log_mu_);
    if (n <= kMaxRejectsPrinted) {
      std::fprintf(options_.log, "produce: line %llu rejected: %.*s\n", static_cast<unsigned long long>(line),
                   static_cast<int>(reason.size()), reason.data());
    } else if (n == kMaxRejectsPrinted + 1) {
      std::fprintf(options_.log, "produce: more rejected rows; counting them without printing each%s\n",
                   rejects_ ? " (all are in the rejects file)" : "");
    }
    if (rejects_) {
      std::fprintf(rejects_, "# line %llu: %.*s\n%.*s\n", static_cast<unsigned long long>(line),
                   static_cast<int>(reason.size()), reason.data(), static_cast<int>(raw.size()), raw.data());
    }
    if (options_.strict) abort_.Set("line " + std::to_string(line) + " is malformed and --strict is set");
  }

  // Batches one record (waiting for the rate limit), or rejects it.
  void Offer(aws::PutRecordsEntry entry, const CsvRow& row) {
    const size_t lane = lanes_ == 1 ? 0 : std::hash<std::string_view>{}(entry.partition_key) % lanes_;
    Batcher& batcher = batchers_[lane];
    if (Status st = batcher.Check(entry); !st.ok()) return Reject(row.line, st.message(), row.raw);
    WaitForRate();
    if (!batcher.Fits(entry)) Flush(lane);
    if (batcher.empty()) batch_started_[lane] = Clock::now();
    batcher.Add(std::move(entry));
    if (batcher.full()) Flush(lane);
  }

  // Sends what is batched (or counts it failed after an abort) and waits for the senders.
  void Finish() {
    for (size_t l = 0; l < lanes_; ++l) {
      if (!abort_.is_set()) {
        Flush(l);
      } else {
        counters_.records_failed += batchers_[l].size();
      }
    }
    for (auto& q : queues_) q->Close();
    for (std::thread& t : threads_) t.join();
  }

 private:
  void Flush(size_t lane) {
    if (!batchers_[lane].empty()) queues_[lane]->Push(batchers_[lane].Take());
  }

  void WaitForRate() {
    if (!bucket_) return;
    const int64_t wait_us = bucket_->Take(1, NowMicros());
    if (wait_us <= 0) return;
    // Waiting past the linger time: send what is batched rather than hold it.
    for (size_t l = 0; l < lanes_; ++l) {
      const auto age = Clock::now() - batch_started_[l];
      if (age + std::chrono::microseconds(wait_us) > std::chrono::milliseconds(options_.linger_ms)) Flush(l);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(wait_us));
  }

  const ProduceOptions& options_;
  const size_t lanes_;
  FILE* const rejects_;
  ProduceCounters counters_;
  AbortFlag abort_;
  Mutex log_mu_;  // serializes lines written to options_.log and rejects_
  std::vector<std::unique_ptr<BatchQueue>> queues_;
  std::vector<std::unique_ptr<Sender>> senders_;
  std::vector<std::thread> threads_;
  std::vector<Batcher> batchers_;
  std::vector<Clock::time_point> batch_started_;
  std::optional<TokenBucket> bucket_;
};

}  // namespace

Result<ProduceStats> Produce(const ProduceOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  ASSIGN_OR_RETURN(aws::KinesisClientOptions client_options, ClientOptions(options));
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, OpenFileSource(options.csv));
  CsvReader reader(std::move(source));
  RETURN_IF_ERROR(reader.ReadHeader().WithContext(options.csv));
  ASSIGN_OR_RETURN(RecordBuilder builder, RecordBuilder::Create(reader.header()));
  ASSIGN_OR_RETURN(const std::optional<size_t> key_column, KeyColumn(options, builder));
  ASSIGN_OR_RETURN(RejectsFile rejects, OpenRejects(options.rejects));

  const uint64_t seed = options.seed != 0 ? options.seed : (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  Rng rng(seed);
  const auto started = Clock::now();
  Pipeline pipeline(options, client_options, seed, key_column.has_value(), rejects.get());
  ProduceCounters& counters = pipeline.counters();
  AbortFlag& abort = pipeline.abort();
  ProgressReporter progress(counters, options.progress, options.progress_interval_ms, reader.size_hint(), options.log);

  CsvRow row;
  std::string json, event_id;
  while (!abort.is_set()) {
    Result<bool> more = reader.Next(&row);
    if (!more.ok()) {
      abort.Set("reading " + options.csv + ": " + more.status().ToString());
      break;
    }
    if (!*more) break;
    counters.rows_read += 1;
    counters.input_bytes.store(reader.bytes_consumed());
    if (row.error != CsvRowError::kNone) {
      pipeline.Reject(row.line, std::string(CsvRowErrorName(row.error)) + " (" + row.error_detail + ")", row.raw);
      continue;
    }
    builder.Build(row.fields, rng, &json, &event_id);
    aws::PutRecordsEntry entry;
    entry.partition_key = key_column ? row.fields[*key_column] : event_id;
    entry.data = json;
    pipeline.Offer(std::move(entry), row);
  }
  pipeline.Finish();
  progress.Stop();

  ProduceStats stats =
      ProduceStats::From(counters, std::chrono::duration<double>(Clock::now() - started).count());
  stats.aborted = abort.is_set();
  stats.abort_reason = abort.reason();
  if (rejects && std::fflush(rejects.get()) != 0) {
    return Status::FromErrno("write", options.rejects, errno);
  }
  return stats;
}

int RunProduce(const ProduceOptions& options) {
  Result<ProduceStats> stats = Produce(options);
  if (!stats.ok()) {
    std::fprintf(options.log, "sluice produce: %s\n", stats.status().ToString().c_str());
    return 2;
  }
  std::fprintf(options.log, "produce: %s\n", stats->Summary().c_str());
  std::fflush(options.log);
  if (stats->records_failed > 0 || stats->aborted) return 1;
  return 0;
}

}  // namespace sluice::producer
