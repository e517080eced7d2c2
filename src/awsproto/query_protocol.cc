#include "awsproto/query_protocol.h"

#include "base/ascii.h"
#include "base/xml.h"

namespace sluice::awsproto {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> FormDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) return Status::InvalidArgument("malformed percent escape in the form body");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Status QueryMemoryExceeded(uint64_t max_bytes) {
  return Status::InvalidArgument("the request parameters need more than " + std::to_string(max_bytes) +
                                 " bytes of memory");
}

Result<QueryParams> QueryParams::Parse(std::string_view form, const QueryLimits& limits) {
  QueryParams q;
  size_t count = 0;
  size_t start = 0;
  while (start <= form.size()) {
    size_t amp = form.find('&', start);
    if (amp == std::string_view::npos) amp = form.size();
    const std::string_view pair = form.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) {
      if (amp == form.size()) break;
      continue;
    }
    if (++count > limits.max_params) {
      return Status::InvalidArgument("the request has more than " + std::to_string(limits.max_params) +
                                     " parameters");
    }
    const size_t eq = pair.find('=');
    auto key = FormDecode(pair.substr(0, eq));
    if (!key.ok()) return key.status();
    auto value = FormDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!value.ok()) return value.status();
    q.held_bytes_ += QueryParamBytes(key->size(), value->size());
    if (q.held_bytes_ > limits.max_bytes) {
      return QueryMemoryExceeded(limits.max_bytes);
    }
    q.params_.emplace(std::move(*key), std::move(*value));
    if (amp == form.size()) break;
  }
  if (auto a = q.Get("Action")) q.action_ = *a;
  if (auto v = q.Get("Version")) q.version_ = *v;
  return q;
}

std::optional<std::string> QueryParams::Get(std::string_view key) const {
  auto it = params_.find(std::string(key));
  if (it == params_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> QueryParams::List(std::string_view name) const {
  std::vector<std::string> out;
  for (size_t n = 1;; ++n) {
    auto v = Get(std::string(name) + ".member." + std::to_string(n));
    if (!v) return out;
    out.push_back(std::move(*v));
  }
}

std::vector<std::map<std::string, std::string>> QueryParams::StructList(std::string_view name) const {
  std::vector<std::map<std::string, std::string>> out;
  for (size_t n = 1;; ++n) {
    const std::string prefix = std::string(name) + ".member." + std::to_string(n) + ".";
    std::map<std::string, std::string> fields;
    for (auto it = params_.lower_bound(prefix); it != params_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
      fields.emplace(it->first.substr(prefix.size()), it->second);
    }
    if (fields.empty()) return out;
    out.push_back(std::move(fields));
  }
}

XmlBuilder& XmlBuilder::Open(std::string_view name) {
  out_ += '<';
  out_ += name;
  out_ += '>';
  return *this;
}

XmlBuilder& XmlBuilder::Close(std::string_view name) {
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

XmlBuilder& XmlBuilder::Leaf(std::string_view name, std::string_view text) {
  XmlElement(out_, name, text);
  return *this;
}

XmlBuilder& XmlBuilder::OptionalLeaf(std::string_view name, const std::optional<std::string>& text) {
  if (text) Leaf(name, *text);
  return *this;
}

namespace {

http::Response XmlAnswer(int status, std::string body, std::string_view request_id) {
  http::Response r;
  r.status = status;
  r.headers.emplace_back("content-type", "text/xml");
  r.headers.emplace_back("x-amzn-requestid", std::string(request_id));
  r.body = std::move(body);
  return r;
}

}  // namespace

http::Response QueryResponse(const QueryProtocol& p, std::string_view action, std::string_view result_xml,
                             std::string_view request_id, bool with_result) {
  std::string body;
  body.reserve(result_xml.size() + 256);
  body += "<";
  body += action;
  body += "Response xmlns=\"";
  body += p.xmlns;
  body += "\">";
  if (with_result) {
    body += "<";
    body += action;
    body += "Result>";
    body += result_xml;
    body += "</";
    body += action;
    body += "Result>";
  }
  body += "<ResponseMetadata>";
  XmlElement(body, "RequestId", request_id);
  body += "</ResponseMetadata></";
  body += action;
  body += "Response>";
  return XmlAnswer(200, std::move(body), request_id);
}

http::Response QueryError(const QueryProtocol& p, int status, std::string_view code, std::string_view message,
                          std::string_view request_id, bool sender) {
  std::string body = "<ErrorResponse xmlns=\"";
  body += p.xmlns;
  body += "\"><Error>";
  XmlElement(body, "Type", sender ? "Sender" : "Receiver");
  XmlElement(body, "Code", code);
  XmlElement(body, "Message", message);
  body += "</Error>";
  XmlElement(body, "RequestId", request_id);
  body += "</ErrorResponse>";
  return XmlAnswer(status, std::move(body), request_id);
}

bool IsQueryShaped(const http::RequestHead& head) {
  if (head.method != "POST" || head.target.substr(0, head.target.find('?')) != "/") return false;
  const std::string ct = AsciiLower(head.Header("content-type"));
  return ct.rfind("application/x-www-form-urlencoded", 0) == 0;
}

}  // namespace sluice::awsproto
