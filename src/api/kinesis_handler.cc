#include "api/kinesis_handler.h"

#include <random>

#include <fmt/format.h>

#include "api/kinesis_actions.h"

namespace sluice::api {
namespace {

constexpr std::string_view kService = "Kinesis_20131202";
constexpr std::string_view kJson = "application/x-amz-json-1.1";
constexpr std::string_view kCbor = "application/x-amz-cbor-1.1";
constexpr std::string_view kPlainJson = "application/json";

std::string RequestId() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  const uint64_t a = rng(), b = rng();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xFFFF,
                     a & 0xFFF, 0x8000 | (b >> 48 & 0x3FFF), b & 0xFFFFFFFFFFFFull);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Response Raw(int status, std::string content_type, std::string body) {
  Response r;
  r.status = status;
  if (!content_type.empty()) r.headers.emplace_back("content-type", std::move(content_type));
  r.body = std::move(body);
  r.headers.emplace_back("x-amzn-requestid", RequestId());
  return r;
}

Response Xml(int status, std::string body) { return Raw(status, "", std::move(body)); }

Response AccessDenied() {
  return Xml(403, "<AccessDeniedException>\n  <Message>Unable to determine service/operation name "
                  "to be authorized</Message>\n</AccessDeniedException>\n");
}

// An AWS error in the request's encoding. `message_key` is "message", except for
// type-check failures, where AWS says "Message".
Response ErrorResponse(BodyEncoding enc, int status, std::string_view type,
                       std::string_view message, std::string_view message_key = "message") {
  BodyWriter w(enc);
  w.BeginMap().Key("__type").String(type);
  if (!message.empty()) w.Key(message_key).String(message);
  w.End();
  Response r = Raw(status, std::string(enc == BodyEncoding::kCbor ? kCbor : kJson), w.Take());
  r.headers.emplace_back("x-amzn-errortype", std::string(type));
  return r;
}

// The shape of the signature, as AWS checks it before anything else: an Authorization
// header with Credential, Signature and SignedHeaders, or presigned query parameters.
// The signature itself is not verified (see docs/compatibility.md).
std::optional<std::pair<std::string, std::string>> CheckAuth(const RequestHead& head) {
  const std::string_view auth = head.Header("authorization");
  const std::string_view query = head.Query();
  const bool has_query = query.find("X-Amz-Algorithm=") != std::string_view::npos;
  if (!auth.empty() && has_query) {
    return std::make_pair(std::string("InvalidSignatureException"),
                          std::string("Found both 'X-Amz-Algorithm' as a query-string param and "
                                      "'Authorization' as HTTP header."));
  }
  if (auth.empty() && !has_query) {
    return std::make_pair(std::string("MissingAuthenticationTokenException"),
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
  return std::make_pair(std::string("IncompleteSignatureException"), std::move(msg));
}

}  // namespace

KinesisHandler::KinesisHandler(stream::StreamManager& streams)
    : actions_(std::make_unique<Actions>(streams)) {}
KinesisHandler::~KinesisHandler() = default;

bool KinesisHandler::Claims(const RequestHead& head) {
  // Any AWS JSON request: an X-Amz-Target (other JSON services claim theirs first in the
  // router), or a JSON/CBOR POST to "/" without one, which gets AWS's errors.
  if (!head.Header("x-amz-target").empty()) return true;
  const std::string_view ct = head.Header("content-type");
  return head.Path() == "/" && (ct.starts_with(kJson) || ct.starts_with(kCbor));
}

void KinesisHandler::Handle(Request request, Responder done) {
  const RequestHead& head = request.head;
  if (head.method != "POST") return done(AccessDenied());

  std::string_view content_type = head.Header("content-type");
  content_type = Trim(content_type.substr(0, content_type.find(';')));
  const std::string_view target = head.Header("x-amz-target");
  const auto dot = target.find('.');
  const std::string_view service = target.substr(0, dot);
  const std::string_view operation =
      dot == std::string_view::npos ? std::string_view{} : target.substr(dot + 1);
  const Actions::Action* action = service == kService ? Actions::Find(operation) : nullptr;

  const BodyEncoding enc = content_type == kJson ? BodyEncoding::kJson : BodyEncoding::kCbor;
  if (request.body.empty()) {
    return done(ErrorResponse(enc, 400, action ? "SerializationException" : "UnknownOperationException", ""));
  }
  if (content_type != kJson && content_type != kCbor && content_type != kPlainJson) {
    if (service.empty() || operation.empty()) return done(AccessDenied());
    return done(Xml(404, "<UnknownOperationException/>\n"));
  }

  auto parsed = content_type == kCbor ? ParseCborBody(std::move(request.body))
                                      : ParseJsonBody(std::move(request.body));
  if (content_type == kPlainJson) {
    const std::string_view what = parsed.ok() ? "UnknownOperationException" : "SerializationException";
    const int status = parsed.ok() ? 404 : 400;
    return done(Raw(status, std::string(kPlainJson),
                    fmt::format(R"({{"Output":{{"__type":"com.amazon.coral.service#{}"}},"Version":"1.0"}})", what)));
  }
  if (!parsed.ok() || (*parsed)->root().kind != Value::Kind::kMap) {
    return done(ErrorResponse(enc, 400, "SerializationException", ""));
  }
  if (action == nullptr) return done(ErrorResponse(enc, 400, "UnknownOperationException", ""));
  if (auto auth = CheckAuth(head)) return done(ErrorResponse(enc, 400, auth->first, auth->second));

  auto call = std::make_shared<ActionCall>();
  call->body = std::move(*parsed);
  call->req = const_cast<Value*>(&call->body->root());  // the call owns the tree: checks normalize it
  call->enc = enc;
  if (auto err = CheckRequest(*call->req, action->fields, call->arena)) {
    if (err->serialization) return done(ErrorResponse(enc, 400, "SerializationException", err->message, "Message"));
    return done(ErrorResponse(enc, 400, "ValidationException", err->message));
  }
  (actions_.get()->*(action->run))(*call, [call, enc, done = std::move(done)](ActionResult r) {
    if (!r.error_type.empty()) return done(ErrorResponse(enc, r.status, r.error_type, r.message));
    done(Raw(200, std::string(enc == BodyEncoding::kCbor ? kCbor : kJson), std::move(r.body)));
  });
}

}  // namespace sluice::api
