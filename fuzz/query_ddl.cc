// The query module's statement parser and script splitter (src/query/internal/ddl.h)
// and the JSON row reader (internal/rows.h) with decompression (internal/decode.h).
// Invariants: no crash on any input; a parsed CREATE TABLE has an s3:// location ending
// in '/', lower-case names and at least one column; split statements are never empty;
// every parsed row has the table's width.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "check.h"
#include "internal/ddl.h"
#include "internal/decode.h"
#include "internal/rows.h"

namespace query = sluice::query;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool lenient = in.ConsumeBool();
  const std::string text = in.ConsumeRemainingBytesAsString();
  for (const std::string& st : query::SplitStatements(text)) FUZZ_CHECK(!st.empty());
  auto parsed = query::ParseStatement(text);
  if (parsed.ok()) {
    if (const auto* c = std::get_if<query::CreateTable>(&*parsed)) {
      FUZZ_CHECK(c->row.location.starts_with("s3://") && c->row.location.back() == '/');
      FUZZ_CHECK(!c->row.columns.empty());
      for (const auto& col : c->row.columns) {
        for (const char ch : col.name) FUZZ_CHECK(ch < 'A' || ch > 'Z');
      }
    }
  }
  query::RowSpec spec;
  spec.types = {query::ParseColumnType("string"), query::ParseColumnType("int"),
                query::ParseColumnType("timestamp"), query::ParseColumnType("array<int>")};
  spec.by_key = {{"a", 0}, {"b", 1}, {"c", 2}, {"d", 3}};
  spec.ignore_malformed = lenient;
  auto decoded = query::Decode("fuzz", text);
  auto rows = query::ParseRows(spec, "s3://fuzz/x", decoded.ok() ? *decoded : text);
  if (rows.ok()) FUZZ_CHECK(rows->cells.size() % 4 == 0);
  return 0;
}
