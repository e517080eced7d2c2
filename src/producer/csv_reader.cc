#include "producer/csv_reader.h"

#include <algorithm>
#include <cstring>

namespace sluice::producer {

std::string_view CsvRowErrorName(CsvRowError e) {
  switch (e) {
    case CsvRowError::kNone: return "ok";
    case CsvRowError::kWrongColumnCount: return "wrong column count";
    case CsvRowError::kBrokenQuoting: return "broken quoting";
    case CsvRowError::kUnterminatedQuote: return "unterminated quote";
    case CsvRowError::kRowTooLong: return "row too long";
  }
  return "unknown";
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, CsvReaderOptions options)
    : source_(std::move(source)), options_(options) {}

Status CsvReader::Refill() {
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  const size_t old = buf_.size();
  buf_.resize(old + options_.read_chunk_bytes);
  Result<size_t> n = source_->Read(buf_.data() + old, options_.read_chunk_bytes);
  if (!n.ok()) {
    buf_.resize(old);
    return n.status();
  }
  buf_.resize(old + *n);
  if (*n == 0) eof_ = true;
  // A byte-order mark counts only as the input's first bytes: once a row or a blank
  // line has been consumed, the buffer no longer starts at offset 0.
  if (!bom_checked_ && (buf_.size() >= 3 || eof_ || consumed_ > 0)) {
    bom_checked_ = true;
    if (consumed_ == 0 && buf_.compare(0, 3, "\xEF\xBB\xBF") == 0) {
      buf_.erase(0, 3);
      consumed_ += 3;
    }
  }
  return Status::OK();
}

// Parses one row starting at `start`. On kDone, `row` holds the fields, `*raw_end`
// is where the row's text ends and `*next` where the following row starts. On
// kNeedMore nothing is consumed: the caller refills and parses the row again.
CsvReader::Parse CsvReader::ParseRow(size_t start, CsvRow* row, size_t* raw_end, size_t* next) {
  const char* d = buf_.data();
  const size_t e = buf_.size();
  size_t p = start;
  size_t nf = 0;
  row->error = CsvRowError::kNone;
  row->error_detail.clear();
  auto next_field = [&]() -> std::string& {
    if (nf == row->fields.size()) row->fields.emplace_back();
    std::string& f = row->fields[nf++];
    f.clear();
    return f;
  };
  auto mark = [&](CsvRowError err, std::string detail) {
    if (row->error != CsvRowError::kNone) return;
    row->error = err;
    row->error_detail = std::move(detail);
  };
  while (true) {
    std::string& f = next_field();
    if (p < e && d[p] == '"') {
      const size_t field_start = p;
      ++p;
      while (true) {
        const void* q = std::memchr(d + p, '"', e - p);
        if (q == nullptr) {
          if (!eof_) return Parse::kNeedMore;
          f.append(d + p, e - p);
          mark(CsvRowError::kUnterminatedQuote,
               "quoted field " + std::to_string(nf) + " opened at byte " + std::to_string(field_start - start) +
                   " of the row is never closed");
          *raw_end = *next = e;
          row->fields.resize(nf);
          return Parse::kDone;
        }
        const size_t qi = static_cast<const char*>(q) - d;
        f.append(d + p, qi - p);
        p = qi + 1;
        if (p == e && !eof_) return Parse::kNeedMore;
        if (p < e && d[p] == '"') {
          f.push_back('"');
          ++p;
          continue;
        }
        break;
      }
      if (p < e && d[p] != ',' && d[p] != '\n' && d[p] != '\r') {
        mark(CsvRowError::kBrokenQuoting, "text after the closing quote of field " + std::to_string(nf));
      }
    }
    // A bare field, or what follows a closing quote: up to the next delimiter.
    size_t b = p;
    while (b < e && d[b] != ',' && d[b] != '\n' && d[b] != '\r') {
      if (d[b] == '"') mark(CsvRowError::kBrokenQuoting, "quote inside unquoted field " + std::to_string(nf));
      ++b;
    }
    f.append(d + p, b - p);
    p = b;
    if (p == e) {
      if (!eof_) return Parse::kNeedMore;
      *raw_end = *next = e;
      break;
    }
    if (d[p] == ',') {
      ++p;
      continue;
    }
    *raw_end = p;
    if (d[p] == '\r') {
      if (p + 1 == e && !eof_) return Parse::kNeedMore;
      *next = (p + 1 < e && d[p + 1] == '\n') ? p + 2 : p + 1;
    } else {
      *next = p + 1;
    }
    break;
  }
  row->fields.resize(nf);
  return Parse::kDone;
}

Result<bool> CsvReader::Next(CsvRow* row) {
  while (true) {
    if (pos_ >= buf_.size()) {
      if (eof_) return false;
      RETURN_IF_ERROR(Refill());
      continue;
    }
    // A blank line is no row.
    if (buf_[pos_] == '\n' || buf_[pos_] == '\r') {
      if (buf_[pos_] == '\r' && pos_ + 1 == buf_.size() && !eof_) {
        RETURN_IF_ERROR(Refill());
        continue;
      }
      const size_t len = (buf_[pos_] == '\r' && pos_ + 1 < buf_.size() && buf_[pos_ + 1] == '\n') ? 2 : 1;
      pos_ += len;
      consumed_ += len;
      ++line_;
      continue;
    }
    size_t raw_end = 0;
    size_t next = 0;
    if (ParseRow(pos_, row, &raw_end, &next) == Parse::kNeedMore) {
      if (buf_.size() - pos_ > options_.max_row_bytes) {
        // Give up on this row: drop everything up to the next line break.
        row->fields.clear();
        row->line = line_;
        row->error = CsvRowError::kRowTooLong;
        row->error_detail = "row longer than " + std::to_string(options_.max_row_bytes) + " bytes";
        while (true) {
          const size_t nl = buf_.find('\n', pos_);
          if (nl != std::string::npos) {
            line_ += std::count(buf_.begin() + static_cast<ptrdiff_t>(pos_), buf_.begin() + static_cast<ptrdiff_t>(nl), '\n') + 1;
            consumed_ += nl + 1 - pos_;
            pos_ = nl + 1;
            break;
          }
          consumed_ += buf_.size() - pos_;
          pos_ = buf_.size();
          if (eof_) break;
          RETURN_IF_ERROR(Refill());
        }
        row->raw = {};
        return true;
      }
      RETURN_IF_ERROR(Refill());
      continue;
    }
    row->line = line_;
    row->raw = std::string_view(buf_.data() + pos_, raw_end - pos_);
    line_ += std::count(row->raw.begin(), row->raw.end(), '\n') + (next > raw_end ? 1 : 0);
    consumed_ += next - pos_;
    pos_ = next;
    if (row->error == CsvRowError::kNone && !header_.empty() && row->fields.size() != header_.size()) {
      row->error = CsvRowError::kWrongColumnCount;
      row->error_detail = std::to_string(row->fields.size()) + " fields, the header has " + std::to_string(header_.size());
    }
    return true;
  }
}

Status CsvReader::ReadHeader() {
  CsvRow row;
  ASSIGN_OR_RETURN(const bool got, Next(&row));
  if (!got) return Status::InvalidArgument("CSV input is empty: no header row");
  if (row.error != CsvRowError::kNone) {
    return Status::InvalidArgument("CSV header on line " + std::to_string(row.line) + ": " +
                                   std::string(CsvRowErrorName(row.error)) + " (" + row.error_detail + ")");
  }
  header_ = std::move(row.fields);
  return Status::OK();
}

}  // namespace sluice::producer
