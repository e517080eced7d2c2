// The catalog's Athena query executions: what the query module remembers of each
// execution (state, statistics, result location, column info), so GetQueryExecution,
// ListQueryExecutions and GetQueryResults answer after a restart. The row is the
// query module's; this store only keeps it. Every call is one SQLite transaction,
// durable when it returns.
// Threading: as Catalog (calls are serialized by its lock).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"

namespace sluice::catalog {

struct QueryExecutionRow {
  std::string id;
  int64_t seq = 0;  // order of submission; unique
  std::string query;
  std::string database;
  std::string workgroup;
  std::string output_location;
  std::string statement_type;
  std::string state;  // QUEUED | RUNNING | SUCCEEDED | FAILED | CANCELLED
  std::string state_change_reason;
  int64_t error_category = 0;
  int64_t submitted_ms = 0;
  int64_t completed_ms = 0;
  int64_t engine_ms = 0;
  int64_t queued_ms = 0;
  int64_t bytes_scanned = 0;
  std::string client_request_token;
  std::string columns;  // the result's column info, "name\ttype" lines
  bool operator==(const QueryExecutionRow&) const = default;
};

// Inserts the execution or replaces the one with its id.
Status PutQueryExecution(Catalog& catalog, const QueryExecutionRow& row);
// Removes it; nothing when absent.
Status RemoveQueryExecution(Catalog& catalog, const std::string& id);
// Every execution, oldest (lowest seq) first.
Result<std::vector<QueryExecutionRow>> LoadQueryExecutions(Catalog& catalog);

}  // namespace sluice::catalog
