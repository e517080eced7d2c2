// Counters the producer's threads update and the progress display reads. All
// fields are atomics: the reader thread, every sender and the progress thread
// touch them concurrently without a lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace sluice::producer {

struct ProduceCounters {
  std::atomic<uint64_t> rows_read{0};      // data rows parsed, good or not
  std::atomic<uint64_t> rows_rejected{0};  // malformed rows and records over the limits
  std::atomic<uint64_t> records_sent{0};   // acknowledged by the service, once each
  std::atomic<uint64_t> bytes_sent{0};     // data bytes of acknowledged records
  std::atomic<uint64_t> records_retried{0};  // re-sends (a record retried twice counts 2)
  std::atomic<uint64_t> records_failed{0};   // finally not delivered
  std::atomic<uint64_t> requests{0};         // PutRecords calls made
  std::atomic<uint64_t> input_bytes{0};      // CSV bytes consumed
};

// A plain copy for reporting and for RunProduce's caller.
struct ProduceStats {
  uint64_t rows_read = 0;
  uint64_t rows_rejected = 0;
  uint64_t records_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t records_retried = 0;
  uint64_t records_failed = 0;
  uint64_t requests = 0;
  uint64_t input_bytes = 0;
  double elapsed_seconds = 0;
  bool aborted = false;      // stopped early by a fatal error or --strict
  std::string abort_reason;

  static ProduceStats From(const ProduceCounters& c, double elapsed_seconds);
  // "sent 1000 records (1.0 MB) in 2.0 s: 500 records/s, 0.5 MB/s; retried 3, failed 0, rejected rows 1"
  std::string Summary() const;
};

}  // namespace sluice::producer
