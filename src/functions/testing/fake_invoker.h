// Test-only: an Invoker over functions defined in the test, each a C++ handler of the
// event payload, recording every invocation in order.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "functions/invoker.h"

namespace sluice::functions::testing {

class FakeInvoker final : public Invoker {
 public:
  using Handler = std::function<InvokeOutcome(const std::string& payload)>;

  explicit FakeInvoker(std::string region = "us-east-1", std::string account = "000000000000")
      : region_(std::move(region)), account_(std::move(account)) {}

  std::string ArnOf(std::string_view name) const {
    return "arn:aws:lambda:" + region_ + ":" + account_ + ":function:" + std::string(name);
  }

  // A function answering with `handler`; `ref_handler` is its Handler setting.
  void Define(const std::string& name, Handler handler, std::string ref_handler = "index.handler",
              std::map<std::string, std::string> env = {}) {
    const MutexLock lock(mu_);
    functions_[name] = {handler, ResolvedFunction{name, ArnOf(name), std::move(ref_handler),
                                             "arn:aws:iam::" + account_ + ":role/fn-role", std::move(env)}};
  }
  void Remove(const std::string& name) {
    const MutexLock lock(mu_);
    functions_.erase(name);
  }

  Expected<InvokeOutcome, InvokeError> Invoke(const InvokeRequest& request) override {
    Handler h;
    std::string arn;
    {
      const MutexLock lock(mu_);
      const auto it = functions_.find(NameOf(request.function));
      if (it == functions_.end()) return NotFound(request.function);
      h = it->second.handler;
      arn = it->second.ref.arn;
      payloads_.push_back(request.payload);
    }
    InvokeOutcome r = h(request.payload);
    r.function_arn = arn;
    return r;
  }

  Expected<ResolvedFunction, InvokeError> Resolve(std::string_view function) override {
    const MutexLock lock(mu_);
    const auto it = functions_.find(NameOf(function));
    if (it == functions_.end()) return NotFound(function);
    return it->second.ref;
  }

  std::vector<std::string> payloads() const {
    const MutexLock lock(mu_);
    return payloads_;
  }

 private:
  struct Fn {
    Handler handler;
    ResolvedFunction ref;
  };
  static std::string NameOf(std::string_view f) {
    const size_t p = f.find("function:");
    if (p != std::string_view::npos) f = f.substr(p + 9);
    return std::string(f.substr(0, f.find(':')));
  }
  InvokeError NotFound(std::string_view f) const {
    return {InvokeErrorType::kResourceNotFound, "Function not found: " + ArnOf(NameOf(f))};
  }

  const std::string region_, account_;
  mutable Mutex mu_;
  std::map<std::string, Fn> functions_ GUARDED_BY(mu_);
  std::vector<std::string> payloads_ GUARDED_BY(mu_);
};

}  // namespace sluice::functions::testing
