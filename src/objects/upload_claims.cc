#include "objects/upload_claims.h"

namespace sluice::objects {

UploadClaims::Claim UploadClaims::Acquire(const std::string& upload_id) {
  MutexLock lock(mu_);
  if (held_.count(upload_id) != 0) {
    ++waiters_;
    waiting_.SignalAll();
    while (held_.count(upload_id) != 0) released_.Wait(mu_);
    --waiters_;
  }
  held_.insert(upload_id);
  return Claim(*this, upload_id);
}

void UploadClaims::AwaitWaiters(size_t n) {
  MutexLock lock(mu_);
  while (waiters_ < n) waiting_.Wait(mu_);
}

void UploadClaims::Release(const std::string& upload_id) {
  {
    MutexLock lock(mu_);
    held_.erase(upload_id);
  }
  released_.SignalAll();
}

}  // namespace sluice::objects
