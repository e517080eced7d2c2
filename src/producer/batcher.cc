#include "producer/batcher.h"

#include <utility>

namespace sluice::producer {
namespace {

// Unicode characters in UTF-8 text: bytes that do not continue a sequence.
size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

size_t RecordCost(const aws::PutRecordsEntry& e) { return e.data.size() + e.partition_key.size(); }

Status Batcher::Check(const aws::PutRecordsEntry& e) const {
  if (e.partition_key.empty()) return Status::InvalidArgument("partition key is empty");
  if (Utf8Length(e.partition_key) > aws::KinesisLimits::kMaxPartitionKeyChars) {
    return Status::InvalidArgument("partition key longer than 256 characters");
  }
  const size_t cost = RecordCost(e);
  if (cost > limits_.max_record_bytes || cost > limits_.max_bytes) {
    return Status::InvalidArgument("record of " + std::to_string(cost) + " bytes is over the " +
                                   std::to_string(std::min(limits_.max_record_bytes, limits_.max_bytes)) +
                                   "-byte limit");
  }
  return Status::OK();
}

bool Batcher::Fits(const aws::PutRecordsEntry& e) const {
  return current_.records.size() < limits_.max_records && current_.bytes + RecordCost(e) <= limits_.max_bytes;
}

void Batcher::Add(aws::PutRecordsEntry e) {
  current_.bytes += RecordCost(e);
  current_.records.push_back(std::move(e));
}

Batch Batcher::Take() {
  Batch out = std::move(current_);
  current_ = Batch{};
  current_.records.reserve(limits_.max_records);
  return out;
}

}  // namespace sluice::producer
