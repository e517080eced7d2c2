// The BodySink of one S3 object upload (PutObject, UploadPart). Pieces queue here as
// the transport reads them; one job at a time on the S3 worker pool feeds them in
// order to an s3::Upload (aws-chunked decoding, MD5, write to the temporary file), so
// the body is hashed and written while it is still arriving. Finish's job commits and
// answers; Abort's job drops the temporary. When more than kMaxQueuedBytes wait, Write
// asks the transport to pause until the queue is half drained.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "http/types.h"
#include "internal/ops.h"
#include "base/mutex.h"
#include "base/work_pool.h"

namespace sluice::frontends::s3 {

class S3UploadSink final : public BodySink, public std::enable_shared_from_this<S3UploadSink> {
 public:
  static constexpr size_t kMaxQueuedBytes = 8 << 20;

  // `pool` must outlive every job the sink posts (the S3 service's pool does).
  S3UploadSink(WorkPool& pool, std::unique_ptr<s3::CallState> call);

  // Runs the upload's head checks (s3::Upload::Begin) on the pool.
  void Begin(std::function<void(std::optional<Response>)> ready) override;
  bool Write(std::string piece, std::function<void()> resume) override;
  void Finish(Responder done) override;
  void Abort() override;

 private:
  void ScheduleLocked() REQUIRES(mu_);  // start a drain job unless one runs
  void Drain();           // on the pool
  void BeginUpload();     // on the pool, by the running job: s3::Upload::Begin once

  WorkPool& pool_;
  const std::unique_ptr<s3::CallState> call_;

  Mutex mu_;
  std::deque<std::string> queue_ GUARDED_BY(mu_);
  size_t queued_bytes_ GUARDED_BY(mu_) = 0;
  std::function<void()> resume_ GUARDED_BY(mu_);  // the paused transport, when the queue is full
  Responder done_ GUARDED_BY(mu_);                // set by Finish
  bool finishing_ GUARDED_BY(mu_) = false;
  bool aborted_ GUARDED_BY(mu_) = false;
  bool running_ GUARDED_BY(mu_) = false;          // a drain job is posted or running

  // Touched only by the drain job (one at a time).
  bool begun_ = false;
  std::optional<std::variant<s3::Upload, Response>> upload_;  // Begin's result
};

}  // namespace sluice::frontends::s3
