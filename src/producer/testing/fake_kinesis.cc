#include "producer/testing/fake_kinesis.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "base/base64.h"

namespace sluice::producer::testing {

using nlohmann::json;

FakeKinesis::FakeKinesis(FakeKinesisOptions options) : options_(std::move(options)), rng_(options_.seed) {}

std::unique_ptr<FakeKinesis> FakeKinesis::Start(FakeKinesisOptions options) {
  auto fake = std::make_unique<FakeKinesis>(std::move(options));
  FakeKinesis* self = fake.get();
  auto server = aws::testing::LoopbackHttpServer::Start([self](const aws::HttpRequest& r) { return self->Handle(r); });
  if (!server.ok()) throw std::runtime_error(server.status().ToString());
  fake->server_ = std::move(server).value();
  return fake;
}

aws::HttpResponse FakeKinesis::Handle(const aws::HttpRequest& request) {
  auto error = [](int status, const std::string& type) {
    return aws::HttpResponse{status, {}, json{{"__type", type}, {"message", "fake"}}.dump()};
  };
  const std::string* target = request.FindHeader("X-Amz-Target");
  if (target == nullptr || *target != "Kinesis_20131202.PutRecords" || request.FindHeader("Authorization") == nullptr) {
    return error(400, "UnknownOperationException");
  }
  const json body = json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("Records")) return error(400, "SerializationException");

  MutexLock lock(mu_);
  ++requests_;
  if (!options_.fatal_error.empty()) return error(400, options_.fatal_error);
  if (rng_.Chance(options_.drop_connection_rate)) return aws::HttpResponse{0, {}, ""};
  if (rng_.Chance(options_.request_failure_rate)) return error(503, "ServiceUnavailable");
  json results = json::array();
  int failed = 0;
  size_t bytes = 0;
  for (const json& r : body["Records"]) {
    std::optional<std::string> data = Base64Decode(r["Data"].get<std::string>());
    if (!data) return error(400, "SerializationException");
    const std::string key = r["PartitionKey"].get<std::string>();
    bytes += data->size() + key.size();
    if (rng_.Chance(options_.record_failure_rate)) {
      ++failed;
      ++refused_;
      results.push_back({{"ErrorCode", "ProvisionedThroughputExceededException"},
                         {"ErrorMessage", "Rate exceeded for shard shardId-000000000000"}});
      continue;
    }
    records_.push_back({key, std::move(data).value()});
    results.push_back({{"SequenceNumber", std::to_string(records_.size())}, {"ShardId", "shardId-000000000000"}});
  }
  max_records_ = std::max(max_records_, body["Records"].size());
  max_bytes_ = std::max(max_bytes_, bytes);
  return aws::HttpResponse{200, {}, json{{"FailedRecordCount", failed}, {"Records", results}}.dump()};
}

std::vector<StoredRecord> FakeKinesis::records() const {
  MutexLock lock(mu_);
  return records_;
}
uint64_t FakeKinesis::requests() const {
  MutexLock lock(mu_);
  return requests_;
}
uint64_t FakeKinesis::refused_records() const {
  MutexLock lock(mu_);
  return refused_;
}
size_t FakeKinesis::max_records_in_request() const {
  MutexLock lock(mu_);
  return max_records_;
}
size_t FakeKinesis::max_bytes_in_request() const {
  MutexLock lock(mu_);
  return max_bytes_;
}

}  // namespace sluice::producer::testing
