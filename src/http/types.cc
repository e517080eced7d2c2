#include "http/types.h"

namespace sluice::http {

std::string_view RequestHead::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

std::string_view RequestHead::Path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view RequestHead::Query() const {
  std::string_view t = target;
  const auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

Response Response::Text(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

Response PlainBodyTooLarge(uint64_t limit) {
  return Response::Text(413, "request body exceeds the limit of " + std::to_string(limit) + " bytes\n");
}

Response Handler::BodyTooLarge(const RequestHead&, uint64_t limit) const { return PlainBodyTooLarge(limit); }

Response PlainOverloaded() {
  Response r = Response::Text(503, "the server is busy with other requests; retry later\n");
  r.headers.emplace_back("retry-after", "1");
  return r;
}

Response Handler::Overloaded(const RequestHead&) const { return PlainOverloaded(); }

std::shared_ptr<BodySink> Handler::StreamBody(const RequestHead&) { return nullptr; }

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  return r;
}

}  // namespace sluice::http
