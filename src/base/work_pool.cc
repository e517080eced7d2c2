#include "base/work_pool.h"

#include "base/thread_name.h"

namespace sluice {

WorkPool::WorkPool(int threads, std::string_view name) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, name = std::string(name)] {
      NameThisThread(name);
      Run();
    });
  }
}

WorkPool::~WorkPool() {
  {
    const MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  for (auto& t : threads_) t.join();
}

void WorkPool::Post(std::function<void()> job) {
  {
    const MutexLock lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.Signal();
}

void WorkPool::Run() {
  while (true) {
    std::function<void()> job;
    {
      MutexLock lock(mu_);
      while (!stop_ && jobs_.empty()) cv_.Wait(mu_);
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace sluice
