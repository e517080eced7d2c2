// The Firehose actions: request specs (in AWS's check order) and their bodies.
#include "internal/actions.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>

#include <fmt/format.h>

#include "internal/patterns.h"

namespace sluice::frontends::firehose {
namespace {

constexpr int64_t kMaxBatchBytes = 4 * 1024 * 1024;  // PutRecordBatch, data before base64
constexpr int64_t kMaxRecordBytes = 1'024'000;       // 1,000 KiB before base64

// ------------------------------------------------------------------ field specs

constexpr std::array<std::string_view, 4> kStreamTypes = {"DirectPut", "KinesisStreamAsSource", "MSKAsSource",
                                                          "DatabaseAsSource"};
constexpr std::array<std::string_view, 5> kCompressions = {"UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"};
constexpr std::array<std::string_view, 2> kBackupModes = {"Disabled", "Enabled"};
constexpr std::array<std::string_view, 6> kProcessorTypes = {"RecordDeAggregation", "Decompression",
                                                             "CloudWatchLogProcessing", "Lambda",
                                                             "MetadataExtraction", "AppendDelimiterToRecord"};
constexpr std::array<std::string_view, 11> kParameterNames = {
    "LambdaArn", "NumberOfRetries", "MetadataExtractionQuery", "JsonParsingEngine", "RoleArn", "BufferSizeInMBs",
    "BufferIntervalInSeconds", "SubRecordType", "Delimiter", "CompressionFormat", "DataMessageExtraction"};
constexpr std::array<std::string_view, 2> kKeyTypes = {"AWS_OWNED_CMK", "CUSTOMER_MANAGED_CMK"};

constexpr FieldSpec StreamName() {
  return {.name = "DeliveryStreamName", .not_null = true, .pattern = &kNamePattern, .min_len = 1, .max_len = 64};
}
constexpr FieldSpec RoleArn(bool required) {
  return {.name = "RoleARN", .not_null = required, .pattern = &kRoleArnPattern, .min_len = 1, .max_len = 512};
}

const FieldSpec kBufferingHints[] = {
    {.name = "SizeInMBs", .type = FieldType::kInteger, .min_value = 1, .max_value = 128},
    {.name = "IntervalInSeconds", .type = FieldType::kInteger, .min_value = 0, .max_value = 900}};
const FieldSpec kLogging[] = {
    {.name = "Enabled", .type = FieldType::kBoolean},
    {.name = "LogGroupName", .pattern = &kLogGroupNamePattern, .min_len = 0, .max_len = 512},
    {.name = "LogStreamName", .pattern = &kLogStreamNamePattern, .min_len = 0, .max_len = 512}};
const FieldSpec kParameter[] = {
    {.name = "ParameterName", .not_null = true, .enum_values = kParameterNames},
    {.name = "ParameterValue", .not_null = true, .pattern = &kNonBlankPattern, .min_len = 1, .max_len = 5120}};
const FieldSpec kProcessor[] = {
    {.name = "Type", .not_null = true, .enum_values = kProcessorTypes},
    {.name = "Parameters", .type = FieldType::kList, .members = kParameter, .member_type_name = "com.amazonaws.firehose.v20150804.ProcessorParameter"}};
const FieldSpec kProcessing[] = {
    {.name = "Enabled", .type = FieldType::kBoolean},
    {.name = "Processors", .type = FieldType::kList, .members = kProcessor, .member_type_name = "com.amazonaws.firehose.v20150804.Processor"}};
const FieldSpec kRetryOptions[] = {
    {.name = "DurationInSeconds", .type = FieldType::kInteger, .min_value = 0, .max_value = 7200}};
const FieldSpec kDynamicPartitioning[] = {
    {.name = "RetryOptions", .type = FieldType::kStructure, .members = kRetryOptions},
    {.name = "Enabled", .type = FieldType::kBoolean}};
const FieldSpec kKmsConfig[] = {{.name = "AWSKMSKeyARN", .not_null = true, .min_len = 1, .max_len = 512}};
const FieldSpec kEncryption[] = {
    {.name = "NoEncryptionConfig", .enum_values = std::span<const std::string_view>()},
    {.name = "KMSEncryptionConfig", .type = FieldType::kStructure, .members = kKmsConfig}};

// S3DestinationConfiguration's members, then the Extended ones; `required` false for
// the *Update shapes.
#define SLUICE_S3_MEMBERS(required)                                                                          \
  RoleArn(required),                                                                                         \
      {.name = "BucketARN", .not_null = required, .pattern = &kBucketArnPattern, .min_len = 1, .max_len = 2048}, \
      {.name = "Prefix", .pattern = &kPrefixPattern, .min_len = 0, .max_len = 1024},                         \
      {.name = "ErrorOutputPrefix", .pattern = &kPrefixPattern, .min_len = 0, .max_len = 1024},              \
      {.name = "BufferingHints", .type = FieldType::kStructure, .members = kBufferingHints},                 \
      {.name = "CompressionFormat", .enum_values = kCompressions},                                           \
      {.name = "EncryptionConfiguration", .type = FieldType::kStructure, .members = kEncryption},            \
      {.name = "CloudWatchLoggingOptions", .type = FieldType::kStructure, .members = kLogging}

const FieldSpec kS3Config[] = {SLUICE_S3_MEMBERS(true)};
const FieldSpec kS3Update[] = {SLUICE_S3_MEMBERS(false)};
const FieldSpec kExtendedConfig[] = {
    SLUICE_S3_MEMBERS(true),
    {.name = "ProcessingConfiguration", .type = FieldType::kStructure, .members = kProcessing},
    {.name = "S3BackupMode", .enum_values = kBackupModes},
    {.name = "S3BackupConfiguration", .type = FieldType::kStructure, .members = kS3Config},
    {.name = "DataFormatConversionConfiguration", .type = FieldType::kStructure},
    {.name = "DynamicPartitioningConfiguration", .type = FieldType::kStructure, .members = kDynamicPartitioning},
    {.name = "FileExtension", .min_len = 0, .max_len = 128},
    {.name = "CustomTimeZone", .min_len = 0, .max_len = 50}};
const FieldSpec kExtendedUpdate[] = {
    SLUICE_S3_MEMBERS(false),
    {.name = "ProcessingConfiguration", .type = FieldType::kStructure, .members = kProcessing},
    {.name = "S3BackupMode", .enum_values = kBackupModes},
    {.name = "S3BackupUpdate", .type = FieldType::kStructure, .members = kS3Update},
    {.name = "DataFormatConversionConfiguration", .type = FieldType::kStructure},
    {.name = "DynamicPartitioningConfiguration", .type = FieldType::kStructure, .members = kDynamicPartitioning},
    {.name = "FileExtension", .min_len = 0, .max_len = 128},
    {.name = "CustomTimeZone", .min_len = 0, .max_len = 50}};
#undef SLUICE_S3_MEMBERS

const FieldSpec kKinesisSource[] = {
    {.name = "KinesisStreamARN", .not_null = true, .pattern = &kStreamArnPattern, .min_len = 1, .max_len = 512},
    RoleArn(true)};
const FieldSpec kEncryptionInput[] = {
    {.name = "KeyARN", .min_len = 1, .max_len = 512},
    {.name = "KeyType", .not_null = true, .enum_values = kKeyTypes}};
const FieldSpec kTag[] = {
    {.name = "Key", .not_null = true, .pattern = &kTagKeyPattern, .min_len = 1, .max_len = 128},
    {.name = "Value", .pattern = &kTagValuePattern, .min_len = 0, .max_len = 256}};
constexpr FieldSpec TagList(bool required) {
  return {.name = "Tags", .type = FieldType::kList, .not_null = required, .min_len = 1, .max_len = 50,
          .members = kTag, .member_type_name = "com.amazonaws.firehose.v20150804.Tag"};
}
const FieldSpec kRecord[] = {
    {.name = "Data", .type = FieldType::kBlob, .not_null = true, .min_len = 0, .max_len = kMaxRecordBytes}};

// Destinations sluice does not deliver to: accepted by shape, refused by the action.
constexpr std::array<std::string_view, 10> kOtherDestinations = {
    "RedshiftDestinationConfiguration", "ElasticsearchDestinationConfiguration",
    "AmazonopensearchserviceDestinationConfiguration", "SplunkDestinationConfiguration",
    "HttpEndpointDestinationConfiguration", "AmazonOpenSearchServerlessDestinationConfiguration",
    "SnowflakeDestinationConfiguration", "IcebergDestinationConfiguration", "MSKSourceConfiguration",
    "DatabaseSourceConfiguration"};

const FieldSpec kCreate[] = {
    StreamName(),
    {.name = "DeliveryStreamType", .enum_values = kStreamTypes},
    {.name = "KinesisStreamSourceConfiguration", .type = FieldType::kStructure, .members = kKinesisSource},
    {.name = "DeliveryStreamEncryptionConfigurationInput", .type = FieldType::kStructure, .members = kEncryptionInput},
    {.name = "S3DestinationConfiguration", .type = FieldType::kStructure, .members = kS3Config},
    {.name = "ExtendedS3DestinationConfiguration", .type = FieldType::kStructure, .members = kExtendedConfig},
    TagList(false)};
const FieldSpec kDescribe[] = {
    StreamName(),
    {.name = "Limit", .type = FieldType::kInteger, .min_value = 1, .max_value = 10000},
    {.name = "ExclusiveStartDestinationId", .pattern = &kDestinationIdPattern, .min_len = 1, .max_len = 100}};
const FieldSpec kList[] = {
    {.name = "Limit", .type = FieldType::kInteger, .min_value = 1, .max_value = 10000},
    {.name = "DeliveryStreamType", .enum_values = kStreamTypes},
    {.name = "ExclusiveStartDeliveryStreamName", .pattern = &kNamePattern, .min_len = 1, .max_len = 64}};
const FieldSpec kDelete[] = {StreamName(), {.name = "AllowForceDelete", .type = FieldType::kBoolean}};
const FieldSpec kUpdate[] = {
    StreamName(),
    {.name = "CurrentDeliveryStreamVersionId", .not_null = true, .pattern = &kVersionIdPattern, .min_len = 1,
     .max_len = 50},
    {.name = "DestinationId", .not_null = true, .pattern = &kDestinationIdPattern, .min_len = 1, .max_len = 100},
    {.name = "S3DestinationUpdate", .type = FieldType::kStructure, .members = kS3Update},
    {.name = "ExtendedS3DestinationUpdate", .type = FieldType::kStructure, .members = kExtendedUpdate}};
const FieldSpec kTagStream[] = {StreamName(), TagList(true)};
const FieldSpec kUntag[] = {
    StreamName(),
    {.name = "TagKeys", .type = FieldType::kList, .not_null = true, .min_len = 1, .max_len = 50, .child_min_len = 1,
     .child_max_len = 128}};
const FieldSpec kListTags[] = {
    StreamName(),
    {.name = "ExclusiveStartTagKey", .pattern = &kTagKeyPattern, .min_len = 1, .max_len = 128},
    {.name = "Limit", .type = FieldType::kInteger, .min_value = 1, .max_value = 50}};
const FieldSpec kPutRecord[] = {
    StreamName(), {.name = "Record", .type = FieldType::kStructure, .not_null = true, .members = kRecord}};
const FieldSpec kPutRecordBatch[] = {
    StreamName(),
    {.name = "Records", .type = FieldType::kList, .not_null = true, .min_len = 1, .max_len = 500,
     .members = kRecord, .member_type_name = "com.amazonaws.firehose.v20150804.Record"}};
const FieldSpec kFlush[] = {StreamName()};

using A = Actions;
const A::Action kActions[] = {
    {"CreateDeliveryStream", kCreate, &A::CreateDeliveryStream, true},
    {"DeleteDeliveryStream", kDelete, &A::DeleteDeliveryStream, true},
    {"DescribeDeliveryStream", kDescribe, &A::DescribeDeliveryStream},
    {"ListDeliveryStreams", kList, &A::ListDeliveryStreams},
    {"ListTagsForDeliveryStream", kListTags, &A::ListTagsForDeliveryStream},
    {"PutRecord", kPutRecord, &A::PutRecord},
    {"PutRecordBatch", kPutRecordBatch, &A::PutRecordBatch},
    {"TagDeliveryStream", kTagStream, &A::TagDeliveryStream, true},
    {"UntagDeliveryStream", kUntag, &A::UntagDeliveryStream, true},
    {"UpdateDestination", kUpdate, &A::UpdateDestination, true},
    // sluice extensions (docs/compatibility.md).
    {"SluiceFlushDeliveryStream", kFlush, &A::SluiceFlushDeliveryStream, true},
    {"SluiceListDeliveryStreamStats", {}, &A::SluiceListDeliveryStreamStats},
};

ActionResult Invalid(std::string message) { return ActionResult::Error("InvalidArgumentException", std::move(message)); }

std::string Name(const Value& req) { return std::string(req.Get("DeliveryStreamName")->s()); }

bool Present(const Value& req, std::string_view key) {
  const Value* v = req.Get(key);
  return v != nullptr && !v->is_null();
}

delivery::Tags ReadTags(const Value* list) {
  delivery::Tags tags;
  if (list == nullptr || list->is_null()) return tags;
  for (const Value& t : list->items()) {
    const Value* v = t.Get("Value");
    tags.emplace_back(std::string(t.Get("Key")->s()), v ? std::string(v->s()) : std::string());
  }
  return tags;
}

}  // namespace

const Actions::Action* Actions::Find(std::string_view name) {
  for (const Action& a : kActions) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

ActionResult FromError(const delivery::Error& e) {
  const int status = e.code == delivery::ErrorType::kInternalFailure      ? 500
                     : e.code == delivery::ErrorType::kServiceUnavailable ? 503
                                                                          : 400;
  return ActionResult::Error(delivery::ErrorName(e.code), e.message, status);
}

void Actions::CreateDeliveryStream(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  for (const std::string_view other : kOtherDestinations) {
    if (Present(req, other)) {
      return done(Invalid(fmt::format("sluice delivers only to S3 (S3DestinationConfiguration or "
                                      "ExtendedS3DestinationConfiguration); {} is not supported.",
                                      other)));
    }
  }
  if (Present(req, "DeliveryStreamEncryptionConfigurationInput")) {
    return done(Invalid("sluice does not support server-side encryption of delivery streams "
                        "(DeliveryStreamEncryptionConfigurationInput)."));
  }
  const bool plain = Present(req, "S3DestinationConfiguration");
  const bool extended = Present(req, "ExtendedS3DestinationConfiguration");
  if (plain == extended) {
    return done(Invalid("Exactly one destination configuration is supported for a Firehose."));
  }
  const Value& dest = *req.Get(extended ? "ExtendedS3DestinationConfiguration" : "S3DestinationConfiguration");
  if (const Value* kms = dest.Get("EncryptionConfiguration"); kms && !kms->is_null() && Present(*kms, "KMSEncryptionConfig")) {
    return done(Invalid("sluice does not support KMSEncryptionConfig on S3 destinations."));
  }
  if (extended && Present(dest, "DataFormatConversionConfiguration")) {
    return done(Invalid("sluice does not support DataFormatConversionConfiguration (Parquet/ORC conversion)."));
  }
  delivery::DeliveryStreamConfig config;
  config.name = Name(req);
  if (const Value* t = req.Get("DeliveryStreamType"); t && !t->is_null()) config.type = std::string(t->s());
  if (const Value* k = req.Get("KinesisStreamSourceConfiguration"); k && !k->is_null()) {
    config.source = delivery::KinesisSource{std::string(k->Get("KinesisStreamARN")->s()),
                                            std::string(k->Get("RoleARN")->s())};
  }
  config.destination = ParseDestination(dest, extended);
  auto r = delivery_.Create(config, ReadTags(req.Get("Tags")));
  if (!r.ok()) return done(FromError(r.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("DeliveryStreamARN").String(*r).End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::DescribeDeliveryStream(ActionCall& c, ActionDone done) {
  auto info = delivery_.Describe(Name(*c.req));
  if (!info.ok()) return done(FromError(info.error()));
  done(ActionResult::Ok(WriteDescription(*info)));
}

void Actions::ListDeliveryStreams(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  const Value* limit = req.Get("Limit");
  const Value* type = req.Get("DeliveryStreamType");
  const Value* start = req.Get("ExclusiveStartDeliveryStreamName");
  std::optional<std::string> type_filter;
  if (type && !type->is_null()) type_filter = std::string(type->s());
  const auto r = delivery_.List(type_filter, start ? std::string(start->s()) : std::string(),
                                limit && !limit->is_null() ? static_cast<size_t>(limit->i) : 10);
  BodyWriter w(c.enc);
  w.BeginMap().Key("DeliveryStreamNames").BeginArray();
  for (const auto& n : r.names) w.String(n);
  w.End().Key("HasMoreDeliveryStreams").Bool(r.has_more).End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::DeleteDeliveryStream(ActionCall& c, ActionDone done) {
  const Value* force = c.req->Get("AllowForceDelete");
  auto r = delivery_.Delete(Name(*c.req), force && !force->is_null() && force->b);
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok("{}"));
}

void Actions::UpdateDestination(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  const std::string name = Name(req);
  auto info = delivery_.Describe(name);
  if (!info.ok()) return done(FromError(info.error()));
  const std::string_view dest_id = req.Get("DestinationId")->s();
  if (dest_id != "destinationId-000000000001") {
    return done(Invalid(fmt::format("Destination Id {} not found.", dest_id)));
  }
  const bool plain = Present(req, "S3DestinationUpdate");
  const bool extended = Present(req, "ExtendedS3DestinationUpdate");
  if (plain == extended) {
    return done(Invalid("Exactly one destination update is supported for a Firehose."));
  }
  const Value& update = *req.Get(extended ? "ExtendedS3DestinationUpdate" : "S3DestinationUpdate");
  if (extended && Present(update, "DataFormatConversionConfiguration")) {
    return done(Invalid("sluice does not support DataFormatConversionConfiguration (Parquet/ORC conversion)."));
  }
  // An update changes only the fields it names.
  delivery::S3Destination next = info->config.destination;
  const delivery::S3Destination given = ParseDestination(update, extended);
  if (Present(update, "RoleARN")) next.role_arn = given.role_arn;
  if (Present(update, "BucketARN")) next.bucket_arn = given.bucket_arn;
  if (Present(update, "Prefix")) next.prefix = given.prefix;
  if (Present(update, "ErrorOutputPrefix")) next.error_output_prefix = given.error_output_prefix;
  if (const Value* h = update.Get("BufferingHints"); h && !h->is_null()) {
    if (Present(*h, "SizeInMBs")) next.hints.size_mb = given.hints.size_mb;
    if (Present(*h, "IntervalInSeconds")) next.hints.interval_s = given.hints.interval_s;
  }
  if (Present(update, "CompressionFormat")) next.compression = given.compression;
  if (Present(update, "CloudWatchLoggingOptions")) next.logging = given.logging;
  if (Present(update, "ProcessingConfiguration")) next.processing = given.processing;
  if (Present(update, "DynamicPartitioningConfiguration")) {
    next.dynamic_partitioning = given.dynamic_partitioning;
    next.dynamic_partitioning_retry_s = given.dynamic_partitioning_retry_s;
  }
  if (Present(update, "S3BackupMode")) next.s3_backup_mode = given.s3_backup_mode;
  if (Present(update, "FileExtension")) next.file_extension = given.file_extension;
  if (Present(update, "CustomTimeZone")) next.custom_time_zone = given.custom_time_zone;
  next.extended = next.extended || extended;
  const int64_t version = std::strtoll(std::string(req.Get("CurrentDeliveryStreamVersionId")->s()).c_str(), nullptr, 10);
  auto r = delivery_.UpdateDestination(name, version, next);
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok("{}"));
}

void Actions::TagDeliveryStream(ActionCall& c, ActionDone done) {
  auto r = delivery_.Tag(Name(*c.req), ReadTags(c.req->Get("Tags")));
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok("{}"));
}

void Actions::UntagDeliveryStream(ActionCall& c, ActionDone done) {
  std::vector<std::string> keys;
  for (const Value& k : c.req->Get("TagKeys")->items()) keys.emplace_back(k.s());
  auto r = delivery_.Untag(Name(*c.req), keys);
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok("{}"));
}

void Actions::ListTagsForDeliveryStream(ActionCall& c, ActionDone done) {
  auto info = delivery_.Describe(Name(*c.req));
  if (!info.ok()) return done(FromError(info.error()));
  const Value* limit_v = c.req->Get("Limit");
  const int64_t limit = limit_v && !limit_v->is_null() ? limit_v->i : 50;
  const Value* after_v = c.req->Get("ExclusiveStartTagKey");
  const std::string_view after = after_v ? after_v->s() : std::string_view();
  done(ActionResult::Ok(awsproto::TagPage(c.enc, info->tags, after, limit)));
}

namespace {

// One accepted PutRecord / PutRecordBatch call.
void RecordCall(const CallMetrics& m, std::chrono::steady_clock::time_point start, double bytes, double records) {
  const auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  m.bytes->Add(bytes);
  m.latency->Record(elapsed.count());
  m.requests->Add(1);
  if (m.records) m.records->Add(records);
}

}  // namespace

void Actions::PutRecord(ActionCall& c, ActionDone done) {
  const std::string_view data = c.req->Get("Record")->Get("Data")->s();
  const awsproto::BodyEncoding enc = c.enc;
  const CallMetrics& m = metrics_.For("PutRecord", std::string(Name(*c.req)));
  const auto start = std::chrono::steady_clock::now();
  const double bytes = static_cast<double>(data.size());
  delivery_.Put(Name(*c.req), std::span<const std::string_view>(&data, 1),
                [done, enc, &m, start, bytes](delivery::DResult<std::vector<std::string>> r) {
                  if (!r.ok()) return done(FromError(r.error()));
                  RecordCall(m, start, bytes, 1);
                  BodyWriter w(enc);
                  w.BeginMap().Key("RecordId").PlainString((*r)[0]).Key("Encrypted").Bool(false).End();
                  done(ActionResult::Ok(w.Take()));
                });
}

void Actions::PutRecordBatch(ActionCall& c, ActionDone done) {
  const Value& records = *c.req->Get("Records");
  std::vector<std::string_view> data;
  data.reserve(records.size());
  int64_t total = 0;
  for (const Value& r : records.items()) {
    data.push_back(r.Get("Data")->s());
    total += static_cast<int64_t>(data.back().size());
  }
  if (total > kMaxBatchBytes) {
    return done(Invalid(fmt::format("Records size exceeds the 4 MiB limit of PutRecordBatch: the request "
                                    "holds {} bytes of data.",
                                    total)));
  }
  const awsproto::BodyEncoding enc = c.enc;
  const size_t n = data.size();
  const CallMetrics& m = metrics_.For("PutRecordBatch", std::string(Name(*c.req)));
  const auto start = std::chrono::steady_clock::now();
  delivery_.Put(Name(*c.req), data, [done, enc, n, &m, start, total](delivery::DResult<std::vector<std::string>> r) {
    BodyWriter w(enc);
    w.Reserve(n * 60 + 64);
    if (!r.ok()) {
      // The whole batch shares one append: a failure there fails every record, each
      // reported as AWS reports a record it could not take. Other errors (no such
      // stream, the rate quota) refuse the call.
      if (r.error().code != delivery::ErrorType::kInternalFailure) return done(FromError(r.error()));
      w.BeginMap().Key("FailedPutCount").Int(static_cast<int64_t>(n)).Key("Encrypted").Bool(false)
          .Key("RequestResponses").BeginArray();
      for (size_t i = 0; i < n; ++i) {
        w.BeginMap().Key("ErrorCode").String("ServiceUnavailableException")
            .Key("ErrorMessage").String("Slow down.").End();
      }
      w.End().End();
      return done(ActionResult::Ok(w.Take()));
    }
    RecordCall(m, start, static_cast<double>(total), static_cast<double>(n));
    w.BeginMap().Key("FailedPutCount").Int(0).Key("Encrypted").Bool(false).Key("RequestResponses").BeginArray();
    for (const std::string& id : *r) w.BeginMap().Key("RecordId").PlainString(id).End();
    w.End().End();
    done(ActionResult::Ok(w.Take()));
  });
}

void Actions::SluiceFlushDeliveryStream(ActionCall& c, ActionDone done) {
  auto r = delivery_.Flush(Name(*c.req));
  if (!r.ok()) return done(FromError(r.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("Stats");
  WriteStats(w, *r);
  w.End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::SluiceListDeliveryStreamStats(ActionCall& c, ActionDone done) {
  BodyWriter w(c.enc);
  w.BeginMap().Key("DeliveryStreams").BeginArray();
  for (const auto& s : delivery_.Stats()) WriteStats(w, s);
  w.End().End();
  done(ActionResult::Ok(w.Take()));
}

}  // namespace sluice::frontends::firehose
