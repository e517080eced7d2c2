// S3's error document and the small response helpers every operation shares.
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "internal/ops.h"
#include "base/xml.h"

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
  XmlElement(body, "Code", objects::S3ErrorName(code));
  XmlElement(body, "Message", message);
  XmlElement(body, "Resource", resource);
  XmlElement(body, "RequestId", request_id);
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

namespace {

// A logfmt value in quotes: the detail holds paths and errno text chosen by nobody.
std::string Quoted(std::string_view v) {
  std::string out = "\"";
  for (const char ch : v) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (ch == '\n') {
      out += "\\n";
      continue;
    }
    out += ch;
  }
  return out + "\"";
}

// S3's words for its own failures; what went wrong stays in the server's log.
std::optional<std::string_view> GenericMessage(S3Error code) {
  if (code == S3Error::kInternalError) return "We encountered an internal error. Please try again.";
  if (code == S3Error::kServiceUnavailable) return "Please reduce your request rate.";
  return std::nullopt;
}

}  // namespace

std::string ClientMessage(const Call& c, S3Error code, std::string_view detail, int sys_errno) {
  const auto generic = GenericMessage(code);
  if (!generic) return detail.empty() ? std::string(objects::S3ErrorName(code)) : std::string(detail);
  spdlog::error("msg=\"s3 request failed\" request_id={} method={} path={} code={} errno={} detail={}",
                c.request_id, Quoted(c.req.head.method), Quoted(c.req.head.Path()),
                objects::S3ErrorName(code), sys_errno, Quoted(detail));
  return std::string(*generic);
}

Response Error(const Call& c, S3Error code, std::string_view message) {
  const std::string shown = ClientMessage(c, code, message, 0);
  return ErrorFor(c.req.head, c.req.head.Path(), c.request_id, code, shown);
}

Response Error(const Call& c, const objects::ObjectError& e) {
  const std::string shown = ClientMessage(c, e.code, e.message, e.sys_errno);
  return ErrorFor(c.req.head, c.req.head.Path(), c.request_id, e.code, shown);
}

}  // namespace sluice::frontends::s3
