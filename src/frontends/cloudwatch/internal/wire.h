// CloudWatch's three wire protocols reduced to one request tree and one answer tree, so
// each action is written once: AWS Query (form parameters, `Name.member.N`, XML
// answers), AWS JSON 1.0 (X-Amz-Target GraniteServiceVersion20100801.<Action>) and
// Smithy RPC v2 CBOR (POST /service/GraniteServiceVersion20100801/operation/<Action>).
// Errors carry the Query code in `x-amzn-query-error` on JSON and CBOR, as CloudWatch
// (an awsQueryCompatible service) sends it and the SDKs read it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awsproto/query_protocol.h"
#include "awsproto/value.h"
#include "http/types.h"
#include "metrics/alarm_math.h"

namespace sluice::frontends::cloudwatch {

enum class Wire : uint8_t { kQuery, kJson, kCbor };

// A request member. Query members are all text; accessors convert.
struct In {
  enum class Kind : uint8_t { kAbsent, kText, kNumber, kBool, kTime, kList, kMap };
  Kind kind = Kind::kAbsent;
  std::string text;
  double number = 0;
  bool boolean = false;
  int64_t ms = 0;
  std::vector<In> items;
  std::map<std::string, In, std::less<>> fields;
  // FromQuery only, while it builds: list members by their number, so `A.member.99999`
  // costs one member, not 99,999 (they become `items`, in order, at the end).
  std::map<size_t, In> numbered;

  bool present() const { return kind != Kind::kAbsent; }
  // The member, or an absent node.
  const In& operator[](std::string_view key) const;
};

// The deepest parameter name FromQuery reads, in dot-separated segments. CloudWatch's
// deepest member (`MetricDataQueries.member.N.MetricStat.Metric.Dimensions.member.M.Name`)
// has 9; a deeper name matches no member of any action and is ignored, as AWS ignores
// parameters it does not know (and the tree's depth, which its destructor recurses
// through, stays bounded).
inline constexpr size_t kMaxQueryKeySegments = 16;

// The heap one node of the tree takes at most: its map node (key string, links, the node,
// malloc-rounded), its key's text, and the slot Compact moves a list member into.
uint64_t QueryNodeBytes(size_t key_size);

// What parsing a Query body of `body_bytes` may hold, parameters and tree together: 32
// times the body and 64 KiB. A parameter of an action's shape takes at least 27 bytes of
// body and under 700 bytes of memory, so every request within CloudWatch's shapes and its
// 1 MiB body fits; a form of tiny or deeply nested names past it is refused. The gateway
// reserves this much (Service::ParseMemory) before the parse runs.
uint64_t QueryParseBudget(uint64_t body_bytes);

// `A.member.1.B` becomes {A: [{B: ...}]}; members keep their numbers' order, gaps closed.
// Memory is linear in the parameters, whatever numbers they carry. A tree whose nodes
// would take more than `budget_bytes` (by QueryNodeBytes) beyond what `params` hold is
// InvalidArgument.
Result<In> FromQuery(const awsproto::QueryParams& params, uint64_t budget_bytes = UINT64_MAX);
In FromValue(const awsproto::Value& v);

// The first conversion failure of a request; actions check it once after reading.
struct Problems {
  std::optional<metrics::CwError> first;
  void Add(metrics::CwErrorCode code, std::string message) {
    if (!first) first = metrics::MakeCwError(code, std::move(message));
  }
};

// Text of a member (numbers as text); "" when absent.
std::string Text(const In& n);
std::optional<double> Number(const In& n, std::string_view field, Problems& p);
std::optional<int64_t> Integer(const In& n, std::string_view field, Problems& p);
std::optional<bool> Boolean(const In& n, std::string_view field, Problems& p);
// ISO 8601 text, epoch seconds, or a CBOR/JSON timestamp; milliseconds since the epoch.
std::optional<int64_t> Time(const In& n, std::string_view field, Problems& p);
std::optional<int64_t> ParseIso8601(std::string_view s);

// An answer member.
struct OutField;
struct Out {
  enum class Kind : uint8_t { kStruct, kList, kMap, kText, kDouble, kInt, kBool, kTime };
  Kind kind = Kind::kStruct;
  std::string text;
  double number = 0;
  int64_t integer = 0;  // kInt; kTime (milliseconds)
  bool boolean = false;
  std::vector<OutField> fields;  // kStruct, kMap (a vector of an incomplete type: allowed)
  std::vector<Out> items;                           // kList

  static Out Text(std::string s);
  static Out Double(double v);
  static Out Int(int64_t v);
  static Out Bool(bool v);
  static Out TimeMs(int64_t ms);
  static Out List();
  static Out Map();
  Out& Set(std::string name, Out v);
};
struct OutField {
  std::string first;  // the member's name
  Out second;
};
inline Out& Out::Set(std::string name, Out v) {
  fields.push_back(OutField{std::move(name), std::move(v)});
  return *this;
}

struct Protocol {
  Wire wire = Wire::kQuery;
  std::string action;
};

http::Response Answer(const Protocol& p, const Out& result, bool with_result, std::string_view request_id);
http::Response ErrorAnswer(const Protocol& p, const metrics::CwError& e, std::string_view request_id);
// The shape name the JSON/CBOR `__type` carries and the HTTP status of a code.
std::string_view ErrorShape(metrics::CwErrorCode c);
std::string_view ErrorCode(metrics::CwErrorCode c);
int ErrorStatus(metrics::CwErrorCode c);

}  // namespace sluice::frontends::cloudwatch
