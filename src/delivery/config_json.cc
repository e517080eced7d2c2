#include "internal/config_json.h"

#include <nlohmann/json.hpp>

namespace sluice::delivery {
namespace {

using nlohmann::json;

void PutOpt(json& j, const char* key, const std::optional<std::string>& v) {
  if (v) j[key] = *v;
}

json DestinationToJson(const S3Destination& d) {
  json j;
  j["Extended"] = d.extended;
  j["RoleARN"] = d.role_arn;
  j["BucketARN"] = d.bucket_arn;
  PutOpt(j, "Prefix", d.prefix);
  PutOpt(j, "ErrorOutputPrefix", d.error_output_prefix);
  j["BufferingHints"] = {{"SizeInMBs", d.hints.size_mb}, {"IntervalInSeconds", d.hints.interval_s}};
  j["CompressionFormat"] = d.compression;
  if (d.logging) {
    json l;
    if (d.logging->enabled) l["Enabled"] = *d.logging->enabled;
    l["LogGroupName"] = d.logging->log_group_name;
    l["LogStreamName"] = d.logging->log_stream_name;
    j["CloudWatchLoggingOptions"] = l;
  }
  if (d.processing) {
    json p;
    if (d.processing->enabled) p["Enabled"] = *d.processing->enabled;
    json procs = json::array();
    for (const Processor& pr : d.processing->processors) {
      json params = json::array();
      for (const auto& pa : pr.parameters) params.push_back({{"ParameterName", pa.name}, {"ParameterValue", pa.value}});
      procs.push_back({{"Type", pr.type}, {"Parameters", params}});
    }
    p["Processors"] = procs;
    j["ProcessingConfiguration"] = p;
  }
  if (d.dynamic_partitioning) j["DynamicPartitioning"] = *d.dynamic_partitioning;
  if (d.dynamic_partitioning_retry_s) j["DynamicPartitioningRetrySeconds"] = *d.dynamic_partitioning_retry_s;
  j["S3BackupMode"] = d.s3_backup_mode;
  j["FileExtension"] = d.file_extension;
  j["CustomTimeZone"] = d.custom_time_zone;
  return j;
}

std::string Str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::string> OptStr(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

S3Destination DestinationFromJson(const json& j) {
  S3Destination d;
  d.extended = j.value("Extended", false);
  d.role_arn = Str(j, "RoleARN");
  d.bucket_arn = Str(j, "BucketARN");
  d.prefix = OptStr(j, "Prefix");
  d.error_output_prefix = OptStr(j, "ErrorOutputPrefix");
  if (const auto h = j.find("BufferingHints"); h != j.end()) {
    d.hints.size_mb = h->value("SizeInMBs", int64_t{5});
    d.hints.interval_s = h->value("IntervalInSeconds", int64_t{300});
  }
  d.compression = j.value("CompressionFormat", std::string("UNCOMPRESSED"));
  if (const auto l = j.find("CloudWatchLoggingOptions"); l != j.end()) {
    CloudWatchLogging cw;
    if (l->contains("Enabled")) cw.enabled = (*l)["Enabled"].get<bool>();
    cw.log_group_name = Str(*l, "LogGroupName");
    cw.log_stream_name = Str(*l, "LogStreamName");
    d.logging = cw;
  }
  if (const auto p = j.find("ProcessingConfiguration"); p != j.end()) {
    ProcessingConfiguration pc;
    if (p->contains("Enabled")) pc.enabled = (*p)["Enabled"].get<bool>();
    for (const json& pr : p->value("Processors", json::array())) {
      Processor proc;
      proc.type = Str(pr, "Type");
      for (const json& pa : pr.value("Parameters", json::array())) {
        proc.parameters.push_back({Str(pa, "ParameterName"), Str(pa, "ParameterValue")});
      }
      pc.processors.push_back(std::move(proc));
    }
    d.processing = pc;
  }
  if (j.contains("DynamicPartitioning")) d.dynamic_partitioning = j["DynamicPartitioning"].get<bool>();
  if (j.contains("DynamicPartitioningRetrySeconds")) {
    d.dynamic_partitioning_retry_s = j["DynamicPartitioningRetrySeconds"].get<int64_t>();
  }
  d.s3_backup_mode = Str(j, "S3BackupMode");
  d.file_extension = Str(j, "FileExtension");
  d.custom_time_zone = Str(j, "CustomTimeZone");
  return d;
}

}  // namespace

std::string ConfigToJson(const DeliveryStreamConfig& c) {
  json j;
  j["DeliveryStreamName"] = c.name;
  j["DeliveryStreamType"] = c.type;
  if (c.source) j["KinesisStreamSource"] = {{"KinesisStreamARN", c.source->stream_arn}, {"RoleARN", c.source->role_arn}};
  j["Destination"] = DestinationToJson(c.destination);
  return j.dump();
}

Result<DeliveryStreamConfig> ConfigFromJson(const std::string& text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption("delivery stream configuration is not JSON");
  try {
    DeliveryStreamConfig c;
    c.name = Str(j, "DeliveryStreamName");
    c.type = j.value("DeliveryStreamType", std::string("DirectPut"));
    if (const auto s = j.find("KinesisStreamSource"); s != j.end()) {
      c.source = KinesisSource{Str(*s, "KinesisStreamARN"), Str(*s, "RoleARN")};
    }
    if (const auto d = j.find("Destination"); d != j.end()) c.destination = DestinationFromJson(*d);
    return c;
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("delivery stream configuration: ") + e.what());
  }
}

Result<S3Destination> S3DestinationFromJson(std::string_view json_text, bool extended) {
  const json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("destination configuration is not an object");
  try {
    S3Destination d = DestinationFromJson(j);
    d.extended = extended;
    // The API nests what the stored document keeps flat.
    if (const auto dp = j.find("DynamicPartitioningConfiguration"); dp != j.end() && dp->is_object()) {
      if (dp->contains("Enabled")) d.dynamic_partitioning = (*dp)["Enabled"].get<bool>();
      if (const auto r = dp->find("RetryOptions"); r != dp->end() && r->contains("DurationInSeconds")) {
        d.dynamic_partitioning_retry_s = (*r)["DurationInSeconds"].get<int64_t>();
      }
    }
    return d;
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("destination configuration: ") + e.what());
  }
}

}  // namespace sluice::delivery
