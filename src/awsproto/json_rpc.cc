#include "awsproto/json_rpc.h"

#include <utility>

#include <fmt/format.h>

#include "awsproto/request_id.h"

namespace sluice::awsproto {
namespace {

constexpr std::string_view kPlainJson = "application/json";
constexpr std::string_view kJson11 = "application/x-amz-json-1.1";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view MediaType(const http::RequestHead& head) {
  const std::string_view ct = head.Header("content-type");
  return Trim(ct.substr(0, ct.find(';')));
}

http::Response Raw(int status, std::string_view content_type, std::string body) {
  http::Response r;
  r.status = status;
  if (!content_type.empty()) r.headers.emplace_back("content-type", std::string(content_type));
  r.body = std::move(body);
  r.headers.emplace_back("x-amzn-requestid", NewUuidRequestId());
  return r;
}

http::Response AccessDenied() {
  return Raw(403, "",
             "<AccessDeniedException>\n  <Message>Unable to determine service/operation name "
             "to be authorized</Message>\n</AccessDeniedException>\n");
}

http::Response EncodedError(BodyEncoding enc, std::string_view content_type, int status, std::string_view type,
                            std::string_view message, std::string_view message_key,
                            const std::vector<std::pair<std::string, std::string>>& members = {}) {
  BodyWriter w(enc);
  w.BeginMap().Key("__type").String(type);
  for (const auto& [k, v] : members) w.Key(k).String(v);
  if (!message.empty()) w.Key(message_key).String(message);
  w.End();
  http::Response r = Raw(status, content_type, w.Take());
  r.headers.emplace_back("x-amzn-errortype", std::string(type));
  return r;
}

// The shape of the signature, as AWS checks it before anything else: an Authorization
// header with Credential, Signature and SignedHeaders, or presigned query parameters.
// The signature itself is not verified here. Returns the error type and message.
std::optional<std::pair<std::string_view, std::string>> CheckAuthShape(const http::RequestHead& head) {
  const std::string_view auth = head.Header("authorization");
  const std::string_view query = head.Query();
  const bool has_query = query.find("X-Amz-Algorithm=") != std::string_view::npos;
  if (!auth.empty() && has_query) {
    return std::make_pair(std::string_view("InvalidSignatureException"),
                          std::string("Found both 'X-Amz-Algorithm' as a query-string param and "
                                      "'Authorization' as HTTP header."));
  }
  if (auth.empty() && !has_query) {
    return std::make_pair(std::string_view("MissingAuthenticationTokenException"),
                          std::string("Missing Authentication Token"));
  }
  std::string msg;
  if (!auth.empty()) {
    for (const char* p : {"Credential", "Signature", "SignedHeaders"}) {
      if (auth.find(std::string(p) + "=") == std::string_view::npos) {
        msg += fmt::format("Authorization header requires '{}' parameter. ", p);
      }
    }
    if (head.Header("x-amz-date").empty() && head.Header("date").empty()) {
      msg += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    }
    if (!msg.empty()) msg += fmt::format("Authorization={}", auth);
  } else {
    for (const char* p : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                          "X-Amz-SignedHeaders", "X-Amz-Date"}) {
      const std::string key = std::string(p) + "=";
      const auto at = query.find(key);
      const bool empty = at == std::string_view::npos || at + key.size() >= query.size() ||
                         query[at + key.size()] == '&';
      if (empty) msg += fmt::format("AWS query-string parameters must include '{}'. ", p);
    }
    if (!msg.empty()) msg += "Re-examine the query-string parameters.";
  }
  if (msg.empty()) return std::nullopt;
  return std::make_pair(std::string_view("IncompleteSignatureException"), std::move(msg));
}

}  // namespace

std::string_view JsonRpc::Operation(const http::RequestHead& head) const {
  const std::string_view target = head.Header("x-amz-target");
  const size_t dot = target.find('.');
  if (dot == std::string_view::npos || target.substr(0, dot) != protocol_.target_prefix) return {};
  return target.substr(dot + 1);
}

bool JsonRpc::IsJsonShaped(const http::RequestHead& head) const {
  const std::string_view ct = head.Header("content-type");
  return head.Path() == "/" &&
         (ct.starts_with(protocol_.json_content_type) ||
          (!protocol_.cbor_content_type.empty() && ct.starts_with(protocol_.cbor_content_type)));
}

http::Response JsonRpc::Error(BodyEncoding enc, int status, std::string_view type, std::string_view message,
                              std::string_view message_key) const {
  const std::string_view ct = enc == BodyEncoding::kCbor ? protocol_.cbor_content_type : protocol_.json_content_type;
  return EncodedError(enc, ct, status, type, message, message_key);
}

void JsonRpc::Dispatch(http::Request request, http::Responder done,
                       std::optional<std::span<const FieldSpec>> fields, const Run& run) const {
  const http::RequestHead& head = request.head;
  if (head.method != "POST") return done(AccessDenied());

  const std::string_view content_type = MediaType(head);
  const bool is_json = content_type == protocol_.json_content_type;
  const bool is_cbor = !protocol_.cbor_content_type.empty() && content_type == protocol_.cbor_content_type;
  const std::string_view target = head.Header("x-amz-target");
  const size_t dot = target.find('.');
  const bool target_complete = dot != std::string_view::npos && dot > 0 && dot + 1 < target.size();

  // A body in anything but JSON is answered in CBOR where the protocol has it, as AWS does.
  const BodyEncoding enc = is_json || protocol_.cbor_content_type.empty() ? BodyEncoding::kJson : BodyEncoding::kCbor;
  if (request.body.empty()) {
    return done(Error(enc, 400, fields ? "SerializationException" : "UnknownOperationException", "", "message"));
  }
  if (!is_json && !is_cbor && content_type != kPlainJson) {
    if (!target_complete) return done(AccessDenied());
    return done(Raw(404, "", "<UnknownOperationException/>\n"));
  }

  // An unknown action is parsed only to tell a malformed body from an unknown target.
  constexpr ParseLimits kUnknownActionLimits{.max_depth = 8, .max_nodes = 1024};
  const ParseLimits limits = fields ? LimitsFor(*fields) : kUnknownActionLimits;
  const size_t body_bytes = request.body.size();
  auto parsed = is_cbor ? ParseCborBody(std::move(request.body), limits)
                        : ParseJsonBody(std::move(request.body), limits);
  if (content_type == kPlainJson) {
    const std::string_view what = parsed.ok() ? "UnknownOperationException" : "SerializationException";
    return done(Raw(parsed.ok() ? 404 : 400, kPlainJson,
                    fmt::format(R"({{"Output":{{"__type":"com.amazon.coral.service#{}"}},"Version":"1.0"}})", what)));
  }
  if (!parsed.ok() || (*parsed)->root().kind != Value::Kind::kMap) {
    return done(Error(enc, 400, "SerializationException", "", "message"));
  }
  if (!fields) return done(Error(enc, 400, "UnknownOperationException", "", "message"));
  if (auto auth = CheckAuthShape(head)) return done(Error(enc, 400, auth->first, auth->second, "message"));

  auto call = std::make_shared<ActionCall>();
  call->body = std::move(*parsed);
  call->req = &call->body->mutable_root();  // the call owns the tree: checks normalize it
  call->blobs = BlobArena(body_bytes);
  call->enc = enc;
  if (auto err = CheckRequest(*call->req, *fields, call->blobs)) {
    if (err->serialization) return done(Error(enc, 400, "SerializationException", err->message, "Message"));
    return done(Error(enc, 400, protocol_.validation_error_type, err->message, "message"));
  }
  // The completion may run after the service is gone (a log's flusher acknowledging at
  // shutdown), so it holds copies, not `this`.
  const std::string_view ct = enc == BodyEncoding::kCbor ? protocol_.cbor_content_type : protocol_.json_content_type;
  run(*call, [call, enc, ct, done = std::move(done)](ActionResult r) {
    if (!r.error_type.empty()) {
      return done(EncodedError(enc, ct, r.status, r.error_type, r.message, r.message_key, r.error_members));
    }
    done(Raw(200, ct, std::move(r.body)));
  });
}

http::Response JsonError(int status, std::string_view type, std::string_view message) {
  return EncodedError(BodyEncoding::kJson, kJson11, status, type, message, "message");
}

}  // namespace sluice::awsproto
