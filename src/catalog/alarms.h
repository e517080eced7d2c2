// CloudWatch alarms' rows: one record per alarm (a JSON document the metrics module
// owns: configuration and state) and the alarms' history items in order. The catalog
// stores the documents as text and knows nothing of their fields; docs/formats/catalog.md
// lists the tables.
//
// Durability and threading: as catalog.h (each call is one SQLite transaction).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"

namespace sluice::catalog {

struct AlarmRow {
  std::string name;
  std::string record;  // JSON, owned by the metrics module
};

struct AlarmHistoryRow {
  std::string alarm_name;
  int64_t timestamp_ms = 0;
  std::string item;  // JSON, owned by the metrics module
};

// Inserts or replaces the alarm's row.
Status PutAlarm(Catalog& catalog, const AlarmRow& row);
// Deletes the alarms' rows and their history.
Status DeleteAlarms(Catalog& catalog, const std::vector<std::string>& names);
// Every alarm, in name order.
Result<std::vector<AlarmRow>> LoadAlarms(Catalog& catalog);

// Appends history items; keeps at most `keep_per_alarm` of each alarm (the newest).
Status AppendAlarmHistory(Catalog& catalog, const std::vector<AlarmHistoryRow>& rows, int64_t keep_per_alarm);
// Every history item, oldest first.
Result<std::vector<AlarmHistoryRow>> LoadAlarmHistory(Catalog& catalog);

}  // namespace sluice::catalog
