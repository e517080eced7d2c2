// The producer's CSV reader (src/producer/csv_reader.h). The first bytes choose how the
// input is cut into reads; the rest is the CSV. Invariants:
//   - the rows (fields, line, error, raw bytes) do not depend on how the input arrives;
//   - the reader consumes the whole input, and raw bytes are bytes of the input;
//   - the good rows, written back with every field quoted, read back the same;
//   - a small row limit turns long rows into kRowTooLong without losing the rest.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "check.h"
#include "producer/csv_reader.h"

namespace producer = sluice::producer;

namespace {

struct Row {
  std::vector<std::string> fields;
  uint64_t line;
  producer::CsvRowError error;
  std::string raw;
  bool operator==(const Row&) const = default;
};

struct Read {
  bool header_ok = false;
  std::vector<std::string> header;
  std::vector<Row> rows;
  uint64_t consumed = 0;
};

Read ReadAll(const std::string& csv, size_t source_chunk, producer::CsvReaderOptions options) {
  producer::CsvReader reader(producer::StringSource(csv, source_chunk), options);
  Read out;
  out.header_ok = reader.ReadHeader().ok();
  if (!out.header_ok) return out;
  out.header = reader.header();
  producer::CsvRow row;
  while (true) {
    auto more = reader.Next(&row);
    FUZZ_CHECK(more.ok());  // a string never fails to read
    if (!*more) break;
    out.rows.push_back({row.fields, row.line, row.error, std::string(row.raw)});
  }
  out.consumed = reader.bytes_consumed();
  return out;
}

std::string Quoted(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char c : fields[i]) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out + "\r\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const size_t source_chunk = in.ConsumeIntegralInRange<size_t>(1, 64);
  const size_t read_chunk = in.ConsumeIntegralInRange<size_t>(1, 64);
  const size_t small_limit = in.ConsumeIntegralInRange<size_t>(1, 256);
  const std::string csv = in.ConsumeRemainingBytesAsString();

  const Read whole = ReadAll(csv, SIZE_MAX, {});
  const Read cut = ReadAll(csv, source_chunk, {.read_chunk_bytes = read_chunk});
  FUZZ_CHECK(whole.header_ok == cut.header_ok);
  FUZZ_CHECK(whole.header == cut.header);
  FUZZ_CHECK(whole.rows == cut.rows);
  if (!whole.header_ok) return 0;
  FUZZ_CHECK(whole.consumed == csv.size() && cut.consumed == csv.size());

  std::string good = Quoted(whole.header);
  std::vector<std::vector<std::string>> good_rows;
  uint64_t last_line = 0;
  for (const Row& r : whole.rows) {
    FUZZ_CHECK(r.line > last_line);
    last_line = r.line;
    FUZZ_CHECK(csv.find(r.raw) != std::string::npos);
    if (r.error != producer::CsvRowError::kNone) continue;
    FUZZ_CHECK(r.fields.size() == whole.header.size());
    good += Quoted(r.fields);
    good_rows.push_back(r.fields);
  }
  const Read again = ReadAll(good, SIZE_MAX, {});
  FUZZ_CHECK(again.header_ok && again.header == whole.header && again.rows.size() == good_rows.size());
  for (size_t i = 0; i < good_rows.size(); ++i) {
    FUZZ_CHECK(again.rows[i].error == producer::CsvRowError::kNone && again.rows[i].fields == good_rows[i]);
  }

  const Read limited = ReadAll(csv, source_chunk, {.max_row_bytes = small_limit, .read_chunk_bytes = read_chunk});
  if (limited.header_ok) {
    FUZZ_CHECK(limited.consumed == csv.size());
    for (const Row& r : limited.rows) FUZZ_CHECK(r.line >= 1);
  }
  return 0;
}
