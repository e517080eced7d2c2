#include "delivery/processing.h"

namespace sluice::delivery {

void AppendDelimiterToRecord(std::string& out, std::string_view record) {
  out.reserve(out.size() + record.size() + 1);
  out.append(record);
  out.push_back(kRecordDelimiter);
}

}  // namespace sluice::delivery
