// S3's error document and the small response helpers every operation shares.
#include <fmt/format.h>

#include "internal/ops.h"
#include "objects/xml.h"

namespace sluice::frontends::s3 {

using objects::S3Error;

Response WithId(Response r, const Call& c) {
  r.headers.emplace_back("x-amz-request-id", c.request_id);
  return r;
}

Response Xml(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.emplace_back("content-type", "application/xml");
  r.body = R"(<?xml version="1.0" encoding="UTF-8"?>)" "\n" + std::move(body);
  return r;
}

std::string Quote(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

Response ErrorFor(const RequestHead& head, std::string_view resource, std::string_view request_id,
                  S3Error code, std::string_view message) {
  std::string body = "<Error>";
  objects::XmlElement(body, "Code", objects::S3ErrorName(code));
  objects::XmlElement(body, "Message", message);
  objects::XmlElement(body, "Resource", resource);
  objects::XmlElement(body, "RequestId", request_id);
  body += "</Error>";
  Response r = Xml(objects::S3ErrorHttpStatus(code), std::move(body));
  // HEAD answers carry no body; 304 never has one.
  if (head.method == "HEAD" || r.status == 304) {
    r.body.clear();
    r.headers.clear();
  }
  r.headers.emplace_back("x-amz-request-id", std::string(request_id));
  return r;
}

Response Error(const Call& c, S3Error code, std::string_view message) {
  return ErrorFor(c.req.head, c.req.head.Path(), c.request_id, code, message);
}

Response Error(const Call& c, const objects::ObjectError& e) {
  std::string message = e.message;
  if (message.empty()) message = std::string(objects::S3ErrorName(e.code));
  return Error(c, e.code, message);
}

}  // namespace sluice::frontends::s3
