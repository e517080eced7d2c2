// AppendDelimiterToRecord: the processor that ends each record with a newline before it
// is buffered, so the delivered object is one record per line. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sluice::delivery {

inline constexpr char kRecordDelimiter = '\n';

// Appends `record` and then the delimiter to `out` (the record as delivered).
void AppendDelimiterToRecord(std::string& out, std::string_view record);

}  // namespace sluice::delivery
