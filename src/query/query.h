// The query module: SQL over the lake. The Hive/Athena DDL (databases, external JSON
// tables over s3:// locations, partitions) kept in the catalog, SELECT run by SQLite
// over a virtual table that scans the objects under a table's LOCATION, and
// Athena-style query executions (queued, run on a pool, results kept and written as
// CSV plus .metadata to an output location).
//
// Threading: Engine and Executions are thread-safe. Engine::Execute blocks for the
// whole statement (catalog commits, object reads, parsing on the engine's scan pool);
// call it off I/O threads. Executions runs statements on its own pool and answers
// every call without blocking on a running statement.
// Lifetime: the catalog and the object store must outlive both.
// Durability: DDL is durable when its statement succeeds (a catalog transaction).
// Executions are written to the catalog on every state change (the newest
// kMaxRemembered are kept); their results are the files written to the output
// location, read back after a restart. One queued or running when the server stopped
// comes back FAILED (Athena's internal-error wording, error category 1 SYSTEM).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/expected.h"
#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/lake.h"
#include "objects/object_store.h"

namespace sluice {
class WorkPool;
}

namespace sluice::query {

struct ColumnInfo {
  std::string name;
  std::string type;  // Athena's name: varchar, integer, bigint, double, boolean, ...
  int precision = 0;  // decimal(p,s) columns only
  int scale = 0;
  bool operator==(const ColumnInfo&) const = default;
};

// ColumnInfo.Precision as Athena reports it: 2147483647 for text, 10 integer, 19 bigint,
// 17 double, a decimal's precision, else 0.
int64_t AthenaPrecision(const ColumnInfo& c);
// ColumnInfo.CaseSensitive: true for text columns.
bool AthenaCaseSensitive(const ColumnInfo& c);

struct QueryResult {
  bool is_select = false;  // Athena adds a header row to SELECT results only
  std::string statement_type = "DDL";  // DDL | DML (SELECT) | UTILITY (SHOW, DESCRIBE)
  std::vector<ColumnInfo> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // text as Athena prints it
  uint64_t bytes_scanned = 0;
};

struct ExecuteOptions {
  std::string database = "default";  // for unqualified table names
  // Set from another thread to stop the statement (it then fails Cancelled-like:
  // StatusCode::kUnavailable with "Query cancelled").
  const std::atomic<bool>* cancel = nullptr;
  // Raised as objects are read: bytes of stored (compressed) object data so far.
  std::atomic<uint64_t>* bytes_scanned = nullptr;
};

struct EngineOptions {
  int scan_threads = 2;  // objects parsed in parallel; rows reach SQLite in key order
  int read_ahead = 4;    // objects in flight per scan
};

class Engine {
 public:
  Engine(catalog::Catalog& catalog, objects::ObjectStore& store, EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs one statement. User errors (syntax, unknown table, malformed data) are
  // InvalidArgument or NotSupported with Athena's wording and the position where there
  // is one; the object store's failures are IOError.
  Result<QueryResult> Execute(std::string_view sql, const ExecuteOptions& options);

  // Catalog reads for the Athena metadata actions.
  Result<std::vector<std::string>> ListDatabases();
  // NotFound when the database is absent.
  Result<std::vector<catalog::LakeTableRow>> ListTables(const std::string& database);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits a script on ';' outside quotes and comments; each statement is trimmed of
// surrounding white space (positions in errors count from its start); empty ones are dropped.
std::vector<std::string> SplitStatements(std::string_view script);

// A value as Athena's result CSV writes it: quoted, quotes doubled; a null is empty.
std::string CsvField(const std::optional<std::string>& value);
// Reads back what CsvField wrote, rows ending in '\n': an unquoted empty field is null.
std::vector<std::vector<std::optional<std::string>>> ParseResultCsv(std::string_view csv);

// ---------------------------------------------------------------- Athena executions

enum class QueryErrorType { kInvalidRequest, kInternalServer };

struct QueryError {
  QueryErrorType code = QueryErrorType::kInvalidRequest;
  std::string message;
  std::string athena_error_code;  // AthenaErrorCode, e.g. "INVALID_INPUT"
};

template <typename T>
using QueryResultOr = Expected<T, QueryError>;

enum class QueryState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
std::string_view QueryStateName(QueryState s);

struct StartRequest {
  std::string query;
  std::string database;         // QueryExecutionContext.Database; empty: "default"
  std::string output_location;  // ResultConfiguration.OutputLocation, s3://bucket/prefix/
  std::string workgroup = "primary";
  std::string client_request_token;  // the same token returns the same execution
};

struct ExecutionInfo {
  std::string id;
  std::string query;
  std::string database;
  std::string workgroup;
  std::string output_location;  // the result file: s3://bucket/prefix/<id>.csv (or .txt)
  std::string statement_type;
  QueryState state = QueryState::kQueued;
  std::string state_change_reason;
  int error_category = 0;  // FAILED: 1 system, 2 user (Athena's AthenaError.ErrorCategory)
  int64_t submitted_ms = 0;
  int64_t completed_ms = 0;  // 0 until done
  int64_t engine_ms = 0;
  int64_t queued_ms = 0;
  uint64_t bytes_scanned = 0;
};

struct ResultsPage {
  const std::vector<ColumnInfo>* columns = nullptr;  // valid while the Executions lives
  bool with_header = false;  // whether the first row of `rows` is the header
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::string next_token;  // empty: no more
  std::shared_ptr<const QueryResult> keep;  // owns what `columns` points at
};

class Executions {
 public:
  // Loads the executions the catalog remembers (see Durability above).
  static Result<std::unique_ptr<Executions>> Open(Engine& engine, objects::ObjectStore& store,
                                                  catalog::Catalog& catalog, const Clock& clock,
                                                  int threads = 2);
  // Starts empty: use Open.
  Executions(Engine& engine, objects::ObjectStore& store, catalog::Catalog& catalog, const Clock& clock,
             int threads = 2);
  ~Executions();  // cancels running statements and waits for them

  // InvalidRequest when no output location is given or it is not s3://bucket/...
  QueryResultOr<std::string> Start(const StartRequest& request);
  QueryResultOr<ExecutionInfo> Get(std::string_view id) const;
  // `max` 1..1000 rows, header included. InvalidRequest unless SUCCEEDED; InternalServer
  // when the result file of an execution recovered after a restart cannot be read.
  QueryResultOr<ResultsPage> Results(std::string_view id, std::string_view token, int max) const;
  // Cancels a queued or running execution; nothing for a finished one.
  QueryResultOr<Done> Stop(std::string_view id);
  // Ids, newest first, of `workgroup`.
  std::vector<std::string> List(std::string_view workgroup) const;

  // How many finished executions are remembered; older ones are forgotten.
  static constexpr size_t kMaxRemembered = 1000;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sluice::query
