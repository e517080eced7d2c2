// The catalog's CloudWatch Logs table: one row per log group with its creation time and
// retention (days, or none: kept forever). The events themselves live in files the
// functions module owns. Every call is one SQLite transaction, durable when it returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"

namespace sluice::catalog {

struct LogGroupRow {
  std::string name;
  int64_t created_ms = 0;
  std::optional<int64_t> retention_days;
};

// Inserts the group; AlreadyExists when a group of that name exists.
Status InsertLogGroup(Catalog& catalog, const LogGroupRow& row);
// Sets or clears the retention; NotFound when there is no such group.
Status SetLogGroupRetention(Catalog& catalog, std::string_view name, std::optional<int64_t> days);
// NotFound when there is no such group.
Status RemoveLogGroup(Catalog& catalog, std::string_view name);
// Every group, ordered by name.
Result<std::vector<LogGroupRow>> LoadLogGroups(Catalog& catalog);

}  // namespace sluice::catalog
