// Internal to the transport: one HTTP/2 stream (one request) as the HTTP/2 session
// keeps it, and the answer side that does not depend on the session.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <nghttp2/nghttp2.h>

#include "base/file_slice.h"
#include "base/memory_budget.h"
#include "http/types.h"

namespace sluice::http {

struct Http2Stream {
  RequestHead head;
  uint64_t limit = 0;         // the body limit for this request
  uint64_t received = 0;      // body bytes received so far
  size_t header_bytes = 0;
  int reject_status = 0;      // non-zero: answered without calling the handler
  std::string reject_message;
  bool too_large = false;     // answered by the handler's BodyTooLarge
  bool overloaded = false;    // answered by the handler's Overloaded
  bool ended = false;         // the client finished the body (END_STREAM)
  bool dispatched = false;    // handed to the handler (Handle or the sink's Finish)
  bool responded = false;     // an answer was submitted

  // A buffered body (no sink): bytes held, counted until the answer, and their
  // reservation in the budget.
  std::string body;
  uint64_t counted = 0;  // bytes counted against the connection's buffered bytes
  MemoryBudget::Reservation reservation;

  // A streamed body: the sink, bytes received but not yet given to it (their
  // flow-control window is not yet returned), and bytes the sink took while saying it
  // is full (returned when it resumes).
  std::shared_ptr<BodySink> sink;
  std::string pending;
  uint64_t owed = 0;
  bool sink_full = false;

  // The answer being sent.
  std::string response_body;
  std::shared_ptr<const FileSlice> response_file;  // the body instead, when set
  uint64_t sent = 0;
};

// Submits `r` as the answer on stream `id`; its body is pulled from `st` as nghttp2
// sends DATA frames. Returns nghttp2's result (0 or a negative error).
int SubmitHttp2Response(nghttp2_session* ng, int32_t id, Http2Stream& st, Response r);

}  // namespace sluice::http
