#include "producer/record_builder.h"

#include <set>

#include "aws/json_text.h"

namespace sluice::producer {

std::string UuidV4(Rng& rng) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t hi = rng.Next();
  uint64_t lo = rng.Next();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 10xx
  std::string out(36, '-');
  int pos = 0;
  auto put = [&](uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      out[pos++] = kHex[(v >> (4 * i)) & 0xf];
    }
  };
  put(hi, 16);
  put(lo, 16);
  return out;
}

RecordBuilder::RecordBuilder(std::vector<std::string> header) : header_(std::move(header)) {
  for (size_t i = 0; i < header_.size(); ++i) {
    std::string prefix = i == 0 ? "{" : ",";
    aws::AppendJsonString(&prefix, header_[i]);
    prefix.push_back(':');
    key_prefixes_.push_back(std::move(prefix));
  }
}

Result<RecordBuilder> RecordBuilder::Create(std::vector<std::string> header) {
  if (header.empty()) return Status::InvalidArgument("CSV header has no columns");
  std::set<std::string> seen;
  for (const std::string& h : header) {
    if (h == kEventIdField) return Status::InvalidArgument("CSV already has an event_id column");
    if (!seen.insert(h).second) return Status::InvalidArgument("CSV header repeats column '" + h + "'");
  }
  return RecordBuilder(std::move(header));
}

std::optional<size_t> RecordBuilder::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

void RecordBuilder::Build(const std::vector<std::string>& fields, Rng& rng, std::string* json,
                          std::string* event_id) const {
  *event_id = UuidV4(rng);
  json->clear();
  for (size_t i = 0; i < header_.size(); ++i) {
    json->append(key_prefixes_[i]);
    aws::AppendJsonString(json, i < fields.size() ? std::string_view(fields[i]) : std::string_view());
  }
  json->append(",\"event_id\":\"");
  json->append(*event_id);
  json->append("\"}");
}

}  // namespace sluice::producer
