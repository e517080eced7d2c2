// The catalog's Lambda table: one row per function, its configuration as a JSON
// document that the `functions` module writes and reads (the fields of Lambda's
// FunctionConfiguration plus tags, policy and reserved concurrency). Every call is one
// SQLite transaction, durable when it returns.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"

namespace sluice::catalog {

struct FunctionRow {
  std::string name;
  std::string config_json;
  int64_t updated_ms = 0;
};

// Inserts the function or replaces its row.
Status PutFunction(Catalog& catalog, const FunctionRow& row);
Status RemoveFunction(Catalog& catalog, std::string_view name);
// Every function, ordered by name.
Result<std::vector<FunctionRow>> LoadFunctions(Catalog& catalog);

}  // namespace sluice::catalog
