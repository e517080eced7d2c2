// Router: the one Handler behind the server port. Today it answers the health check;
// each AWS service registers here as it lands (Kinesis by X-Amz-Target, S3 by path).
// Thread-safe: Handle runs on any I/O thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "api/http_types.h"
#include "api/kinesis_handler.h"
#include "api/s3_handler.h"

namespace sluice::api {

struct RouterInfo {
  std::string version;
  std::string data_dir;
  stream::StreamManager* streams = nullptr;  // nullptr: no Kinesis API
  objects::ObjectStore* objects = nullptr;    // nullptr: no S3 API
};

class Router final : public Handler {
 public:
  explicit Router(RouterInfo info);

  uint64_t BodyLimit(const RequestHead& head) const override;
  void Handle(Request request, Responder done) override;
  std::shared_ptr<BodySink> StreamBody(const RequestHead& head) override;
  // Runs the handlers' queued background work to completion. Call once the server
  // has stopped (no request can arrive any more), before it is destroyed.
  void Quiesce();
  Response BodyTooLarge(const RequestHead& head, uint64_t limit) const override;

 private:
  Response Health() const;

  const RouterInfo info_;
  bool IsS3(const RequestHead& head) const;

  std::unique_ptr<KinesisHandler> kinesis_;
  std::unique_ptr<S3Handler> s3_;
  const std::chrono::steady_clock::time_point started_;
};

}  // namespace sluice::api
