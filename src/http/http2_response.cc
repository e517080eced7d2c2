// The answer side of an HTTP/2 stream: headers, then the body from memory or a file.
#include <algorithm>
#include <cstring>
#include <vector>

#include "internal/http2_stream.h"

namespace sluice::http {
namespace {

ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* data_flags,
                 nghttp2_data_source* source, void*) {
  auto* st = static_cast<Http2Stream*>(source->ptr);
  if (st->response_file) {
    // nghttp2 asks for one frame's worth at a time; pread fills it in place.
    const FileSlice& file = *st->response_file;
    const long n = file.ReadAt(st->sent, reinterpret_cast<char*>(buf), length);
    // The length is already promised: a read error or a shrunken file resets the stream.
    if (n <= 0) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    st->sent += static_cast<uint64_t>(n);
    if (st->sent == file.length()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return n;
  }
  const size_t n = std::min(length, st->response_body.size() - st->sent);
  std::memcpy(buf, st->response_body.data() + st->sent, n);
  st->sent += n;
  if (st->sent == st->response_body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

}  // namespace

int SubmitHttp2Response(nghttp2_session* ng, int32_t id, Http2Stream& st, Response r) {
  const std::string status = std::to_string(r.status);
  const std::string length = std::to_string(r.BodySize());
  std::vector<nghttp2_nv> nva;
  nva.reserve(r.headers.size() + 3);
  auto add = [&nva](const std::string& name, const std::string& value) {
    nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                   reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                   value.size(), NGHTTP2_NV_FLAG_NONE});
  };
  static const std::string kStatus = ":status", kLength = "content-length", kServer = "server",
                           kSluice = "sluice";
  add(kStatus, status);
  add(kServer, kSluice);
  // A HEAD answer may carry the length of the body a GET would get.
  const bool has_length = std::any_of(r.headers.begin(), r.headers.end(),
                                      [](const auto& h) { return h.first == "content-length"; });
  if (!has_length) add(kLength, length);
  for (const auto& [name, value] : r.headers) add(name, value);
  st.responded = true;
  st.response_body = std::move(r.body);
  st.response_file = std::move(r.file);
  st.sent = 0;
  const bool has_body = st.response_file ? st.response_file->length() > 0 : !st.response_body.empty();
  nghttp2_data_provider provider{};
  provider.source.ptr = &st;
  provider.read_callback = &ReadBody;
  // nghttp2 copies the name/value pairs; the body is pulled through ReadBody.
  return nghttp2_submit_response(ng, id, nva.data(), nva.size(), has_body ? &provider : nullptr);
}

}  // namespace sluice::http
