#include "cloudwatch_service.h"

#include "awsproto/codec.h"
#include "awsproto/json_rpc.h"
#include "awsproto/request_id.h"
#include "awsproto/schema.h"
#include "base/work_pool.h"
#include "internal/actions.h"

namespace sluice::frontends::cloudwatch {
namespace {

constexpr std::string_view kSigningNames[] = {"monitoring"};
constexpr std::string_view kTargetPrefix = "GraniteServiceVersion20100801";
constexpr std::string_view kTargetPrefixes[] = {kTargetPrefix};
constexpr std::string_view kRpcPath = "/service/GraniteServiceVersion20100801/operation/";
constexpr int kThreads = 2;

// Which protocol the request speaks, and its action.
Protocol Detect(const http::RequestHead& head) {
  const std::string_view path = head.Path();
  if (path.rfind(kRpcPath, 0) == 0) return {Wire::kCbor, std::string(path.substr(kRpcPath.size()))};
  const std::string_view target = head.Header("x-amz-target");
  if (target.size() > kTargetPrefix.size() && target.rfind(kTargetPrefix, 0) == 0 && target[kTargetPrefix.size()] == '.') {
    return {Wire::kJson, std::string(target.substr(kTargetPrefix.size() + 1))};
  }
  return {Wire::kQuery, ""};
}

metrics::CwError Err(metrics::CwErrorCode c, std::string m) { return metrics::MakeCwError(c, std::move(m)); }

// PutMetricData's request shape at AWS's maxima, for its parse limits only (the action
// reads the tree itself): 1,000 datums of 30 dimensions, 150 values and 150 counts need
// about 477,000 nodes, far past awsproto's default cap, and a 1 MB body of datums with 30
// dimensions holds about 160,000. EntityMetricData, which sluice ignores, parses within
// the spare LimitsFor leaves up to kMaxShapeParseNodes.
using awsproto::FieldSpec;
using awsproto::FieldType;
const FieldSpec kDimensionShape[] = {{.name = "Name"}, {.name = "Value"}};
const FieldSpec kStatisticSetShape[] = {{.name = "SampleCount"}, {.name = "Sum"}, {.name = "Minimum"}, {.name = "Maximum"}};
const FieldSpec kDatumShape[] = {
    {.name = "MetricName"},
    {.name = "Dimensions", .type = FieldType::kList, .max_len = static_cast<int64_t>(metrics::kMaxDimensions), .members = kDimensionShape},
    {.name = "Timestamp"},
    {.name = "Value"},
    {.name = "StatisticValues", .type = FieldType::kStructure, .members = kStatisticSetShape},
    {.name = "Values", .type = FieldType::kList, .max_len = static_cast<int64_t>(kMaxValuesPerDatum)},
    {.name = "Counts", .type = FieldType::kList, .max_len = static_cast<int64_t>(kMaxValuesPerDatum)},
    {.name = "Unit"},
    {.name = "StorageResolution"}};
const FieldSpec kPutMetricDataShape[] = {
    {.name = "Namespace"},
    {.name = "MetricData", .type = FieldType::kList, .max_len = static_cast<int64_t>(kMaxDatums), .members = kDatumShape},
    {.name = "StrictEntityValidation"}};

// What parsing one JSON or CBOR request of `action` may build: PutMetricData's shape
// asks past the default cap; every other action keeps awsproto's defaults.
const awsproto::ParseLimits& LimitsFor(std::string_view action) {
  static const awsproto::ParseLimits kPutMetricData =
      awsproto::LimitsFor(kPutMetricDataShape, awsproto::kMaxShapeParseNodes);
  static const awsproto::ParseLimits kDefault{};
  return action == "PutMetricData" ? kPutMetricData : kDefault;
}

}  // namespace

CloudWatchService::CloudWatchService(metrics::Registry& registry, const metrics::MetricReader& reader,
                                     metrics::AlarmManager& alarms, Clock& clock)
    : registry_(registry), reader_(reader), alarms_(alarms), clock_(clock), pool_(std::make_unique<WorkPool>(kThreads, "cloudwatch")) {}

CloudWatchService::~CloudWatchService() = default;

std::span<const std::string_view> CloudWatchService::SigningNames() const { return kSigningNames; }
std::span<const std::string_view> CloudWatchService::TargetPrefixes() const { return kTargetPrefixes; }

bool CloudWatchService::ClaimsShape(const http::RequestHead& head) const {
  return head.Path().rfind(kRpcPath, 0) == 0;
}

uint64_t CloudWatchService::BodyLimit(const http::RequestHead&) const { return kMaxRequestBytes; }

std::shared_ptr<http::BodySink> CloudWatchService::StreamBody(const http::RequestHead&) { return nullptr; }

uint64_t CloudWatchService::ParseMemory(const http::RequestHead& head, uint64_t body_bytes) const {
  const Protocol p = Detect(head);
  if (p.wire == Wire::kQuery) return QueryParseBudget(body_bytes);
  return awsproto::ParseMemoryBound(body_bytes, LimitsFor(p.action).max_nodes);
}

http::Response CloudWatchService::BodyTooLarge(const http::RequestHead& head, uint64_t limit) const {
  return ErrorAnswer(Detect(head), Err(metrics::CwErrorCode::kInvalidParameterValue,
                                       "Request size must be at most " + std::to_string(limit) + " bytes"),
                     awsproto::NewUuidRequestId());
}

http::Response CloudWatchService::Overloaded(const http::RequestHead& head) const {
  return ErrorAnswer(Detect(head), Err(metrics::CwErrorCode::kInternal, "Service is unavailable, retry the request"),
                     awsproto::NewUuidRequestId());
}

http::Response CloudWatchService::AuthFailed(const http::RequestHead& head, const awsproto::AuthFailure& f) const {
  const Protocol p = Detect(head);
  const int status = awsproto::JsonErrorStatus(f.code);
  const std::string_view type = awsproto::JsonErrorType(f.code);
  const std::string id = awsproto::NewUuidRequestId();
  if (p.wire == Wire::kQuery) {
    static constexpr awsproto::QueryProtocol kQuery{"http://monitoring.amazonaws.com/doc/2010-08-01/", "2010-08-01"};
    return awsproto::QueryError(kQuery, status, type, f.json_message, id);
  }
  Out body;
  body.Set("__type", Out::Text(std::string(type))).Set("message", Out::Text(f.json_message));
  http::Response r = Answer(p, body, true, id);
  r.status = status;
  r.headers.emplace_back("x-amzn-query-error", std::string(type) + ";Sender");
  return r;
}

void CloudWatchService::Handle(http::Request request, http::Responder done) {
  Protocol p = Detect(request.head);
  if (p.wire == Wire::kQuery && !awsproto::IsQueryShaped(request.head)) {
    done(ErrorAnswer(p, Err(metrics::CwErrorCode::kInvalidParameterValue,
                            "CloudWatch takes POST / with a form-encoded body (the Query protocol), an "
                            "X-Amz-Target of GraniteServiceVersion20100801 (AWS JSON 1.0) or an RPC v2 CBOR path"),
                     awsproto::NewUuidRequestId()));
    return;
  }
  pool_->Post([this, p = std::move(p), head = std::move(request.head), body = std::move(request.body),
               done = std::move(done)]() mutable {
    const std::string request_id = awsproto::NewUuidRequestId();
    In req;
    if (p.wire == Wire::kQuery) {
      // Within what ParseMemory reserved: as many parameters as PutMetricData's shape
      // at AWS's maxima has (the 1 MiB body binds first), in QueryParseBudget's bytes.
      const uint64_t budget = QueryParseBudget(body.size());
      auto q = awsproto::QueryParams::Parse(body, {.max_params = awsproto::kMaxShapeParseNodes, .max_bytes = budget});
      Result<In> tree = q.ok() ? FromQuery(*q, budget) : Result<In>(q.status());
      if (!tree.ok()) {
        done(awsproto::QueryError({"http://monitoring.amazonaws.com/doc/2010-08-01/", "2010-08-01"}, 400,
                                  "MalformedQueryString", tree.status().message(), request_id));
        return;
      }
      p.action = std::string(q->action());
      if (p.action.empty()) {
        done(awsproto::QueryError({"http://monitoring.amazonaws.com/doc/2010-08-01/", "2010-08-01"}, 400,
                                  "MissingAction", "Could not find operation to perform", request_id));
        return;
      }
      if (q->version() != "2010-08-01") {
        done(ErrorAnswer(p, Err(metrics::CwErrorCode::kInvalidParameterValue,
                                "Unsupported Version: '" + std::string(q->version()) + "'"),
                         request_id));
        return;
      }
      req = std::move(*tree);
    } else {
      if (p.wire == Wire::kCbor && head.Header("smithy-protocol") != "rpc-v2-cbor") {
        http::Response r = ErrorAnswer(p, Err(metrics::CwErrorCode::kInvalidParameterValue,
                                              "The smithy-protocol header must be rpc-v2-cbor"), request_id);
        done(std::move(r));
        return;
      }
      if (!body.empty()) {
        awsproto::PinBodyBuffer(body);
        const awsproto::ParseLimits& limits = LimitsFor(p.action);
        auto parsed = p.wire == Wire::kJson ? awsproto::ParseJsonBody(std::move(body), limits)
                                            : awsproto::ParseCborBody(std::move(body), limits);
        if (!parsed.ok() || (*parsed)->root().kind != awsproto::Value::Kind::kMap) {
          // The parser holds what the action's largest request needs (LimitsFor above;
          // docs/compatibility.md).
          const std::string why = parsed.ok() ? "the body is not a map" : parsed.status().message();
          done(ErrorAnswer(p, Err(metrics::CwErrorCode::kInvalidParameterValue,
                                  "Malformed or too large request body: " + why),
                           request_id));
          return;
        }
        req = FromValue((*parsed)->root());
      } else {
        req.kind = In::Kind::kMap;
      }
    }
    const Deps deps{registry_, reader_, alarms_, clock_};
    auto outcome = RunAction(deps, p.action, req);
    if (!outcome) {
      if (p.wire == Wire::kQuery) {
        done(awsproto::QueryError({"http://monitoring.amazonaws.com/doc/2010-08-01/", "2010-08-01"}, 400,
                                  "InvalidAction", "The action " + p.action + " is not valid for this web service.",
                                  request_id));
      } else {
        Out unknown;
        unknown.Set("__type", Out::Text("UnknownOperationException"))
            .Set("message", Out::Text("The action " + p.action + " is not valid for this web service."));
        http::Response r = Answer(p, unknown, true, request_id);
        r.status = 400;
        r.headers.emplace_back("x-amzn-query-error", "InvalidAction;Sender");
        done(std::move(r));
      }
      return;
    }
    if (!outcome->ok()) {
      done(ErrorAnswer(p, outcome->error(), request_id));
      return;
    }
    done(Answer(p, (*outcome)->result, (*outcome)->with_result, request_id));
  });
}

void CloudWatchService::Quiesce() { pool_.reset(); }

}  // namespace sluice::frontends::cloudwatch
