#include "internal/wire.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>

#include <nlohmann/json.hpp>

#include "metrics/alarm_eval.h"

namespace sluice::frontends::cloudwatch {
namespace {

using metrics::CwErrorCode;
constexpr awsproto::QueryProtocol kQuery{"http://monitoring.amazonaws.com/doc/2010-08-01/", "2010-08-01"};

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

void Split(std::string_view key, std::vector<std::string_view>& out) {
  out.clear();
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    out.push_back(key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
}

// ---- XML ----------------------------------------------------------------------------

void XmlValue(awsproto::XmlBuilder& x, std::string_view name, const Out& v);

void XmlInner(awsproto::XmlBuilder& x, const Out& v) {
  switch (v.kind) {
    case Out::Kind::kStruct:
      for (const auto& [k, f] : v.fields) XmlValue(x, k, f);
      break;
    case Out::Kind::kList:
      for (const Out& item : v.items) XmlValue(x, "member", item);
      break;
    case Out::Kind::kMap:
      for (const auto& [k, f] : v.fields) {
        x.Open("entry").Leaf("key", k);
        XmlValue(x, "value", f);
        x.Close("entry");
      }
      break;
    default:
      break;
  }
}

std::string ScalarText(const Out& v) {
  switch (v.kind) {
    case Out::Kind::kText: return v.text;
    case Out::Kind::kDouble: return metrics::JavaDouble(v.number);
    case Out::Kind::kInt: return std::to_string(v.integer);
    case Out::Kind::kBool: return v.boolean ? "true" : "false";
    case Out::Kind::kTime: return Iso8601Millis(v.integer);
    default: return "";
  }
}

void XmlValue(awsproto::XmlBuilder& x, std::string_view name, const Out& v) {
  if (v.kind == Out::Kind::kStruct || v.kind == Out::Kind::kList || v.kind == Out::Kind::kMap) {
    x.Open(name);
    XmlInner(x, v);
    x.Close(name);
    return;
  }
  x.Leaf(name, ScalarText(v));
}

// ---- JSON ---------------------------------------------------------------------------

nlohmann::ordered_json ToJson(const Out& v) {
  switch (v.kind) {
    case Out::Kind::kStruct:
    case Out::Kind::kMap: {
      auto j = nlohmann::ordered_json::object();
      for (const auto& [k, f] : v.fields) j[k] = ToJson(f);
      return j;
    }
    case Out::Kind::kList: {
      auto j = nlohmann::ordered_json::array();
      for (const Out& item : v.items) j.push_back(ToJson(item));
      return j;
    }
    case Out::Kind::kText: return v.text;
    case Out::Kind::kDouble: return v.number;
    case Out::Kind::kInt: return v.integer;
    case Out::Kind::kBool: return v.boolean;
    case Out::Kind::kTime: return static_cast<double>(v.integer) / 1000.0;
  }
  return nullptr;
}

// ---- CBOR ---------------------------------------------------------------------------

void CborHead(std::string& out, uint8_t major, uint64_t v) {
  const uint8_t m = static_cast<uint8_t>(major << 5);
  if (v < 24) {
    out.push_back(static_cast<char>(m | v));
    return;
  }
  int bytes = v <= 0xff ? 1 : v <= 0xffff ? 2 : v <= 0xffffffffull ? 4 : 8;
  out.push_back(static_cast<char>(m | (bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27)));
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void CborDouble(std::string& out, double d) {
  uint64_t bits = 0;
  static_assert(sizeof bits == sizeof d);
  std::memcpy(&bits, &d, sizeof d);
  out.push_back(static_cast<char>(0xfb));
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

void CborText(std::string& out, std::string_view s) {
  CborHead(out, 3, s.size());
  out.append(s);
}

void ToCbor(std::string& out, const Out& v) {
  switch (v.kind) {
    case Out::Kind::kStruct:
    case Out::Kind::kMap:
      CborHead(out, 5, v.fields.size());
      for (const auto& [k, f] : v.fields) {
        CborText(out, k);
        ToCbor(out, f);
      }
      return;
    case Out::Kind::kList:
      CborHead(out, 4, v.items.size());
      for (const Out& item : v.items) ToCbor(out, item);
      return;
    case Out::Kind::kText: CborText(out, v.text); return;
    case Out::Kind::kDouble: CborDouble(out, v.number); return;
    case Out::Kind::kInt:
      if (v.integer >= 0) CborHead(out, 0, static_cast<uint64_t>(v.integer));
      else CborHead(out, 1, static_cast<uint64_t>(-1 - v.integer));
      return;
    case Out::Kind::kBool: out.push_back(static_cast<char>(v.boolean ? 0xf5 : 0xf4)); return;
    case Out::Kind::kTime:
      CborHead(out, 6, 1);
      CborDouble(out, static_cast<double>(v.integer) / 1000.0);
      return;
  }
}

void Common(http::Response& r, std::string_view request_id) {
  r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
}

// Numbered list members into `items`, in number order (depth-first, without recursion).
void Compact(In& root) {
  std::vector<In*> todo{&root};
  while (!todo.empty()) {
    In* n = todo.back();
    todo.pop_back();
    n->items.reserve(n->items.size() + n->numbered.size());
    for (auto& [number, member] : n->numbered) n->items.push_back(std::move(member));
    n->numbered.clear();
    for (In& item : n->items) todo.push_back(&item);
    for (auto& [key, field] : n->fields) todo.push_back(&field);
  }
}

}  // namespace

const In& In::operator[](std::string_view key) const {
  static const In kAbsent;
  auto it = fields.find(key);
  return it == fields.end() ? kAbsent : it->second;
}

uint64_t QueryNodeBytes(size_t key_size) {
  // A fields node: links (32), the key (32) and the In; numbered nodes are smaller.
  // Malloc's header and rounding: 24. The list slot: one In more.
  return 32 + 32 + 2 * sizeof(In) + 24 + awsproto::HeapStringBytes(key_size);
}

uint64_t QueryParseBudget(uint64_t body_bytes) { return 32 * body_bytes + (64u << 10); }

Result<In> FromQuery(const awsproto::QueryParams& params, uint64_t budget_bytes) {
  In root;
  root.kind = In::Kind::kMap;
  uint64_t held = params.held_bytes();
  std::vector<std::string_view> parts;
  for (const auto& [key, value] : params.all()) {
    if (key == "Action" || key == "Version") continue;
    Split(key, parts);
    if (parts.size() > kMaxQueryKeySegments) continue;
    In* cur = &root;
    for (size_t i = 0; i < parts.size(); ++i) {
      In* next = nullptr;
      size_t step = 0;
      if (parts[i] == "member" && i + 1 < parts.size() && AllDigits(parts[i + 1])) {
        size_t n = 0;
        if (std::from_chars(parts[i + 1].data(), parts[i + 1].data() + parts[i + 1].size(), n).ec != std::errc()) {
          break;
        }
        cur->kind = In::Kind::kList;
        auto [it, added] = cur->numbered.try_emplace(n);
        if (added) held += QueryNodeBytes(0);
        next = &it->second;
        step = 1;
      } else {
        if (cur->kind != In::Kind::kMap) {
          cur->kind = In::Kind::kMap;
          cur->text.clear();
        }
        auto it = cur->fields.find(parts[i]);
        if (it == cur->fields.end()) {
          it = cur->fields.emplace(std::string(parts[i]), In{}).first;
          held += QueryNodeBytes(parts[i].size());
        }
        next = &it->second;
      }
      if (held > budget_bytes) {
        return awsproto::QueryMemoryExceeded(budget_bytes);
      }
      cur = next;
      i += step;
    }
    if (cur->kind == In::Kind::kAbsent) {
      held += awsproto::HeapStringBytes(value.size());
      if (held > budget_bytes) {
        return awsproto::QueryMemoryExceeded(budget_bytes);
      }
      cur->kind = In::Kind::kText;
      cur->text = value;
    }
  }
  Compact(root);
  return root;
}

In FromValue(const awsproto::Value& v) {
  In n;
  using K = awsproto::Value::Kind;
  switch (v.kind) {
    case K::kNull: break;
    case K::kBool: n.kind = In::Kind::kBool; n.boolean = v.b; break;
    case K::kInt: n.kind = In::Kind::kNumber; n.number = static_cast<double>(v.i); break;
    case K::kDouble: n.kind = In::Kind::kNumber; n.number = v.d; break;
    case K::kString:
    case K::kBytes: n.kind = In::Kind::kText; n.text = std::string(v.s()); break;
    case K::kTimestampMs: n.kind = In::Kind::kTime; n.ms = v.i; break;
    case K::kArray:
      n.kind = In::Kind::kList;
      for (const awsproto::Value& item : v.items()) n.items.push_back(FromValue(item));
      break;
    case K::kMap:
      n.kind = In::Kind::kMap;
      for (auto m : v.members()) {
        if (!m.value.is_null()) n.fields[std::string(m.key)] = FromValue(m.value);
      }
      break;
  }
  return n;
}

std::string Text(const In& n) {
  if (n.kind == In::Kind::kText) return n.text;
  if (n.kind == In::Kind::kNumber) return metrics::JavaDouble(n.number);
  if (n.kind == In::Kind::kBool) return n.boolean ? "true" : "false";
  return "";
}

std::optional<double> Number(const In& n, std::string_view field, Problems& p) {
  if (!n.present()) return std::nullopt;
  if (n.kind == In::Kind::kNumber) return n.number;
  if (n.kind == In::Kind::kText) {
    double v = 0;
    const char* end = n.text.data() + n.text.size();
    auto [ptr, ec] = std::from_chars(n.text.data(), end, v);
    if (ec == std::errc() && ptr == end) return v;
  }
  p.Add(CwErrorCode::kInvalidParameterValue,
        "The value " + Text(n) + " for parameter " + std::string(field) + " is not a valid number.");
  return std::nullopt;
}

std::optional<int64_t> Integer(const In& n, std::string_view field, Problems& p) {
  auto v = Number(n, field, p);
  if (!v) return std::nullopt;
  if (std::floor(*v) != *v || std::abs(*v) > 9.0e15) {
    p.Add(CwErrorCode::kInvalidParameterValue,
          "The value " + Text(n) + " for parameter " + std::string(field) + " is not a valid integer.");
    return std::nullopt;
  }
  return static_cast<int64_t>(*v);
}

std::optional<bool> Boolean(const In& n, std::string_view field, Problems& p) {
  if (!n.present()) return std::nullopt;
  if (n.kind == In::Kind::kBool) return n.boolean;
  if (n.kind == In::Kind::kText && (n.text == "true" || n.text == "false")) return n.text == "true";
  p.Add(CwErrorCode::kInvalidParameterValue,
        "The value " + Text(n) + " for parameter " + std::string(field) + " is not a valid boolean.");
  return std::nullopt;
}

std::optional<int64_t> ParseIso8601(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fff...](Z|+HH:MM|-HH:MM|+HHMM)
  auto num = [&](size_t at, size_t len, int& out) {
    if (at + len > s.size()) return false;
    out = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, sec;
  if (s.size() < 19 || !num(0, 4, y) || s[4] != '-' || !num(5, 2, mo) || s[7] != '-' || !num(8, 2, d) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !num(11, 2, h) || s[13] != ':' || !num(14, 2, mi) ||
      s[16] != ':' || !num(17, 2, sec)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  size_t i = 19;
  int64_t frac_ms = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 3) frac_ms = frac_ms * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (int k = digits; k < 3; ++k) frac_ms *= 10;
  }
  int64_t offset_s = 0;
  if (i == s.size()) {
    // no zone: UTC
  } else if (s[i] == 'Z' || s[i] == 'z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    const int sign = s[i] == '-' ? -1 : 1;
    int oh, om;
    if (!num(i + 1, 2, oh)) return std::nullopt;
    size_t j = i + 3;
    if (j < s.size() && s[j] == ':') ++j;
    if (!num(j, 2, om)) return std::nullopt;
    offset_s = sign * (oh * 3600 + om * 60);
    i = j + 2;
  }
  if (i != s.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  const int64_t t = static_cast<int64_t>(timegm(&tm));
  return (t - offset_s) * 1000 + frac_ms;
}

std::optional<int64_t> Time(const In& n, std::string_view field, Problems& p) {
  if (!n.present()) return std::nullopt;
  if (n.kind == In::Kind::kTime) return n.ms;
  if (n.kind == In::Kind::kNumber && std::isfinite(n.number) && std::abs(n.number) < 1e13) {
    return static_cast<int64_t>(std::llround(n.number * 1000));
  }
  if (n.kind == In::Kind::kText) {
    if (auto t = ParseIso8601(n.text)) return t;
    double secs = 0;
    const char* end = n.text.data() + n.text.size();
    auto [ptr, ec] = std::from_chars(n.text.data(), end, secs);
    if (ec == std::errc() && ptr == end && std::abs(secs) < 1e13) return static_cast<int64_t>(std::llround(secs * 1000));
  }
  p.Add(CwErrorCode::kInvalidParameterValue,
        "The value " + Text(n) + " for parameter " + std::string(field) + " is not a valid timestamp.");
  return std::nullopt;
}

Out Out::Text(std::string s) {
  Out o;
  o.kind = Kind::kText;
  o.text = std::move(s);
  return o;
}
Out Out::Double(double v) {
  Out o;
  o.kind = Kind::kDouble;
  o.number = v;
  return o;
}
Out Out::Int(int64_t v) {
  Out o;
  o.kind = Kind::kInt;
  o.integer = v;
  return o;
}
Out Out::Bool(bool v) {
  Out o;
  o.kind = Kind::kBool;
  o.boolean = v;
  return o;
}
Out Out::TimeMs(int64_t ms) {
  Out o;
  o.kind = Kind::kTime;
  o.integer = ms;
  return o;
}
Out Out::List() {
  Out o;
  o.kind = Kind::kList;
  return o;
}
Out Out::Map() {
  Out o;
  o.kind = Kind::kMap;
  return o;
}

std::string_view ErrorShape(CwErrorCode c) {
  switch (c) {
    case CwErrorCode::kInvalidParameterValue: return "InvalidParameterValueException";
    case CwErrorCode::kMissingParameter: return "MissingRequiredParameterException";
    case CwErrorCode::kInvalidParameterCombination: return "InvalidParameterCombinationException";
    case CwErrorCode::kResourceNotFound: return "ResourceNotFound";
    case CwErrorCode::kLimitExceeded: return "LimitExceededFault";
    case CwErrorCode::kInvalidFormat: return "InvalidFormatFault";
    case CwErrorCode::kInvalidNextToken: return "InvalidNextToken";
    case CwErrorCode::kInternal: return "InternalServiceFault";
  }
  return "InternalServiceFault";
}

std::string_view ErrorCode(CwErrorCode c) {
  switch (c) {
    case CwErrorCode::kInvalidParameterValue: return "InvalidParameterValue";
    case CwErrorCode::kMissingParameter: return "MissingParameter";
    case CwErrorCode::kInvalidParameterCombination: return "InvalidParameterCombination";
    case CwErrorCode::kResourceNotFound: return "ResourceNotFound";
    case CwErrorCode::kLimitExceeded: return "LimitExceeded";
    case CwErrorCode::kInvalidFormat: return "InvalidFormat";
    case CwErrorCode::kInvalidNextToken: return "InvalidNextToken";
    case CwErrorCode::kInternal: return "InternalServiceError";
  }
  return "InternalServiceError";
}

int ErrorStatus(CwErrorCode c) {
  return c == CwErrorCode::kResourceNotFound ? 404 : c == CwErrorCode::kInternal ? 500 : 400;
}

http::Response Answer(const Protocol& p, const Out& result, bool with_result, std::string_view request_id) {
  if (p.wire == Wire::kQuery) {
    awsproto::XmlBuilder x;
    XmlInner(x, result);
    return awsproto::QueryResponse(kQuery, p.action, x.Take(), request_id, with_result);
  }
  http::Response r;
  r.status = 200;
  if (p.wire == Wire::kJson) {
    r.body = ToJson(result).dump();
    r.headers.emplace_back("Content-Type", "application/x-amz-json-1.0");
  } else {
    ToCbor(r.body, result);
    r.headers.emplace_back("Content-Type", "application/cbor");
    r.headers.emplace_back("smithy-protocol", "rpc-v2-cbor");
  }
  Common(r, request_id);
  return r;
}

http::Response ErrorAnswer(const Protocol& p, const metrics::CwError& e, std::string_view request_id) {
  const int status = ErrorStatus(e.code);
  const bool sender = e.code != CwErrorCode::kInternal;
  if (p.wire == Wire::kQuery) {
    return awsproto::QueryError(kQuery, status, ErrorCode(e.code), e.message, request_id, sender);
  }
  const std::string type = "com.amazonaws.cloudwatch#" + std::string(ErrorShape(e.code));
  Out body;
  body.Set("__type", Out::Text(type)).Set("message", Out::Text(e.message));
  http::Response r = Answer(p, body, true, request_id);
  r.status = status;
  r.headers.emplace_back("x-amzn-query-error", std::string(ErrorCode(e.code)) + (sender ? ";Sender" : ";Receiver"));
  if (p.wire == Wire::kJson) r.headers.emplace_back("x-amzn-ErrorType", std::string(ErrorShape(e.code)));
  return r;
}

}  // namespace sluice::frontends::cloudwatch
