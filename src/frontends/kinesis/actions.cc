// The Kinesis actions: request specs (in AWS's check order) and their bodies.
#include "internal/actions.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <cstring>
#include <variant>

#include <fmt/format.h>

#include "base/base64.h"
#include "base/clock.h"
#include "base/crc32c.h"
#include "stream/hash_key.h"
#include "stream/sequence_number.h"

namespace sluice::frontends::kinesis {
namespace {

using stream::ErrorType;

constexpr int64_t kMaxShardCount = 100000;
constexpr int64_t kDefaultRecordKib = 1024;
constexpr int64_t kMaxRecordsBytes = 5 * 1024 * 1024;  // PutRecords, data + partition keys
constexpr int64_t kGetRecordsMaxBytes = 10 * 1024 * 1024;
constexpr int kOnDemandShards = 4;  // what AWS gives a new on-demand stream

// ------------------------------------------------------------------ field specs

constexpr std::array<std::string_view, 5> kIteratorTypes = {
    "AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"};
constexpr std::array<std::string_view, 2> kStreamModes = {"PROVISIONED", "ON_DEMAND"};
constexpr std::array<std::string_view, 6> kShardFilterTypes = {
    "AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"};

constexpr FieldSpec StreamName() {
  return {.name = "StreamName", .pattern = &kNamePattern, .min_len = 1, .max_len = 128};
}
constexpr FieldSpec StreamArn() {
  return {.name = "StreamARN", .pattern = &kStreamArnPattern, .min_len = 1, .max_len = 2048};
}
constexpr FieldSpec Limit(std::string_view name, int64_t max) {
  return {.name = name, .type = FieldType::kInteger, .min_value = 1, .max_value = max};
}
constexpr FieldSpec ShardIdField(std::string_view name, bool not_null) {
  return {.name = name, .not_null = not_null, .pattern = &kNamePattern, .min_len = 1, .max_len = 128};
}

const FieldSpec kStreamModeDetails[] = {
    {.name = "StreamMode", .not_null = true, .enum_values = kStreamModes}};
const FieldSpec kShardFilter[] = {
    {.name = "Type", .not_null = true, .enum_values = kShardFilterTypes},
    ShardIdField("ShardId", false),
    {.name = "Timestamp", .type = FieldType::kTimestamp}};
const FieldSpec kRecordEntry[] = {
    {.name = "PartitionKey", .not_null = true, .min_len = 1, .max_len = 256},
    {.name = "ExplicitHashKey", .pattern = &kHashKeyPattern},
    {.name = "Data", .type = FieldType::kBlob, .not_null = true, .max_len = 10 * 1024 * 1024}};
constexpr FieldSpec TagsField() {
  return {.name = "Tags", .type = FieldType::kMap, .min_len = 1, .max_len = 200,
          .child_min_len = 1, .child_max_len = 128, .value_min_len = 0, .value_max_len = 256};
}

const FieldSpec kCreateStream[] = {
    {.name = "ShardCount", .type = FieldType::kInteger, .min_value = 1, .max_value = kMaxShardCount},
    StreamName(),
    {.name = "StreamModeDetails", .type = FieldType::kStructure, .members = kStreamModeDetails},
    TagsField(),
    {.name = "MaxRecordSizeInKiB", .type = FieldType::kInteger, .min_value = 1024, .max_value = 10240}};
const FieldSpec kDeleteStream[] = {
    StreamName(), StreamArn(), {.name = "EnforceConsumerDeletion", .type = FieldType::kBoolean}};
const FieldSpec kDescribeStream[] = {
    Limit("Limit", 10000), ShardIdField("ExclusiveStartShardId", false), StreamName(), StreamArn()};
const FieldSpec kStreamOnly[] = {StreamName(), StreamArn()};
const FieldSpec kListStreams[] = {
    Limit("Limit", 10000),
    {.name = "ExclusiveStartStreamName", .pattern = &kNamePattern, .min_len = 1, .max_len = 128},
    {.name = "NextToken", .min_len = 1, .max_len = 1048576}};
const FieldSpec kListShards[] = {
    ShardIdField("ExclusiveStartShardId", false),
    Limit("MaxResults", 10000),
    {.name = "NextToken", .min_len = 1, .max_len = 1048576},
    {.name = "StreamCreationTimestamp", .type = FieldType::kTimestamp},
    StreamName(),
    StreamArn(),
    {.name = "ShardFilter", .type = FieldType::kStructure, .members = kShardFilter}};
const FieldSpec kPutRecord[] = {
    {.name = "SequenceNumberForOrdering", .pattern = &kSequencePattern},
    kRecordEntry[0], kRecordEntry[1], kRecordEntry[2], StreamName(), StreamArn()};
const FieldSpec kPutRecords[] = {
    {.name = "Records", .type = FieldType::kList, .not_null = true, .min_len = 1, .max_len = 500,
     .members = kRecordEntry, .member_type_name = "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry"},
    StreamName(), StreamArn()};
const FieldSpec kGetShardIterator[] = {
    ShardIdField("ShardId", true),
    {.name = "ShardIteratorType", .not_null = true, .enum_values = kIteratorTypes},
    {.name = "StartingSequenceNumber", .pattern = &kSequencePattern},
    StreamName(), StreamArn(),
    {.name = "Timestamp", .type = FieldType::kTimestamp}};
const FieldSpec kGetRecords[] = {
    Limit("Limit", 10000),
    {.name = "ShardIterator", .not_null = true, .min_len = 1, .max_len = 512},
    StreamArn()};
const FieldSpec kRetention[] = {
    {.name = "RetentionPeriodHours", .type = FieldType::kInteger, .not_null = true},
    StreamName(), StreamArn()};
const FieldSpec kAddTags[] = {
    [] { FieldSpec f = TagsField(); f.not_null = true; return f; }(), StreamName(), StreamArn()};
const FieldSpec kRemoveTags[] = {
    {.name = "TagKeys", .type = FieldType::kList, .not_null = true, .min_len = 1, .max_len = 50,
     .child_min_len = 1, .child_max_len = 128},
    StreamName(), StreamArn()};
const FieldSpec kListTags[] = {
    Limit("Limit", 50),
    {.name = "ExclusiveStartTagKey", .min_len = 1, .max_len = 128},
    StreamName(), StreamArn()};

const FieldSpec kEnhancedMonitoring[] = {
    {.name = "ShardLevelMetrics", .type = FieldType::kList, .not_null = true, .min_len = 1, .max_len = 7},
    StreamName(), StreamArn()};

constexpr std::array<std::string_view, 1> kScalingTypes = {"UNIFORM_SCALING"};
const FieldSpec kSplitShard[] = {
    {.name = "NewStartingHashKey", .not_null = true, .pattern = &kHashKeyPattern},
    ShardIdField("ShardToSplit", true), StreamName(), StreamArn()};
const FieldSpec kMergeShards[] = {
    ShardIdField("AdjacentShardToMerge", true), ShardIdField("ShardToMerge", true), StreamName(), StreamArn()};
const FieldSpec kUpdateShardCount[] = {
    {.name = "ScalingType", .not_null = true, .enum_values = kScalingTypes},
    StreamName(),
    {.name = "TargetShardCount", .type = FieldType::kInteger, .not_null = true, .min_value = 1},
    StreamArn()};

using A = Actions;
const A::Action kActions[] = {
    {"AddTagsToStream", kAddTags, &A::AddTagsToStream, true},
    {"CreateStream", kCreateStream, &A::CreateStream, true},
    {"DecreaseStreamRetentionPeriod", kRetention, &A::DecreaseStreamRetentionPeriod, true},
    {"DeleteStream", kDeleteStream, &A::DeleteStream, true},
    {"DescribeLimits", {}, &A::DescribeLimits},
    {"DescribeStream", kDescribeStream, &A::DescribeStream},
    {"DescribeStreamSummary", kStreamOnly, &A::DescribeStreamSummary},
    {"DisableEnhancedMonitoring", kEnhancedMonitoring, &A::DisableEnhancedMonitoring, true},
    {"EnableEnhancedMonitoring", kEnhancedMonitoring, &A::EnableEnhancedMonitoring, true},
    {"GetRecords", kGetRecords, &A::GetRecords},
    {"GetShardIterator", kGetShardIterator, &A::GetShardIterator},
    {"IncreaseStreamRetentionPeriod", kRetention, &A::IncreaseStreamRetentionPeriod, true},
    {"ListShards", kListShards, &A::ListShards},
    {"ListStreams", kListStreams, &A::ListStreams},
    {"ListTagsForStream", kListTags, &A::ListTagsForStream},
    {"PutRecord", kPutRecord, &A::PutRecord},
    {"PutRecords", kPutRecords, &A::PutRecords},
    {"MergeShards", kMergeShards, &A::MergeShards, true},
    {"RemoveTagsFromStream", kRemoveTags, &A::RemoveTagsFromStream, true},
    {"SplitShard", kSplitShard, &A::SplitShard, true},
    {"UpdateShardCount", kUpdateShardCount, &A::UpdateShardCount, true},
};

// ------------------------------------------------------------------ helpers

ActionResult FromError(const stream::Error& e) {
  const int status = e.code == ErrorType::kInternalFailure ? 500 : 400;
  return ActionResult::Error(aws::KinesisErrorName(e.code), e.message, status);
}

ActionResult Invalid(std::string message) {
  return ActionResult::Error("InvalidArgumentException", std::move(message));
}

ActionResult Validation(const Value& v, std::string_view path, std::string_view constraint) {
  return ActionResult::Error("ValidationException",
                             FormatValidationErrors({ValidationError(v, path, constraint)}));
}

std::string_view Str(const Value& req, std::string_view key) {
  const Value* v = req.Get(key);
  return v ? v->s() : std::string_view{};
}

std::optional<int64_t> Int(const Value& req, std::string_view key) {
  const Value* v = req.Get(key);
  if (!v) return std::nullopt;
  return v->i;
}

// Opaque, expiring pagination tokens: "<kind>|<stream>|<position>|<issued ms>" with a
// checksum, base64-encoded.
std::string MakeToken(std::string_view kind, std::string_view stream, std::string_view position) {
  std::string raw = fmt::format("{}|{}|{}|{}", kind, stream, position, Clock::Real().NowMillis());
  const uint32_t crc = crc32c::Value(raw);
  raw += fmt::format("|{:08x}", crc);
  return Base64Encode(raw);
}

struct Token {
  std::string stream;
  std::string position;
};

// Returns the token's stream and position, or an error result.
std::variant<Token, ActionResult> ReadToken(std::string_view kind, std::string_view text,
                                             int64_t lifetime_ms) {
  auto raw = Base64Decode(text);
  const auto invalid = [&] {
    return ActionResult::Error("InvalidArgumentException", fmt::format("Invalid NextToken: {}", text));
  };
  if (!raw) return invalid();
  const auto last = raw->rfind('|');
  if (last == std::string::npos || fmt::format("{:08x}", crc32c::Value(std::string_view(*raw).substr(0, last))) !=
                                       raw->substr(last + 1)) {
    return invalid();
  }
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= last; ++i) {
    if (i == last || (*raw)[i] == '|') {
      parts.push_back(raw->substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.size() != 4 || parts[0] != kind) return invalid();
  const int64_t issued = std::strtoll(parts[3].c_str(), nullptr, 10);
  if (Clock::Real().NowMillis() - issued > lifetime_ms) {
    return ActionResult::Error("ExpiredNextTokenException", fmt::format("The timestamp of the NextToken has expired: {}", text));
  }
  return Token{parts[1], parts[2]};
}

void WriteShard(BodyWriter& w, const stream::ShardInfo& s) {
  w.BeginMap().Key("ShardId").String(s.shard_id);
  if (s.parent_shard_id) w.Key("ParentShardId").String(*s.parent_shard_id);
  if (s.adjacent_parent_shard_id) w.Key("AdjacentParentShardId").String(*s.adjacent_parent_shard_id);
  w.Key("HashKeyRange").BeginMap()
      .Key("StartingHashKey").String(s.starting_hash_key)
      .Key("EndingHashKey").String(s.ending_hash_key).End();
  w.Key("SequenceNumberRange").BeginMap().Key("StartingSequenceNumber").String(s.starting_sequence_number);
  if (s.ending_sequence_number) w.Key("EndingSequenceNumber").String(*s.ending_sequence_number);
  w.End().End();
}

void WriteCommonDescription(BodyWriter& w, const stream::StreamInfo& info) {
  w.Key("StreamName").String(info.name)
      .Key("StreamARN").String(info.arn)
      .Key("StreamStatus").String(info.status)
      .Key("StreamModeDetails").BeginMap().Key("StreamMode").String(info.mode).End()
      .Key("RetentionPeriodHours").Int(info.retention_hours)
      .Key("StreamCreationTimestamp").TimestampMs(info.created_ms / 1000 * 1000)
      .Key("EnhancedMonitoring").BeginArray().BeginMap().Key("ShardLevelMetrics").BeginArray();
  for (const std::string& m : info.shard_level_metrics) w.String(m);
  w.End().End().End()
      .Key("EncryptionType").String("NONE");
}

}  // namespace

const Actions::Action* Actions::Find(std::string_view name) {
  for (const Action& a : kActions) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

bool Actions::ResolveName(const Value& req, std::string& name,
                                          const ActionDone& done) const {
  const std::string_view by_name = Str(req, "StreamName");
  const std::string_view arn = Str(req, "StreamARN");
  if (!arn.empty()) {
    const std::string from_arn = streams_.NameFromArn(arn);
    if (from_arn.empty()) {
      done(ActionResult::Error("ResourceNotFoundException",
                               fmt::format("Stream {} not found.", arn)));
      return false;
    }
    if (!by_name.empty() && by_name != from_arn) {
      done(Invalid(fmt::format("StreamARN {} and StreamName {} do not refer to the same stream.", arn, by_name)));
      return false;
    }
    name = from_arn;
    return true;
  }
  if (by_name.empty()) {
    done(Validation(Value{}, "streamName", "Member must not be null"));
    return false;
  }
  name = std::string(by_name);
  return true;
}

void Actions::CreateStream(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  std::string mode = "PROVISIONED";
  if (const Value* md = req.Get("StreamModeDetails")) mode = std::string(Str(*md, "StreamMode"));
  auto count = Int(req, "ShardCount");
  // Both are optional in the model (on-demand streams, StreamARN), so they are checked
  // here, together, in AWS's order.
  std::vector<std::string> missing;
  if (!count && mode == "PROVISIONED") missing.push_back(ValidationError(Value{}, "shardCount", "Member must not be null"));
  if (!req.Get("StreamName")) missing.push_back(ValidationError(Value{}, "streamName", "Member must not be null"));
  if (!missing.empty()) return done(ActionResult::Error("ValidationException", FormatValidationErrors(missing)));
  if (!count) count = kOnDemandShards;
  std::vector<std::pair<std::string, std::string>> tags;
  if (const Value* t = req.Get("Tags")) {
    for (const auto [k, v] : t->members()) tags.emplace_back(std::string(k), std::string(v.s()));
  }
  const int64_t max_kib = Int(req, "MaxRecordSizeInKiB").value_or(kDefaultRecordKib);
  auto r = streams_.CreateStream(std::string(Str(req, "StreamName")), static_cast<int>(*count), mode, tags, max_kib);
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok(""));
}

void Actions::DeleteStream(ActionCall& c, ActionDone done) {
  std::string name;
  if (!ResolveName(*c.req, name, done)) return;
  auto r = streams_.DeleteStream(name);
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok(""));
}

void Actions::DescribeStream(ActionCall& c, ActionDone done) {
  std::string name;
  if (!ResolveName(*c.req, name, done)) return;
  auto info = streams_.DescribeStream(name);
  if (!info.ok()) return done(FromError(info.error()));
  const int64_t limit = std::min<int64_t>(Int(*c.req, "Limit").value_or(100), 100);
  const std::string_view after = Str(*c.req, "ExclusiveStartShardId");
  BodyWriter w(c.enc);
  w.BeginMap().Key("StreamDescription").BeginMap();
  WriteCommonDescription(w, *info);
  w.Key("Shards").BeginArray();
  int64_t written = 0;
  bool more = false;
  if (info->status != "CREATING") {
    for (const auto& s : info->shards) {
      if (!after.empty() && s.shard_id <= after) continue;
      if (written == limit) {
        more = true;
        break;
      }
      WriteShard(w, s);
      ++written;
    }
  }
  w.End().Key("HasMoreShards").Bool(more).End().End();
  done(ActionResult::Ok(w.Take()));
}

namespace {

// The values EnableEnhancedMonitoring and DisableEnhancedMonitoring take, as AWS lists them.
constexpr std::string_view kShardLevelMetricValues =
    "[IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, "
    "WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, "
    "IteratorAgeMilliseconds, ALL]";
constexpr std::string_view kShardLevelMetricNames[] = {
    "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
    "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds", "ALL"};

}  // namespace

void Actions::EnableEnhancedMonitoring(ActionCall& c, ActionDone done) { ChangeMonitoring(c, std::move(done), true); }
void Actions::DisableEnhancedMonitoring(ActionCall& c, ActionDone done) { ChangeMonitoring(c, std::move(done), false); }

void Actions::ChangeMonitoring(ActionCall& c, ActionDone done, bool enable) {
  const Value& list = *c.req->Get("ShardLevelMetrics");
  std::vector<std::string> names;
  for (const Value& v : list.items()) {
    const std::string_view n = v.s();
    if (std::find(std::begin(kShardLevelMetricNames), std::end(kShardLevelMetricNames), n) ==
        std::end(kShardLevelMetricNames)) {
      return done(Validation(list, "shardLevelMetrics",
                             fmt::format("Member must satisfy constraint: [Member must satisfy enum value set: {}]",
                                         kShardLevelMetricValues)));
    }
    names.emplace_back(n);
  }
  std::string name;
  if (!ResolveName(*c.req, name, done)) return;
  auto r = streams_.SetShardLevelMetrics(name, names, enable);
  if (!r.ok()) return done(FromError(r.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("StreamName").String(name).Key("CurrentShardLevelMetrics").BeginArray();
  for (const std::string& m : r->current) w.String(m);
  w.End().Key("DesiredShardLevelMetrics").BeginArray();
  for (const std::string& m : r->desired) w.String(m);
  w.End().Key("StreamARN").String(streams_.ArnFor(name)).End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::DescribeStreamSummary(ActionCall& c, ActionDone done) {
  std::string name;
  if (!ResolveName(*c.req, name, done)) return;
  auto info = streams_.DescribeStream(name);
  if (!info.ok()) return done(FromError(info.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("StreamDescriptionSummary").BeginMap();
  WriteCommonDescription(w, *info);
  w.Key("OpenShardCount").Int(info->open_shard_count)
      .Key("ConsumerCount").Int(0)
      .Key("MaxRecordSizeInKiB").Int(info->max_record_kib)
      .End().End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::ListStreams(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  std::string after(Str(req, "ExclusiveStartStreamName"));
  if (const std::string_view tok = Str(req, "NextToken"); !tok.empty()) {
    auto t = ReadToken("streams", tok, streams_.iterator_lifetime_ms());
    if (auto* err = std::get_if<ActionResult>(&t)) return done(std::move(*err));
    after = std::get<Token>(t).position;
  }
  const int64_t limit = std::min<int64_t>(Int(req, "Limit").value_or(100), 100);
  const auto names = streams_.ListStreamNames();
  std::vector<stream::StreamInfo> page;
  bool more = false;
  for (const auto& n : names) {
    if (!after.empty() && n <= after) continue;
    if (static_cast<int64_t>(page.size()) == limit) {
      more = true;
      break;
    }
    auto info = streams_.DescribeStream(n);
    if (info.ok()) page.push_back(std::move(*info));
  }
  BodyWriter w(c.enc);
  w.BeginMap().Key("StreamNames").BeginArray();
  for (const auto& s : page) w.String(s.name);
  w.End().Key("HasMoreStreams").Bool(more);
  if (more && !page.empty()) w.Key("NextToken").String(MakeToken("streams", "", page.back().name));
  w.Key("StreamSummaries").BeginArray();
  for (const auto& s : page) {
    w.BeginMap().Key("StreamName").String(s.name).Key("StreamARN").String(s.arn)
        .Key("StreamStatus").String(s.status)
        .Key("StreamModeDetails").BeginMap().Key("StreamMode").String(s.mode).End()
        .Key("StreamCreationTimestamp").TimestampMs(s.created_ms / 1000 * 1000).End();
  }
  w.End().End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::ListShards(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  const std::string_view token = Str(req, "NextToken");
  const bool has_name = !Str(req, "StreamName").empty() || !Str(req, "StreamARN").empty();
  if (token.empty() && !has_name) return done(Invalid("Either NextToken or StreamName should be provided."));
  if (!token.empty() && has_name) return done(Invalid("NextToken and StreamName cannot be provided together."));
  if (!token.empty() && !Str(req, "ExclusiveStartShardId").empty()) {
    return done(Invalid("NextToken and ExclusiveStartShardId cannot be provided together."));
  }
  std::string name;
  std::string after(Str(req, "ExclusiveStartShardId"));
  if (!token.empty()) {
    auto t = ReadToken("shards", token, streams_.iterator_lifetime_ms());
    if (auto* err = std::get_if<ActionResult>(&t)) return done(std::move(*err));
    name = std::get<Token>(t).stream;
    after = std::get<Token>(t).position;
  } else if (!ResolveName(req, name, done)) {
    return;
  }
  auto info = streams_.DescribeStream(name);
  if (!info.ok()) return done(FromError(info.error()));
  // ShardFilter: which shards, by when they were open (AWS's ListShards semantics).
  std::function<bool(const stream::ShardInfo&)> keep = [](const stream::ShardInfo&) { return true; };
  if (const Value* filter = req.Get("ShardFilter")) {
    const std::string type(Str(*filter, "Type"));
    const Value* ts = filter->Get("Timestamp");
    if (type == "AFTER_SHARD_ID") {
      if (Str(*filter, "ShardId").empty()) {
        return done(Invalid("Must specify ShardId when ShardFilter type is AFTER_SHARD_ID."));
      }
      after = std::max(after, std::string(Str(*filter, "ShardId")));
    } else if ((type == "AT_TIMESTAMP" || type == "FROM_TIMESTAMP") && !ts) {
      return done(Invalid(fmt::format("Must specify Timestamp when ShardFilter type is {}.", type)));
    }
    const int64_t horizon = std::max(info->created_ms, Clock::Real().NowMillis() - info->retention_hours * 3'600'000);
    const int64_t at = ts ? std::max(ts->i, info->created_ms) : horizon;
    // Open at time t: created by then and not closed before it.
    auto open_at = [](const stream::ShardInfo& s, int64_t t) {
      return s.created_ms <= t && (!s.closed_ms || *s.closed_ms > t);
    };
    if (type == "AT_LATEST") {
      keep = [](const stream::ShardInfo& s) { return !s.ending_sequence_number.has_value(); };
    } else if (type == "AT_TRIM_HORIZON" || type == "AT_TIMESTAMP") {
      keep = [open_at, at](const stream::ShardInfo& s) { return open_at(s, at); };
    } else if (type == "FROM_TIMESTAMP") {
      keep = [at](const stream::ShardInfo& s) { return !s.closed_ms || *s.closed_ms >= at; };
    }  // FROM_TRIM_HORIZON and AFTER_SHARD_ID: every shard still stored
  }
  const int64_t limit = std::min<int64_t>(Int(req, "MaxResults").value_or(1000), 1000);
  BodyWriter w(c.enc);
  w.BeginMap().Key("Shards").BeginArray();
  int64_t written = 0;
  std::string last;
  bool more = false;
  for (const auto& s : info->shards) {
    if ((!after.empty() && s.shard_id <= after) || !keep(s)) continue;
    if (written == limit) {
      more = true;
      break;
    }
    WriteShard(w, s);
    last = s.shard_id;
    ++written;
  }
  w.End();
  if (more) w.Key("NextToken").String(MakeToken("shards", name, last));
  w.End();
  done(ActionResult::Ok(w.Take()));
}

namespace {

// ExplicitHashKey must be below 2^128; the pattern already admits up to 39 digits.
std::optional<ActionResult> ParseHashKey(const Value& entry, std::optional<stream::uint128>& out) {
  const std::string_view ehk = Str(entry, "ExplicitHashKey");
  if (ehk.empty()) return std::nullopt;
  const auto v = stream::ParseDecimal(ehk);
  if (!v) {
    return Invalid(fmt::format("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, "
                               "2^128-1]. Specified value was {}",
                               ehk));
  }
  out = *v;
  return std::nullopt;
}

}  // namespace

void Actions::PutRecord(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  std::string name;
  if (!ResolveName(req, name, done)) return;
  stream::PutInput in;
  in.partition_key = Str(req, "PartitionKey");
  in.data = req.Get("Data")->s();
  if (auto err = ParseHashKey(req, in.explicit_hash_key)) return done(std::move(*err));
  const std::string_view ordering = Str(req, "SequenceNumberForOrdering");
  if (!ordering.empty() && !stream::ParseSequenceNumber(ordering)) {
    return done(Invalid(fmt::format("ExclusiveMinimumSequenceNumber {} used in PutRecord on stream {} "
                                    "under account {} is invalid.",
                                    ordering, name, "000000000000")));
  }
  auto info = streams_.DescribeStream(name);
  if (!info.ok()) return done(FromError(info.error()));
  if (static_cast<int64_t>(in.data.size()) > info->max_record_kib * 1024) {
    return done(Validation(*req.Get("Data"), "data",
                           fmt::format("Member must have length less than or equal to {}", info->max_record_kib * 1024)));
  }
  const BodyEncoding enc = c.enc;
  streams_.PutRecords(name, std::span<const stream::PutInput>(&in, 1),
                      [done, enc](stream::KResult<std::vector<stream::PutOutcome>> r) {
                        if (!r.ok()) return done(FromError(r.error()));
                        const stream::PutOutcome& o = (*r)[0];
                        if (!o.error_code.empty()) {
                          return done(ActionResult::Error(o.error_code, o.error_message,
                                                          o.error_code == "InternalFailure" ? 500 : 400));
                        }
                        BodyWriter w(enc);
                        w.BeginMap().Key("ShardId").String(o.shard_id)
                            .Key("SequenceNumber").String(o.sequence_number)
                            .Key("EncryptionType").String("NONE").End();
                        done(ActionResult::Ok(w.Take()));
                      },
                      stream::StreamManager::PutApi::kPutRecord);
}

void Actions::PutRecords(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  std::string name;
  if (!ResolveName(req, name, done)) return;
  const Value& records = *req.Get("Records");
  auto info = streams_.DescribeStream(name);
  if (!info.ok()) return done(FromError(info.error()));
  std::vector<stream::PutInput> inputs;
  inputs.reserve(records.size());
  int64_t total = 0;
  const int64_t max_record = info->max_record_kib * 1024;
  size_t i = 0;
  for (const Value& e : records.items()) {
    ++i;
    stream::PutInput in;
    in.partition_key = Str(e, "PartitionKey");
    in.data = e.Get("Data")->s();
    if (auto err = ParseHashKey(e, in.explicit_hash_key)) return done(std::move(*err));
    if (static_cast<int64_t>(in.data.size()) > max_record) {
      return done(Validation(*e.Get("Data"), fmt::format("records.{}.member.data", i),
                             fmt::format("Member must have length less than or equal to {}", max_record)));
    }
    total += static_cast<int64_t>(in.data.size() + in.partition_key.size());
    inputs.push_back(in);
  }
  if (total > kMaxRecordsBytes) {
    return done(Invalid(fmt::format("Records size exceeds 5 MB limit: the request holds {} bytes of "
                                    "data and partition keys",
                                    total)));
  }
  const BodyEncoding enc = c.enc;
  streams_.PutRecords(name, inputs, [done, enc](stream::KResult<std::vector<stream::PutOutcome>> r) {
    if (!r.ok()) return done(FromError(r.error()));
    int64_t failed = 0;
    for (const auto& o : *r) failed += o.error_code.empty() ? 0 : 1;
    BodyWriter w(enc);
    w.Reserve(r->size() * 110 + 64);
    w.BeginMap().Key("FailedRecordCount").Int(failed).Key("Records").BeginArray();
    for (const auto& o : *r) {
      w.BeginMap();
      if (o.error_code.empty()) {
        w.Key("SequenceNumber").PlainString(o.sequence_number).Key("ShardId").PlainString(o.shard_id);
      } else {
        w.Key("ErrorCode").String(o.error_code).Key("ErrorMessage").String(o.error_message);
      }
      w.End();
    }
    w.End().Key("EncryptionType").String("NONE").End();
    done(ActionResult::Ok(w.Take()));
  }, stream::StreamManager::PutApi::kPutRecords);
}

void Actions::GetShardIterator(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  std::string name;
  if (!ResolveName(req, name, done)) return;
  stream::IteratorRequest ir;
  ir.stream_name = name;
  const std::string_view shard = Str(req, "ShardId");
  // AWS reads the digits after the last '-' (or the whole id): "shardId-5" and "5" agree.
  const auto dash = shard.rfind('-');
  const std::string_view digits = dash == std::string_view::npos ? shard : shard.substr(dash + 1);
  uint64_t index = 0;
  bool numeric = !digits.empty();
  for (const char ch : digits) {
    numeric = numeric && ch >= '0' && ch <= '9' && index <= stream::kMaxShardIndex;
    if (numeric) index = index * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (!numeric || index > stream::kMaxShardIndex) {
    return done(ActionResult::Error("ResourceNotFoundException",
                                    fmt::format("Could not find shard {} in stream {} under account {}.",
                                                shard, name, "000000000000")));
  }
  ir.shard_id = stream::ShardIdFor(static_cast<uint32_t>(index));
  const std::string_view type = Str(req, "ShardIteratorType");
  const std::string_view seq = Str(req, "StartingSequenceNumber");
  const bool by_seq = type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER";
  if (!by_seq && !seq.empty() && type != "AT_TIMESTAMP") {
    return done(Invalid(fmt::format("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER "
                                    "and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                                    "StartingSequenceNumber. Request specified {} and also a "
                                    "StartingSequenceNumber.",
                                    type)));
  }
  if (by_seq && seq.empty()) {
    return done(Invalid(fmt::format("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER "
                                    "and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                                    "StartingSequenceNumber. Request specified {} and no "
                                    "StartingSequenceNumber.",
                                    type)));
  }
  if (type == "TRIM_HORIZON") ir.type = stream::IteratorType::kTrimHorizon;
  if (type == "LATEST") ir.type = stream::IteratorType::kLatest;
  if (type == "AT_SEQUENCE_NUMBER") ir.type = stream::IteratorType::kAtSequenceNumber;
  if (type == "AFTER_SEQUENCE_NUMBER") ir.type = stream::IteratorType::kAfterSequenceNumber;
  if (type == "AT_TIMESTAMP") {
    const Value* ts = req.Get("Timestamp");
    if (!ts) {
      return done(Invalid("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                          "Current request has no timestamp parameter."));
    }
    const int64_t now = Clock::Real().NowMillis();
    if (ts->i > now) {
      return done(Invalid(fmt::format("The timestampInMillis parameter cannot be greater than the "
                                      "currentTimestampInMillis. timestampInMillis: {}, "
                                      "currentTimestampInMillis: {}",
                                      ts->i, now)));
    }
    ir.type = stream::IteratorType::kAtTimestamp;
    ir.timestamp_ms = ts->i;
  }
  ir.sequence_number = std::string(seq);
  auto it = streams_.GetShardIterator(ir);
  if (!it.ok()) return done(FromError(it.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("ShardIterator").String(*it).End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::GetRecords(ActionCall& c, ActionDone done) {
  const int limit = static_cast<int>(Int(*c.req, "Limit").value_or(10000));
  auto r = streams_.GetRecords(Str(*c.req, "ShardIterator"), limit, kGetRecordsMaxBytes);
  if (!r.ok()) return done(FromError(r.error()));
  BodyWriter w(c.enc);
  size_t bytes = 0;
  for (const auto& rec : r->records) bytes += rec.data.size() * 4 / 3 + rec.partition_key.size() + 160;
  w.Reserve(bytes + 512);
  w.BeginMap().Key("Records").BeginArray();
  for (const auto& rec : r->records) {
    w.BeginMap().Key("SequenceNumber").PlainString(rec.sequence_number)
        .Key("ApproximateArrivalTimestamp").TimestampMs(rec.arrival_ms)
        .Key("Data").Bytes(rec.data)
        .Key("PartitionKey").String(rec.partition_key)
        .End();
  }
  w.End();
  if (r->next_iterator) w.Key("NextShardIterator").String(*r->next_iterator);
  if (!r->next_iterator) {
    w.Key("ChildShards").BeginArray();
    for (const auto& child : r->child_shards) {
      w.BeginMap().Key("ShardId").String(child.shard_id).Key("ParentShards").BeginArray();
      for (const auto& p : child.parent_shards) w.String(p);
      w.End().Key("HashKeyRange").BeginMap()
          .Key("StartingHashKey").String(child.starting_hash_key)
          .Key("EndingHashKey").String(child.ending_hash_key).End().End();
    }
    w.End();
  }
  w.Key("MillisBehindLatest").Int(r->millis_behind_latest).End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::ChangeRetention(ActionCall& c, ActionDone done, bool increase) {
  std::string name;
  if (!ResolveName(*c.req, name, done)) return;
  const int64_t hours = *Int(*c.req, "RetentionPeriodHours");
  // Existence first, then the bounds, as AWS orders them.
  auto info = streams_.DescribeStream(name);
  if (!info.ok()) return done(FromError(info.error()));
  if (hours < 24) {
    return done(Invalid(fmt::format("Minimum allowed retention period is 24 hours. Requested retention "
                                    "period ({} hours) is too short.",
                                    hours)));
  }
  if (hours > 8760) {
    return done(Invalid(fmt::format("Maximum allowed retention period is 8760 hours. Requested retention "
                                    "period ({} hours) is too long.",
                                    hours)));
  }
  auto r = streams_.ChangeRetention(name, hours, increase);
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok(""));
}

void Actions::IncreaseStreamRetentionPeriod(ActionCall& c, ActionDone done) {
  ChangeRetention(c, std::move(done), true);
}

void Actions::DecreaseStreamRetentionPeriod(ActionCall& c, ActionDone done) {
  ChangeRetention(c, std::move(done), false);
}

namespace {

// AWS's tag character rule: Unicode letters, digits, white space and _ . / = + - % @.
bool TagCharsValid(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) continue;  // non-ASCII letters
    if (std::isalnum(c) || c == ' ' || std::strchr("_./=+-%@", c) != nullptr) continue;
    return false;
  }
  return true;
}

constexpr std::string_view kBadTagChars =
    "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white "
    "space, _ . / = + - % @.";

}  // namespace

void Actions::AddTagsToStream(ActionCall& c, ActionDone done) {
  std::string name;
  if (!ResolveName(*c.req, name, done)) return;
  if (auto info = streams_.DescribeStream(name); !info.ok()) return done(FromError(info.error()));
  std::vector<std::pair<std::string, std::string>> tags;
  for (const auto [k, v] : c.req->Get("Tags")->members()) {
    if (!TagCharsValid(k) || !TagCharsValid(v.s())) return done(Invalid(std::string(kBadTagChars)));
    tags.emplace_back(std::string(k), std::string(v.s()));
  }
  auto r = streams_.AddTags(name, tags);
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok(""));
}

void Actions::RemoveTagsFromStream(ActionCall& c, ActionDone done) {
  std::string name;
  if (!ResolveName(*c.req, name, done)) return;
  if (auto info = streams_.DescribeStream(name); !info.ok()) return done(FromError(info.error()));
  std::vector<std::string> keys;
  for (const Value& k : c.req->Get("TagKeys")->items()) {
    if (!TagCharsValid(k.s())) return done(Invalid(std::string(kBadTagChars)));
    keys.emplace_back(k.s());
  }
  auto r = streams_.RemoveTags(name, keys);
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok(""));
}

void Actions::ListTagsForStream(ActionCall& c, ActionDone done) {
  std::string name;
  if (!ResolveName(*c.req, name, done)) return;
  auto info = streams_.DescribeStream(name);
  if (!info.ok()) return done(FromError(info.error()));
  const int64_t limit = Int(*c.req, "Limit").value_or(50);
  const std::string_view after = Str(*c.req, "ExclusiveStartTagKey");
  done(ActionResult::Ok(awsproto::TagPage(c.enc, info->tags, after, limit)));
}

void Actions::DescribeLimits(ActionCall& c, ActionDone done) {
  int64_t on_demand = 0;
  for (const auto& n : streams_.ListStreamNames()) {
    auto info = streams_.DescribeStream(n);
    if (info.ok() && info->mode == "ON_DEMAND") ++on_demand;
  }
  BodyWriter w(c.enc);
  w.BeginMap().Key("ShardLimit").Int(streams_.shard_limit())
      .Key("OpenShardCount").Int(streams_.OpenShardCount())
      .Key("OnDemandStreamCount").Int(on_demand)
      .Key("OnDemandStreamCountLimit").Int(50).End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::SplitShard(ActionCall& c, ActionDone done) {
  std::string name;
  if (!ResolveName(*c.req, name, done)) return;
  const auto key = stream::ParseDecimal(Str(*c.req, "NewStartingHashKey"));
  if (!key) {
    return done(Invalid(fmt::format("NewStartingHashKey {} is not a valid hash key: it must be in the "
                                    "range [0, 2^128-1].",
                                    Str(*c.req, "NewStartingHashKey"))));
  }
  auto r = streams_.SplitShard(name, std::string(Str(*c.req, "ShardToSplit")), *key);
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok(""));
}

void Actions::MergeShards(ActionCall& c, ActionDone done) {
  std::string name;
  if (!ResolveName(*c.req, name, done)) return;
  auto r = streams_.MergeShards(name, std::string(Str(*c.req, "ShardToMerge")),
                                std::string(Str(*c.req, "AdjacentShardToMerge")));
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok(""));
}

void Actions::UpdateShardCount(ActionCall& c, ActionDone done) {
  std::string name;
  if (!ResolveName(*c.req, name, done)) return;
  const int64_t target = *Int(*c.req, "TargetShardCount");
  auto r = streams_.UpdateShardCount(name, static_cast<int>(target));
  if (!r.ok()) return done(FromError(r.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("StreamName").String(name).Key("CurrentShardCount").Int(*r)
      .Key("TargetShardCount").Int(target).Key("StreamARN").String(streams_.ArnFor(name)).End();
  done(ActionResult::Ok(w.Take()));
}

}  // namespace sluice::frontends::kinesis
