// The `.metadata` object Athena writes beside a result file: a protocol-buffers
// message, undocumented by AWS; the layout below is the one reverse engineered in
// public (a published hexdump of a real file, which result_metadata_test.cc
// reproduces byte for byte) and matched to GetQueryResults' ColumnInfo.
//
//   message ResultMetadata {
//     string query_id = 1;            // Athena: the engine's query id; here the execution id
//     repeated ColumnInfo column = 4;
//   }
//   message ColumnInfo {
//     string catalog_name = 1;        // "hive"
//     string schema_name = 2;         // "" in every file seen
//     string table_name = 3;          // ""
//     string name = 4;
//     string label = 5;               // the name again
//     string type = 6;                // "varchar", "decimal", ...
//     int32 precision = 7;
//     int32 scale = 8;
//     Nullability nullable = 9;       // 3 = UNKNOWN, the only value seen
//     bool case_sensitive = 10;
//   }
// Fields 2, 3, 7, 8 and 10 are inferred from the field order of ColumnInfo in the API
// (the hexdump has them at their defaults, which proto3 leaves out; so do we).
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "query/query.h"

namespace sluice::query {

inline constexpr int kMetadataQueryIdField = 1;
inline constexpr int kMetadataColumnField = 4;
inline constexpr int kNullableUnknown = 3;

std::string EncodeResultMetadata(std::string_view query_id, const std::vector<ColumnInfo>& columns);

}  // namespace sluice::query
