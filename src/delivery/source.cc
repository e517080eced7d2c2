#include "internal/source.h"

#include <charconv>

#include <nlohmann/json.hpp>

#include "catalog/delivery_streams.h"

namespace sluice::delivery {
namespace {

constexpr size_t kPollRecords = 10'000;
constexpr int kPollRounds = 8;  // per call: at most this many batches, then delivery runs

// Sequence numbers are decimal without leading zeros: longer is larger.
bool SequenceLessOrEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a <= b;
}

}  // namespace

std::string SourceRecordKey(std::string_view shard_id, std::string_view sequence_number, int64_t arrival_ms,
                            std::string_view partition_key) {
  std::string key;
  key.reserve(shard_id.size() + sequence_number.size() + partition_key.size() + 24);
  key.append(shard_id).append("|").append(sequence_number).append("|");
  key.append(std::to_string(arrival_ms)).append("|").append(partition_key);
  return key;
}

std::optional<SourceOrigin> ParseSourceRecordKey(std::string_view key) {
  const size_t bar = key.find('|');
  if (bar == std::string_view::npos) return std::nullopt;
  SourceOrigin o;
  o.shard_id = key.substr(0, bar);
  const std::string_view rest = key.substr(bar + 1);
  const size_t seq_end = rest.find('|');
  o.sequence_number = rest.substr(0, seq_end);
  if (seq_end == std::string_view::npos) return o;
  const std::string_view tail = rest.substr(seq_end + 1);
  const size_t arrival_end = tail.find('|');
  if (arrival_end == std::string_view::npos) return std::nullopt;
  int64_t arrival = 0;
  const std::string_view digits = tail.substr(0, arrival_end);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), arrival);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  o.arrival_ms = arrival;
  o.partition_key = tail.substr(arrival_end + 1);
  return o;
}

KinesisSourceReader::KinesisSourceReader(const stream::StreamManager& streams, std::string stream_name,
                                         const std::string& position, int64_t start_ms)
    : streams_(streams), stream_name_(std::move(stream_name)), start_ms_(start_ms) {
  const nlohmann::json j = nlohmann::json::parse(position, nullptr, false);
  if (j.is_object()) {
    start_ms_ = j.value("start_ms", start_ms);
    if (const auto shards = j.find("shards"); shards != j.end() && shards->is_object()) {
      for (const auto& [shard, seq] : shards->items()) {
        if (seq.is_string()) last_[shard] = seq.get<std::string>();
      }
    }
  }
  reader_ = std::make_unique<stream::LineageReader>(streams_, stream_name_, stream::LineageReader::Start::kTrimHorizon);
}

std::string KinesisSourceReader::Position() const {
  nlohmann::json j;
  j["start_ms"] = start_ms_;
  j["shards"] = nlohmann::json::object();
  for (const auto& [shard, seq] : last_) j["shards"][shard] = seq;
  return j.dump();
}

bool KinesisSourceReader::Seen(const std::string& shard, const std::string& sequence) const {
  const auto it = last_.find(shard);
  return it != last_.end() && SequenceLessOrEqual(sequence, it->second);
}

Status KinesisSourceReader::Recover(const log::Log& log) {
  uint64_t from = log.StartOffset().value();
  const uint64_t end = log.EndOffset().value();
  while (from < end) {
    ASSIGN_OR_RETURN(log::ReadResult r, log.Read(log::Offset(from), kPollRecords, 4u << 20));
    if (r.records.empty()) break;
    for (const log::Record& rec : r.records) {
      const std::optional<SourceOrigin> origin = ParseSourceRecordKey(rec.partition_key);
      if (!origin) continue;
      const std::string shard(origin->shard_id);
      const std::string seq(origin->sequence_number);
      if (!Seen(shard, seq)) last_[shard] = seq;
    }
    from = r.next_offset.value();
  }
  return Status::OK();
}

Result<KinesisSourceReader::Appended> KinesisSourceReader::Poll(log::Log& log, Clock& clock,
                                                                catalog::Catalog& catalog,
                                                                int64_t delivery_stream_id) {
  Appended total;
  for (int round = 0; round < kPollRounds; ++round) {
    auto batch = reader_->Poll(kPollRecords);
    if (!batch.ok()) return Status::Unavailable("reading Kinesis stream " + stream_name_ + ": " + batch.error().message);
    if (batch->empty()) break;
    std::vector<std::string> keys;
    std::vector<log::RecordInput> inputs;
    keys.reserve(batch->size());
    inputs.reserve(batch->size());
    const int64_t arrival = clock.NowMillis();
    for (const auto& rec : *batch) {
      if (rec.arrival_ms < start_ms_ || Seen(rec.shard_id, rec.sequence_number)) continue;
      keys.push_back(SourceRecordKey(rec.shard_id, rec.sequence_number, rec.arrival_ms, rec.partition_key));
    }
    size_t k = 0;
    std::map<std::string, std::string> newest;
    for (const auto& rec : *batch) {
      if (rec.arrival_ms < start_ms_ || Seen(rec.shard_id, rec.sequence_number)) continue;
      log::RecordInput in;
      in.partition_key = keys[k++];
      in.data = rec.data;
      in.arrival_ms = arrival;
      inputs.push_back(in);
      total.bytes += rec.data.size();
      newest[rec.shard_id] = rec.sequence_number;
    }
    if (inputs.empty()) continue;
    // Log batches of at most 500 records and 16 MiB (well below what one batch may hold).
    constexpr size_t kMaxBatchRecords = 500;
    constexpr size_t kMaxBatchBytes = 16u << 20;
    for (size_t i = 0; i < inputs.size();) {
      size_t n = 0;
      size_t bytes = 0;
      while (i + n < inputs.size() && n < kMaxBatchRecords &&
             (n == 0 || bytes + inputs[i + n].data.size() <= kMaxBatchBytes)) {
        bytes += inputs[i + n].data.size();
        ++n;
      }
      auto appended = log.Append(std::span<const log::RecordInput>(inputs.data() + i, n));
      if (!appended.ok()) return appended.status();
      i += n;
    }
    total.records += inputs.size();
    for (auto& [shard, seq] : newest) last_[shard] = std::move(seq);
    RETURN_IF_ERROR(catalog::SetSourcePosition(catalog, delivery_stream_id, Position()));
  }
  return total;
}

}  // namespace sluice::delivery
