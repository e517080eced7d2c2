// Turns a CSV row into the JSON record the pipeline carries: one object whose keys
// are the CSV header's column names, in header order, followed by "event_id", a
// random UUID v4 that identifies the event end to end (the reference generated one
// and then dropped it).
//
// Values stay the strings they are in the CSV, including "NA" and the POLYLINE,
// which is a JSON array inside a string column: consumers of the reference read
// strings, and re-typing here would make the record depend on guessing types.
// Thread-compatible: one builder per thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "producer/random.h"

namespace sluice::producer {

inline constexpr std::string_view kEventIdField = "event_id";

class RecordBuilder {
 public:
  // Fails if the header is empty, has a duplicate name, or already has "event_id".
  static Result<RecordBuilder> Create(std::vector<std::string> header);

  // Writes the JSON object for `fields` (which must have header().size() entries)
  // into `json`, and the generated event id into `event_id`.
  void Build(const std::vector<std::string>& fields, Rng& rng, std::string* json, std::string* event_id) const;

  const std::vector<std::string>& header() const { return header_; }
  // The index of a column, or nullopt.
  std::optional<size_t> ColumnIndex(std::string_view name) const;

 private:
  explicit RecordBuilder(std::vector<std::string> header);
  std::vector<std::string> header_;
  std::vector<std::string> key_prefixes_;  // `"NAME":` pre-escaped, with the leading comma
};

}  // namespace sluice::producer
