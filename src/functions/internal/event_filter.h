// Lambda's event filtering (FilterCriteria): EventBridge-style patterns matched against
// each Kinesis record before it is batched. A record is delivered when any filter of
// the mapping matches it; a record no filter matches is dropped (and checkpointed past),
// as Lambda does.
//
// Supported: exact values (strings, numbers compared numerically, true/false/null),
// prefix, suffix, equals-ignore-case, anything-but (values, or a prefix/suffix),
// numeric comparisons and ranges, exists. Refused as unsupported: wildcard, cidr, $or.
// A record is matched as Lambda presents it: the kinesis metadata fields
// (kinesisSchemaVersion, partitionKey, sequenceNumber, approximateArrivalTimestamp) at
// the top level, and `data` as the decoded JSON when the record's data is JSON (absent
// otherwise, so a pattern on data does not match it).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"

namespace sluice::functions::internal {

class EventFilter {
 public:
  // InvalidArgument for a pattern that is not one (the caller answers Lambda's
  // "Invalid filter pattern definition."), NotSupported for an operator sluice does not
  // implement; the message names the problem.
  static Result<EventFilter> Parse(std::string_view pattern);
  bool Matches(const nlohmann::json& event) const;

 private:
  nlohmann::json pattern_;
};

// Any of several filters; no filters at all: everything matches.
class FilterSet {
 public:
  static Result<FilterSet> Parse(const std::vector<std::string>& patterns);
  bool empty() const { return filters_.empty(); }
  // The record as the filters see it (see above); `data` raw bytes.
  bool MatchesRecord(std::string_view partition_key, std::string_view sequence_number,
                     int64_t arrival_ms, std::string_view data) const;

 private:
  std::vector<EventFilter> filters_;
};

}  // namespace sluice::functions::internal
