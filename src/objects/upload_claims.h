// UploadClaims: which multipart uploads a Complete or an Abort is working on, so the
// two never interleave on one upload. Without it an Abort could answer 204 while a
// Complete that had already read the parts went on to publish the object; with it the
// second of the two waits, then finds the upload gone (NoSuchUpload).
// Process-local: one process owns a data directory. Thread-safe.
#pragma once

#include <set>
#include <string>

#include "base/mutex.h"

namespace sluice::objects {

class UploadClaims {
 public:
  // Holds one upload id until destroyed.
  class [[nodiscard]] Claim {
   public:
    ~Claim() { owner_.Release(id_); }
    Claim(const Claim&) = delete;
    Claim& operator=(const Claim&) = delete;

   private:
    friend class UploadClaims;
    Claim(UploadClaims& owner, std::string id) : owner_(owner), id_(std::move(id)) {}
    UploadClaims& owner_;
    const std::string id_;
  };

  // Waits while another thread holds `upload_id`, then holds it.
  Claim Acquire(const std::string& upload_id) EXCLUDES(mu_);
  // For tests: returns once at least `n` Acquire calls are waiting, so a test knows a
  // second caller is queued behind the first without sleeping.
  void AwaitWaiters(size_t n) EXCLUDES(mu_);

 private:
  void Release(const std::string& upload_id) EXCLUDES(mu_);

  Mutex mu_;
  CondVar released_;
  CondVar waiting_;
  std::set<std::string> held_ GUARDED_BY(mu_);
  size_t waiters_ GUARDED_BY(mu_) = 0;
};

}  // namespace sluice::objects
