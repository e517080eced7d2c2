// A fake Kinesis endpoint for producer tests: answers PutRecords on a loopback port,
// refuses a chosen fraction of records with ProvisionedThroughputExceededException
// (and optionally whole requests with a 503 or a dropped connection), and keeps
// every record it accepted so a test can check that each arrived exactly once.
// Thread-safe: the server calls it from one thread per connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aws/testing/loopback_http_server.h"
#include "base/mutex.h"
#include "producer/random.h"

namespace sluice::producer::testing {

struct FakeKinesisOptions {
  double record_failure_rate = 0;   // per record, ProvisionedThroughputExceededException
  double request_failure_rate = 0;  // per request, HTTP 503 ServiceUnavailable
  double drop_connection_rate = 0;  // per request, close without an answer
  std::string fatal_error;          // if set, every request fails with this __type (HTTP 400)
  uint64_t seed = 7;
};

struct StoredRecord {
  std::string partition_key;
  std::string data;
};

class FakeKinesis {
 public:
  static std::unique_ptr<FakeKinesis> Start(FakeKinesisOptions options);
  explicit FakeKinesis(FakeKinesisOptions options);  // use Start()
  std::string endpoint() const { return server_->endpoint(); }

  std::vector<StoredRecord> records() const;
  uint64_t requests() const;
  uint64_t refused_records() const;
  size_t max_records_in_request() const;
  size_t max_bytes_in_request() const;  // data + keys, decoded
  int connections() const { return server_->connections_accepted(); }

 private:
  aws::HttpResponse Handle(const aws::HttpRequest& request);

  FakeKinesisOptions options_;
  mutable Mutex mu_;
  Rng rng_ GUARDED_BY(mu_);
  std::vector<StoredRecord> records_ GUARDED_BY(mu_);
  uint64_t requests_ GUARDED_BY(mu_) = 0;
  uint64_t refused_ GUARDED_BY(mu_) = 0;
  size_t max_records_ GUARDED_BY(mu_) = 0;
  size_t max_bytes_ GUARDED_BY(mu_) = 0;
  std::unique_ptr<aws::testing::LoopbackHttpServer> server_;
};

}  // namespace sluice::producer::testing
