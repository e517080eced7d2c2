// A fixed set of threads running posted jobs in posting order, for blocking work
// (disk writes and syncs) that must stay off the server's I/O threads.
// Thread-safe. The destructor runs every job already posted, then joins the threads.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/mutex.h"

namespace sluice {

class WorkPool {
 public:
  // `name`: the threads' name (NameThisThread), e.g. the service they work for.
  explicit WorkPool(int threads, std::string_view name = "work");
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  void Post(std::function<void()> job) EXCLUDES(mu_);

 private:
  void Run() EXCLUDES(mu_);

  Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace sluice
