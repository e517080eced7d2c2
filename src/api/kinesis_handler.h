// Kinesis Data Streams over AWS JSON 1.1 and CBOR 1.1: `POST /` with
// `X-Amz-Target: Kinesis_20131202.<Action>`. Checks the request the way AWS does
// (content type, target, authentication header shape, types, constraints), runs the
// action against the StreamManager and answers in the encoding the request used.
// Thread-safe; PutRecord(s) answer asynchronously once their records are durable.
#pragma once

#include <memory>
#include <string_view>

#include "api/http_types.h"
#include "stream/stream_manager.h"

namespace sluice::api {

// AWS answers larger Kinesis requests with 413.
inline constexpr uint64_t kKinesisMaxRequestBytes = 16ull << 20;

class KinesisHandler {
 public:
  explicit KinesisHandler(stream::StreamManager& streams);
  ~KinesisHandler();

  // True for requests that belong here: an X-Amz-Target naming Kinesis_20131202.
  static bool Claims(const RequestHead& head);
  void Handle(Request request, Responder done);

  class Actions;

 private:
  std::unique_ptr<Actions> actions_;
};

}  // namespace sluice::api
