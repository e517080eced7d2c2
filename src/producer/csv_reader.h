// A streaming RFC 4180 CSV reader. It holds one row (plus one read buffer) in
// memory at a time, so a 2 GB file streams in constant space.
//
// Accepted: quoted fields with embedded commas, doubled quotes and line breaks;
// LF, CRLF or lone CR line ends; a UTF-8 byte-order mark at the start; bare
// (unquoted) values such as NA; blank lines (skipped). Malformed rows do not stop
// the reader: each comes back with an error kind, the line it starts on and its raw
// bytes, and reading resumes at the next row. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "producer/byte_source.h"

namespace sluice::producer {

enum class CsvRowError {
  kNone,
  kWrongColumnCount,   // field count differs from the header's
  kBrokenQuoting,      // a quote inside a bare field, or text after a closing quote
  kUnterminatedQuote,  // a quoted field still open at end of input
  kRowTooLong,         // over max_row_bytes; skipped to the next line break
};

std::string_view CsvRowErrorName(CsvRowError e);

struct CsvRow {
  std::vector<std::string> fields;
  uint64_t line = 0;  // 1-based physical line on which the row starts
  CsvRowError error = CsvRowError::kNone;
  std::string error_detail;
  // The row's bytes as read, without its line break; valid until the next call.
  std::string_view raw;
};

struct CsvReaderOptions {
  // A row longer than this is rejected rather than buffered: an unbalanced quote
  // would otherwise swallow the rest of a large file into memory. Kinesis records are
  // at most 1 MiB, so a longer row could never be sent anyway.
  size_t max_row_bytes = 8 << 20;
  size_t read_chunk_bytes = 1 << 20;
};

class CsvReader {
 public:
  explicit CsvReader(std::unique_ptr<ByteSource> source, CsvReaderOptions options = {});

  // Reads the first row as the header; fails on empty input or a malformed header.
  // After this, rows with a different field count are kWrongColumnCount.
  Status ReadHeader();
  const std::vector<std::string>& header() const { return header_; }

  // Fills `row` with the next row; false at end of input. Errors are I/O only.
  Result<bool> Next(CsvRow* row);

  // Bytes consumed so far (for progress).
  uint64_t bytes_consumed() const { return consumed_; }
  int64_t size_hint() const { return source_->SizeHint(); }

 private:
  enum class Parse { kDone, kNeedMore };
  Parse ParseRow(size_t start, CsvRow* row, size_t* raw_end, size_t* next);
  Status Refill();

  std::unique_ptr<ByteSource> source_;
  CsvReaderOptions options_;
  std::string buf_;
  size_t pos_ = 0;      // start of the unread data in buf_
  bool eof_ = false;
  bool bom_checked_ = false;
  uint64_t line_ = 1;
  uint64_t consumed_ = 0;
  std::vector<std::string> header_;
};

}  // namespace sluice::producer
