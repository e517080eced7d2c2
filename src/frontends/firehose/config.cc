// The destination configuration: read from requests, written into descriptions.
#include <string>

#include "internal/actions.h"

namespace sluice::frontends::firehose {
namespace {

std::string_view Str(const Value& v, std::string_view key) {
  const Value* m = v.Get(key);
  return m ? m->s() : std::string_view{};
}

std::optional<std::string> OptStr(const Value& v, std::string_view key) {
  const Value* m = v.Get(key);
  if (!m || m->is_null()) return std::nullopt;
  return std::string(m->s());
}

std::optional<bool> OptBool(const Value& v, std::string_view key) {
  const Value* m = v.Get(key);
  if (!m || m->is_null()) return std::nullopt;
  return m->b;
}

void WriteS3Common(BodyWriter& w, const delivery::S3Destination& d) {
  w.Key("RoleARN").String(d.role_arn).Key("BucketARN").String(d.bucket_arn);
  if (d.prefix) w.Key("Prefix").String(*d.prefix);
  if (d.error_output_prefix) w.Key("ErrorOutputPrefix").String(*d.error_output_prefix);
  w.Key("BufferingHints").BeginMap()
      .Key("SizeInMBs").Int(d.hints.size_mb)
      .Key("IntervalInSeconds").Int(d.hints.interval_s).End();
  w.Key("CompressionFormat").String(d.compression);
  w.Key("EncryptionConfiguration").BeginMap().Key("NoEncryptionConfig").String("NoEncryption").End();
  w.Key("CloudWatchLoggingOptions").BeginMap();
  const bool logging = d.logging && d.logging->enabled.value_or(false);
  w.Key("Enabled").Bool(logging);
  if (d.logging && !d.logging->log_group_name.empty()) w.Key("LogGroupName").String(d.logging->log_group_name);
  if (d.logging && !d.logging->log_stream_name.empty()) w.Key("LogStreamName").String(d.logging->log_stream_name);
  w.End();
}

}  // namespace

delivery::S3Destination ParseDestination(const Value& v, bool extended) {
  delivery::S3Destination d;
  d.extended = extended;
  d.role_arn = std::string(Str(v, "RoleARN"));
  d.bucket_arn = std::string(Str(v, "BucketARN"));
  d.prefix = OptStr(v, "Prefix");
  d.error_output_prefix = OptStr(v, "ErrorOutputPrefix");
  if (const Value* h = v.Get("BufferingHints")) {
    if (const Value* s = h->Get("SizeInMBs"); s && !s->is_null()) d.hints.size_mb = s->i;
    if (const Value* i = h->Get("IntervalInSeconds"); i && !i->is_null()) d.hints.interval_s = i->i;
  }
  if (const Value* c = v.Get("CompressionFormat"); c && !c->is_null()) d.compression = std::string(c->s());
  if (const Value* l = v.Get("CloudWatchLoggingOptions"); l && !l->is_null()) {
    d.logging = delivery::CloudWatchLogging{OptBool(*l, "Enabled"), std::string(Str(*l, "LogGroupName")),
                                            std::string(Str(*l, "LogStreamName"))};
  }
  if (const Value* p = v.Get("ProcessingConfiguration"); p && !p->is_null()) {
    delivery::ProcessingConfiguration pc;
    pc.enabled = OptBool(*p, "Enabled");
    if (const Value* list = p->Get("Processors")) {
      for (const Value& pr : list->items()) {
        delivery::Processor proc;
        proc.type = std::string(Str(pr, "Type"));
        if (const Value* params = pr.Get("Parameters")) {
          for (const Value& pa : params->items()) {
            proc.parameters.push_back({std::string(Str(pa, "ParameterName")), std::string(Str(pa, "ParameterValue"))});
          }
        }
        pc.processors.push_back(std::move(proc));
      }
    }
    d.processing = std::move(pc);
  }
  if (const Value* dp = v.Get("DynamicPartitioningConfiguration"); dp && !dp->is_null()) {
    d.dynamic_partitioning = OptBool(*dp, "Enabled");
    if (const Value* r = dp->Get("RetryOptions"); r && !r->is_null()) {
      if (const Value* s = r->Get("DurationInSeconds"); s && !s->is_null()) d.dynamic_partitioning_retry_s = s->i;
    }
  }
  d.s3_backup_mode = std::string(Str(v, "S3BackupMode"));
  d.file_extension = std::string(Str(v, "FileExtension"));
  d.custom_time_zone = std::string(Str(v, "CustomTimeZone"));
  return d;
}

std::string WriteDescription(const delivery::DeliveryStreamInfo& info) {
  const delivery::DeliveryStreamConfig& c = info.config;
  const delivery::S3Destination& d = c.destination;
  BodyWriter w(awsproto::BodyEncoding::kJson);
  w.BeginMap().Key("DeliveryStreamDescription").BeginMap()
      .Key("DeliveryStreamName").String(c.name)
      .Key("DeliveryStreamARN").String(info.arn)
      .Key("DeliveryStreamStatus").String(info.status)
      .Key("DeliveryStreamEncryptionConfiguration").BeginMap().Key("Status").String("DISABLED").End()
      .Key("DeliveryStreamType").String(c.type)
      .Key("VersionId").String(std::to_string(info.version))
      .Key("CreateTimestamp").TimestampMs(info.created_ms);
  if (info.version > 1) w.Key("LastUpdateTimestamp").TimestampMs(info.updated_ms);
  if (c.source) {
    w.Key("Source").BeginMap().Key("KinesisStreamSourceDescription").BeginMap()
        .Key("KinesisStreamARN").String(c.source->stream_arn)
        .Key("RoleARN").String(c.source->role_arn)
        .Key("DeliveryStartTimestamp").TimestampMs(info.source_start_ms).End().End();
  }
  w.Key("Destinations").BeginArray().BeginMap().Key("DestinationId").String("destinationId-000000000001");
  w.Key("S3DestinationDescription").BeginMap();
  WriteS3Common(w, d);
  w.End();
  if (d.extended) {
    w.Key("ExtendedS3DestinationDescription").BeginMap();
    WriteS3Common(w, d);
    if (d.processing) {
      w.Key("ProcessingConfiguration").BeginMap();
      if (d.processing->enabled) w.Key("Enabled").Bool(*d.processing->enabled);
      w.Key("Processors").BeginArray();
      for (const auto& p : d.processing->processors) {
        w.BeginMap().Key("Type").String(p.type).Key("Parameters").BeginArray();
        for (const auto& pa : p.parameters) {
          w.BeginMap().Key("ParameterName").String(pa.name).Key("ParameterValue").String(pa.value).End();
        }
        w.End().End();
      }
      w.End().End();
    }
    w.Key("S3BackupMode").String(d.s3_backup_mode.empty() ? "Disabled" : d.s3_backup_mode);
    if (d.dynamic_partitioning) {
      w.Key("DynamicPartitioningConfiguration").BeginMap().Key("Enabled").Bool(*d.dynamic_partitioning);
      w.Key("RetryOptions").BeginMap().Key("DurationInSeconds").Int(d.dynamic_partitioning_retry_s.value_or(300)).End();
      w.End();
    }
    if (!d.file_extension.empty()) w.Key("FileExtension").String(d.file_extension);
    if (!d.custom_time_zone.empty()) w.Key("CustomTimeZone").String(d.custom_time_zone);
    w.End();
  }
  w.End().End().Key("HasMoreDestinations").Bool(false).End().End();
  return w.Take();
}

void WriteStats(BodyWriter& w, const delivery::DeliveryStats& s) {
  w.BeginMap()
      .Key("DeliveryStreamName").String(s.name)
      .Key("BufferedBytes").Int(static_cast<int64_t>(s.buffered_bytes))
      .Key("BufferedRecords").Int(static_cast<int64_t>(s.buffered_records))
      .Key("OldestRecordAgeMillis").Int(s.oldest_record_age_ms)
      .Key("IncomingRecords").Int(static_cast<int64_t>(s.incoming_records))
      .Key("IncomingBytes").Int(static_cast<int64_t>(s.incoming_bytes))
      .Key("ObjectsWritten").Int(static_cast<int64_t>(s.objects_written))
      .Key("DeliveryToS3.Records").Int(static_cast<int64_t>(s.delivered_records))
      .Key("DeliveryToS3.Bytes").Int(static_cast<int64_t>(s.delivered_bytes))
      .Key("DeliveryToS3.Success").Int(static_cast<int64_t>(s.delivery_successes))
      .Key("DeliveryToS3.Failures").Int(static_cast<int64_t>(s.delivery_failures))
      .Key("DeliveryToS3.DataFreshness").Int(s.data_freshness_ms)
      .Key("LastError").String(s.last_error)
      .End();
}

}  // namespace sluice::frontends::firehose
