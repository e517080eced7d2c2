// Test-only: a RecordSink that keeps every PutRecordBatch call, and can be told to fail.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "functions/builtins.h"

namespace sluice::functions::testing {

class FakeSink final : public RecordSink {
 public:
  struct Call {
    std::string stream;
    std::vector<std::string> records;
  };
  Status PutRecordBatch(std::string_view stream, const std::vector<std::string>& records) override {
    const MutexLock lock(mu_);
    if (fail_) return Status::Unavailable("ServiceUnavailableException: injected");
    calls_.push_back({std::string(stream), records});
    return Status::OK();
  }
  std::vector<Call> calls() const {
    const MutexLock lock(mu_);
    return calls_;
  }
  void set_fail(bool fail) {
    const MutexLock lock(mu_);
    fail_ = fail;
  }

 private:
  mutable Mutex mu_;
  std::vector<Call> calls_ GUARDED_BY(mu_);
  bool fail_ GUARDED_BY(mu_) = false;
};

}  // namespace sluice::functions::testing
