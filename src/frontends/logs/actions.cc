// The CloudWatch Logs actions: request specs (lowerCamelCase members, as Logs spells
// them) and their bodies.
#include "internal/actions.h"

#include <algorithm>
#include <array>

#include "awsproto/codec.h"

namespace sluice::frontends::logs {
namespace {

using awsproto::ActionResult;
using awsproto::BodyWriter;
using awsproto::FieldSpec;
using awsproto::FieldType;
using awsproto::Value;
using functions::LogsFailure;

// [\.\-_/#A-Za-z0-9]+
bool GroupNameChars(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_' || c == '/' || c == '#';
  });
}
// [^:*]*
bool StreamNameChars(std::string_view s) { return s.find_first_of(":*") == std::string_view::npos; }
// [\w#+=/:,.@-]* (a group name or its ARN)
bool IdentifierChars(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_#+=/:,.@-").find(c) != std::string_view::npos;
  });
}

const awsproto::Pattern kGroupNamePattern{"[\\.\\-_/#A-Za-z0-9]+", &GroupNameChars};
const awsproto::Pattern kStreamNamePattern{"[^:*]*", &StreamNameChars};
const awsproto::Pattern kIdentifierPattern{"[\\w#+=/:,.@-]*", &IdentifierChars};

constexpr FieldSpec GroupName(bool required) {
  return {.name = "logGroupName", .not_null = required, .pattern = &kGroupNamePattern, .min_len = 1, .max_len = 512};
}
constexpr FieldSpec GroupIdentifier() {
  return {.name = "logGroupIdentifier", .pattern = &kIdentifierPattern, .min_len = 1, .max_len = 2048};
}
constexpr FieldSpec StreamName(std::string_view name, bool required) {
  return {.name = name, .not_null = required, .pattern = &kStreamNamePattern, .min_len = 1, .max_len = 512};
}
constexpr FieldSpec Token(std::string_view name) { return {.name = name, .min_len = 1}; }
constexpr FieldSpec Limit(int64_t max) {
  return {.name = "limit", .type = FieldType::kInteger, .min_value = 1, .max_value = max};
}
constexpr FieldSpec Time(std::string_view name) {
  return {.name = name, .type = FieldType::kLong, .min_value = 0};
}
constexpr FieldSpec Flag(std::string_view name) { return {.name = name, .type = FieldType::kBoolean}; }

constexpr std::array<std::string_view, 2> kOrderBy = {"LogStreamName", "LastEventTime"};
constexpr std::array<std::string_view, 3> kGroupClasses = {"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"};

const FieldSpec kCreateGroup[] = {
    GroupName(true),
    {.name = "kmsKeyId", .max_len = 256},
    {.name = "tags", .type = FieldType::kMap, .min_len = 1, .max_len = 50},
    {.name = "logGroupClass", .enum_values = kGroupClasses}};
const FieldSpec kGroupOnly[] = {GroupName(true)};
const FieldSpec kDescribeGroups[] = {
    {.name = "accountIdentifiers", .type = FieldType::kList},
    {.name = "logGroupNamePrefix", .pattern = &kGroupNamePattern, .min_len = 1, .max_len = 512},
    {.name = "logGroupNamePattern", .max_len = 512},
    Token("nextToken"),
    Limit(50),
    Flag("includeLinkedAccounts"),
    {.name = "logGroupClass", .enum_values = kGroupClasses},
    {.name = "logGroupIdentifiers", .type = FieldType::kList}};
const FieldSpec kDescribeStreams[] = {
    GroupName(false),
    GroupIdentifier(),
    StreamName("logStreamNamePrefix", false),
    {.name = "orderBy", .enum_values = kOrderBy},
    Flag("descending"),
    Token("nextToken"),
    Limit(50)};
const FieldSpec kGetEvents[] = {
    GroupName(false), GroupIdentifier(), StreamName("logStreamName", true), Time("startTime"), Time("endTime"),
    Token("nextToken"), Limit(10000), Flag("startFromHead"), Flag("unmask")};
const FieldSpec kFilterEvents[] = {
    GroupName(false),
    GroupIdentifier(),
    {.name = "logStreamNames", .type = FieldType::kList, .min_len = 1, .max_len = 100, .child_min_len = 1,
     .child_max_len = 512},
    StreamName("logStreamNamePrefix", false),
    Time("startTime"),
    Time("endTime"),
    {.name = "filterPattern", .max_len = 1024},
    Token("nextToken"),
    Limit(10000),
    Flag("interleaved"),
    Flag("unmask")};
const FieldSpec kPutRetention[] = {GroupName(true),
                                   {.name = "retentionInDays", .type = FieldType::kInteger, .not_null = true}};
const FieldSpec kLiveTail[] = {{.name = "logGroupIdentifiers", .type = FieldType::kList},
                               {.name = "logStreamNames", .type = FieldType::kList},
                               {.name = "logStreamNamePrefixes", .type = FieldType::kList},
                               {.name = "logEventFilterPattern"}};

using A = Actions;
const A::Action kActions[] = {
    {"CreateLogGroup", kCreateGroup, &A::CreateLogGroup},
    {"DeleteLogGroup", kGroupOnly, &A::DeleteLogGroup},
    {"DeleteRetentionPolicy", kGroupOnly, &A::DeleteRetentionPolicy},
    {"DescribeLogGroups", kDescribeGroups, &A::DescribeLogGroups},
    {"DescribeLogStreams", kDescribeStreams, &A::DescribeLogStreams},
    {"FilterLogEvents", kFilterEvents, &A::FilterLogEvents},
    {"GetLogEvents", kGetEvents, &A::GetLogEvents},
    {"PutRetentionPolicy", kPutRetention, &A::PutRetentionPolicy},
    {"StartLiveTail", kLiveTail, &A::StartLiveTail},
};

std::string_view Str(const Value& req, std::string_view key) {
  const Value* v = req.Get(key);
  return v ? v->s() : std::string_view{};
}
std::optional<int64_t> Int(const Value& req, std::string_view key) {
  const Value* v = req.Get(key);
  if (v == nullptr || v->kind != Value::Kind::kInt) return std::nullopt;
  return v->i;
}
bool Bool(const Value& req, std::string_view key) {
  const Value* v = req.Get(key);
  return v != nullptr && v->kind == Value::Kind::kBool && v->b;
}
bool Present(const Value& req, std::string_view key) {
  const Value* v = req.Get(key);
  return v != nullptr && !v->is_null();
}

ActionResult Fail(const LogsFailure& e) {
  return ActionResult::Error(functions::LogsErrorName(e.code), e.message, functions::LogsErrorStatus(e.code));
}
ActionResult Invalid(std::string message) { return ActionResult::Error("InvalidParameterException", std::move(message)); }

// The group a request names: logGroupName, or logGroupIdentifier (a name or its ARN);
// exactly one of them, as Logs requires.
std::optional<std::string> GroupOf(const Value& req, ActionResult& error) {
  const bool by_name = Present(req, "logGroupName"), by_id = Present(req, "logGroupIdentifier");
  if (by_name == by_id) {
    error = Invalid("Should provide either logGroupName or logGroupIdentifier.");
    return std::nullopt;
  }
  if (by_name) return std::string(Str(req, "logGroupName"));
  std::string_view id = Str(req, "logGroupIdentifier");
  if (id.starts_with("arn:")) {
    const size_t at = id.find(":log-group:");
    if (at == std::string_view::npos) {
      error = Invalid("Invalid logGroupIdentifier: " + std::string(id));
      return std::nullopt;
    }
    id.remove_prefix(at + 11);
    if (id.ends_with(":*")) id.remove_suffix(2);
  }
  return std::string(id);
}

void WriteOptionalTime(BodyWriter& w, std::string_view key, const std::optional<int64_t>& ms) {
  if (ms) w.Key(key).Int(*ms);
}

}  // namespace

const Actions::Action* Actions::Find(std::string_view name) {
  for (const Action& a : kActions) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

void Actions::CreateLogGroup(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  // Refused rather than ignored: sluice keeps neither encryption keys nor group tags.
  if (Present(req, "kmsKeyId")) return done(Invalid("sluice does not support kmsKeyId on log groups"));
  if (Present(req, "tags")) return done(Invalid("sluice does not support tags on log groups"));
  if (Present(req, "logGroupClass") && Str(req, "logGroupClass") != "STANDARD") {
    return done(Invalid("sluice supports only the STANDARD log group class"));
  }
  auto r = store_.CreateGroup(Str(req, "logGroupName"));
  done(r.ok() ? ActionResult::Ok("{}") : Fail(r.error()));
}

void Actions::DeleteLogGroup(ActionCall& c, ActionDone done) {
  auto r = store_.DeleteGroup(Str(*c.req, "logGroupName"));
  done(r.ok() ? ActionResult::Ok("{}") : Fail(r.error()));
}

void Actions::PutRetentionPolicy(ActionCall& c, ActionDone done) {
  auto r = store_.PutRetention(Str(*c.req, "logGroupName"), Int(*c.req, "retentionInDays").value_or(0));
  done(r.ok() ? ActionResult::Ok("{}") : Fail(r.error()));
}

void Actions::DeleteRetentionPolicy(ActionCall& c, ActionDone done) {
  auto r = store_.DeleteRetention(Str(*c.req, "logGroupName"));
  done(r.ok() ? ActionResult::Ok("{}") : Fail(r.error()));
}

void Actions::DescribeLogGroups(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  for (const std::string_view unsupported :
       {"logGroupNamePattern", "accountIdentifiers", "logGroupIdentifiers", "logGroupClass"}) {
    if (Present(req, unsupported)) return done(Invalid("sluice does not support " + std::string(unsupported)));
  }
  auto page = store_.DescribeGroups(Str(req, "logGroupNamePrefix"), Str(req, "nextToken"),
                                    Int(req, "limit").value_or(50));
  if (!page.ok()) return done(Fail(page.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("logGroups").BeginArray();
  for (const functions::LogGroupInfo& g : page->groups) {
    w.BeginMap().Key("logGroupName").String(g.name).Key("creationTime").Int(g.created_ms);
    if (g.retention_days) w.Key("retentionInDays").Int(*g.retention_days);
    w.Key("metricFilterCount").Int(0)
        .Key("arn").String(g.arn)
        .Key("storedBytes").Int(g.stored_bytes)
        .Key("logGroupClass").String("STANDARD")
        .Key("logGroupArn").String(std::string_view(g.arn).substr(0, g.arn.size() - 2))
        .End();
  }
  w.End();
  if (!page->next_token.empty()) w.Key("nextToken").String(page->next_token);
  w.End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::DescribeLogStreams(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  ActionResult error;
  std::optional<std::string> group = GroupOf(req, error);
  if (!group) return done(std::move(error));
  functions::DescribeStreamsInput in;
  in.group = *group;
  in.prefix = std::string(Str(req, "logStreamNamePrefix"));
  in.order_by_last_event = Str(req, "orderBy") == "LastEventTime";
  in.descending = Bool(req, "descending");
  in.token = std::string(Str(req, "nextToken"));
  in.limit = Int(req, "limit").value_or(50);
  auto page = store_.DescribeStreams(in);
  if (!page.ok()) return done(Fail(page.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("logStreams").BeginArray();
  for (const functions::LogStreamInfo& s : page->streams) {
    w.BeginMap().Key("logStreamName").String(s.name).Key("creationTime").Int(s.created_ms);
    WriteOptionalTime(w, "firstEventTimestamp", s.first_event_ms);
    WriteOptionalTime(w, "lastEventTimestamp", s.last_event_ms);
    WriteOptionalTime(w, "lastIngestionTime", s.last_ingestion_ms);
    w.Key("arn").String(s.arn).Key("storedBytes").Int(0).End();  // storedBytes: AWS answers 0 (deprecated)
  }
  w.End();
  if (!page->next_token.empty()) w.Key("nextToken").String(page->next_token);
  w.End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::GetLogEvents(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  ActionResult error;
  std::optional<std::string> group = GroupOf(req, error);
  if (!group) return done(std::move(error));
  functions::GetEventsInput in;
  in.group = *group;
  in.stream = std::string(Str(req, "logStreamName"));
  in.start_ms = Int(req, "startTime");
  in.end_ms = Int(req, "endTime");
  in.token = std::string(Str(req, "nextToken"));
  in.limit = Int(req, "limit").value_or(10000);
  in.start_from_head = Bool(req, "startFromHead");
  auto page = store_.GetEvents(in);
  if (!page.ok()) return done(Fail(page.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("events").BeginArray();
  for (const functions::LogEvent& e : page->events) {
    w.BeginMap()
        .Key("timestamp").Int(e.timestamp_ms)
        .Key("message").String(e.message)
        .Key("ingestionTime").Int(e.ingestion_ms)
        .End();
  }
  w.End()
      .Key("nextForwardToken").String(page->forward_token)
      .Key("nextBackwardToken").String(page->backward_token)
      .End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::FilterLogEvents(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  ActionResult error;
  std::optional<std::string> group = GroupOf(req, error);
  if (!group) return done(std::move(error));
  functions::FilterInput in;
  in.group = *group;
  if (const Value* names = req.Get("logStreamNames"); names != nullptr && names->kind == Value::Kind::kArray) {
    for (const Value& n : names->items()) in.stream_names.emplace_back(n.s());
  }
  in.stream_prefix = std::string(Str(req, "logStreamNamePrefix"));
  in.start_ms = Int(req, "startTime");
  in.end_ms = Int(req, "endTime");
  in.pattern = std::string(Str(req, "filterPattern"));
  in.token = std::string(Str(req, "nextToken"));
  in.limit = Int(req, "limit").value_or(10000);
  auto page = store_.FilterEvents(in);
  if (!page.ok()) return done(Fail(page.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("events").BeginArray();
  for (const functions::FilteredEvent& e : page->events) {
    w.BeginMap()
        .Key("logStreamName").String(e.stream)
        .Key("timestamp").Int(e.event.timestamp_ms)
        .Key("message").String(e.event.message)
        .Key("ingestionTime").Int(e.event.ingestion_ms)
        .Key("eventId").PlainString(e.event_id)
        .End();
  }
  w.End().Key("searchedLogStreams").BeginArray();
  for (const std::string& s : page->searched_streams) {
    w.BeginMap().Key("logStreamName").String(s).Key("searchedCompletely").Bool(true).End();
  }
  w.End();
  if (!page->next_token.empty()) w.Key("nextToken").String(page->next_token);
  w.End();
  done(ActionResult::Ok(w.Take()));
}

// Live Tail is an HTTP/2 event stream on its own endpoint; `aws logs tail --follow` does
// not need it (it polls FilterLogEvents).
void Actions::StartLiveTail(ActionCall&, ActionDone done) {
  done(ActionResult::Error("InvalidOperationException",
                           "sluice does not support StartLiveTail; poll FilterLogEvents (aws logs tail --follow does)"));
}

}  // namespace sluice::frontends::logs
