#include "internal/upload_sink.h"

namespace sluice::frontends::s3 {

S3UploadSink::S3UploadSink(WorkPool& pool, std::unique_ptr<s3::CallState> call)
    : pool_(pool), call_(std::move(call)) {}

void S3UploadSink::ScheduleLocked() {
  if (running_) return;
  running_ = true;
  pool_.Post([self = shared_from_this()] { self->Drain(); });
}

void S3UploadSink::BeginUpload() {
  if (begun_) return;
  begun_ = true;
  upload_.emplace(s3::Upload::Begin(call_->call));
}

void S3UploadSink::Begin(std::function<void(std::optional<Response>)> ready) {
  bool judge = false;
  {
    MutexLock lock(mu_);
    judge = !running_ && !aborted_;  // else: not before any Write, or after Abort
    if (judge) running_ = true;
  }
  if (!judge) return ready(std::nullopt);
  pool_.Post([self = shared_from_this(), ready = std::move(ready)] {
    self->BeginUpload();
    std::optional<Response> refusal;
    if (auto* r = std::get_if<Response>(&*self->upload_)) refusal = *r;
    {
      MutexLock lock(self->mu_);
      self->running_ = false;
      // An Abort that came meanwhile found a job running: its clean-up is ours.
      if (self->aborted_ || !self->queue_.empty() || self->finishing_) self->ScheduleLocked();
    }
    ready(std::move(refusal));
  });
}

bool S3UploadSink::Write(std::string piece, std::function<void()> resume) {
  MutexLock lock(mu_);
  if (aborted_ || finishing_) return true;
  queued_bytes_ += piece.size();
  queue_.push_back(std::move(piece));
  ScheduleLocked();
  if (queued_bytes_ <= kMaxQueuedBytes) return true;
  resume_ = std::move(resume);
  return false;
}

void S3UploadSink::Finish(Responder done) {
  MutexLock lock(mu_);
  if (aborted_ || finishing_) return;
  finishing_ = true;
  done_ = std::move(done);
  resume_ = nullptr;  // the transport has read everything
  ScheduleLocked();
}

void S3UploadSink::Abort() {
  MutexLock lock(mu_);
  aborted_ = true;
  queue_.clear();
  queued_bytes_ = 0;
  resume_ = nullptr;
  done_ = nullptr;
  ScheduleLocked();  // the writer's temporary is removed on the pool, not here
}

void S3UploadSink::Drain() {
  const s3::Call& c = call_->call;
  size_t drained = 0;
  while (true) {
    if (drained >= kMaxQueuedBytes) {
      // A body arriving faster than it is written would keep this worker forever:
      // queue behind the pool's other work (GETs, listings, other uploads) instead.
      pool_.Post([self = shared_from_this()] { self->Drain(); });
      return;
    }
    std::string piece;
    Responder done;
    {
      MutexLock lock(mu_);
      if (aborted_) {
        upload_.reset();  // an unfinished Upload removes its temporary
        running_ = false;
        return;
      }
      if (!queue_.empty()) {
        piece = std::move(queue_.front());
        queue_.pop_front();
      } else if (finishing_ && done_) {
        done = std::move(done_);
      } else {
        running_ = false;
        return;
      }
    }
    BeginUpload();
    auto* upload = std::get_if<s3::Upload>(&*upload_);
    if (done) {
      // An upload Begin refused is answered with that refusal once the body is read.
      Response r = upload != nullptr ? upload->Finish(c) : std::move(std::get<Response>(*upload_));
      upload_.reset();
      {
        MutexLock lock(mu_);
        running_ = false;
      }
      done(std::move(r));
      return;
    }
    if (upload != nullptr) upload->Feed(c, piece);
    drained += piece.size();
    std::function<void()> resume;
    {
      MutexLock lock(mu_);
      if (aborted_) continue;  // Abort emptied the queue and its count meanwhile
      queued_bytes_ -= piece.size();
      if (resume_ && queued_bytes_ <= kMaxQueuedBytes / 2) resume = std::move(resume_);
    }
    if (resume) resume();
  }
}

}  // namespace sluice::frontends::s3
