// JSON text to rows, as the openx JsonSerDe reads it: one JSON object per line, or one
// JSON array of objects per object (each element a row); keys matched to columns
// case-insensitively unless 'case.insensitive'='false'; 'mapping.<column>' renames;
// values converted to the column's type (a value that does not convert is NULL, as the
// SerDe does); a malformed row is an error naming the object and line, or skipped and
// counted with 'ignore.malformed.json'='true'. Thread-safe: each call has its own parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "internal/types.h"

namespace sluice::query {

struct Cell {
  enum class Type : uint8_t { kNull, kInt, kDouble, kText, kBlob };  // kBlob: a decimal (decimal.h)
  Type type = Type::kNull;
  int64_t i = 0;
  double d = 0;
  std::string s;  // kText, kBlob
};

struct RowSpec {
  std::vector<ColumnType> types;                  // one per data column
  std::unordered_map<std::string, int> by_key;    // JSON key (lower-case if ci) -> column
  bool case_insensitive = true;
  bool ignore_malformed = false;
};

struct ParsedRows {
  size_t width = 0;         // cells per row
  std::vector<Cell> cells;  // row-major
  int64_t malformed = 0;    // rows skipped under ignore.malformed.json
  size_t rows() const { return width == 0 ? 0 : cells.size() / width; }
};

// A scalar given as text (a number's token, a string's contents, a partition value)
// converted to the column's type; stays NULL when it does not convert.
void CellFromText(Cell& c, const ColumnType& type, std::string_view text, bool was_number);

// `path` ("s3://bucket/key") names the object in errors.
Result<ParsedRows> ParseRows(const RowSpec& spec, std::string_view path, std::string text);

}  // namespace sluice::query
