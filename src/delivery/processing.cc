#include "delivery/processing.h"

namespace sluice::delivery {

void AppendDelimiterToRecord(std::string& out, std::string_view record) {
  out.reserve(out.size() + record.size() + 1);
  out.append(record);
  out.push_back(kRecordDelimiter);
}

std::vector<std::string_view> DelimitRecords(std::span<const std::string_view> records) {
  static constexpr char kDelimiter[] = {kRecordDelimiter};
  std::vector<std::string_view> pieces;
  pieces.reserve(records.empty() ? 0 : 2 * records.size() - 1);
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) pieces.emplace_back(kDelimiter, 1);
    pieces.push_back(records[i]);
  }
  return pieces;
}

}  // namespace sluice::delivery
