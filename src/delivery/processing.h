// AppendDelimiterToRecord: the processor that separates the records of a delivered object
// with a newline, so the object is one record per line. Pure, thread-safe.
//
// AWS puts the delimiter *between* the records of an object, not after the last one
// (three records a, b, c are delivered as "a\nb\nc"), as users comparing real objects
// report; DelimitRecords builds exactly that body. AppendDelimiterToRecord is the
// per-record form (record, then delimiter): an object built with it alone ends with a
// delimiter that AWS's objects do not have.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::delivery {

inline constexpr char kRecordDelimiter = '\n';

// Appends `record` and then the delimiter to `out`.
void AppendDelimiterToRecord(std::string& out, std::string_view record);

// The pieces of an object body with the processor applied: the records with a view of the
// delimiter between each two (r1, "\n", r2, "\n", r3), for Compress. No copy: the views
// point into `records`' data (which must outlive them) and a static delimiter.
std::vector<std::string_view> DelimitRecords(std::span<const std::string_view> records);

}  // namespace sluice::delivery
