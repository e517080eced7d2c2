// Executions: Athena's asynchronous query life cycle over the Engine.
#include <cstdio>
#include <map>
#include <random>

#include "base/mutex.h"
#include "base/work_pool.h"
#include "catalog/query_executions.h"
#include "internal/lake_vtab.h"
#include "internal/result_metadata.h"
#include "query/query.h"

namespace sluice::query {
namespace {

std::string NewId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t a = rng();
  const uint64_t b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(0x4000 | (a & 0x0fff)),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

QueryError Invalid(std::string message, std::string code = "INVALID_INPUT") {
  return {QueryErrorType::kInvalidRequest, std::move(message), std::move(code)};
}

// An execution that was queued or running when the server stopped is FAILED with the
// words Athena uses for an engine failure that is not the query's fault.
constexpr std::string_view kInterrupted =
    "[ErrorCode: INTERNAL_ERROR_QUERY_ENGINE] Amazon Athena experienced an internal error while executing "
    "this query. Please contact AWS support for further assistance. You will not be charged for this query. "
    "We apologize for the inconvenience. (The server stopped while the query was ";

std::optional<QueryState> StateFromName(std::string_view name) {
  for (const QueryState s : {QueryState::kQueued, QueryState::kRunning, QueryState::kSucceeded,
                             QueryState::kFailed, QueryState::kCancelled}) {
    if (QueryStateName(s) == name) return s;
  }
  return std::nullopt;
}

// Column info as the catalog keeps it: "name\ttype" lines, with \\, \t and \n escaped.
std::string EncodeColumns(const std::vector<ColumnInfo>& columns) {
  std::string out;
  const auto put = [&out](std::string_view text) {
    for (const char c : text) {
      if (c == '\\') out += "\\\\";
      else if (c == '\t') out += "\\t";
      else if (c == '\n') out += "\\n";
      else out += c;
    }
  };
  for (const ColumnInfo& c : columns) {
    put(c.name);
    out += '\t';
    put(c.type);
    if (c.precision > 0) out += "(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
    out += '\n';
  }
  return out;
}

std::vector<ColumnInfo> DecodeColumns(std::string_view text) {
  std::vector<ColumnInfo> out;
  ColumnInfo current;
  std::string* field = &current.name;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      const char n = text[++i];
      *field += n == 't' ? '\t' : n == 'n' ? '\n' : n;
    } else if (c == '\t') {
      field = &current.type;
    } else if (c == '\n') {
      if (const size_t open = current.type.find('('); open != std::string::npos) {
        std::sscanf(current.type.c_str() + open, "(%d,%d)", &current.precision, &current.scale);
        current.type.resize(open);
      }
      out.push_back(std::move(current));
      current = {};
      field = &current.name;
    } else {
      *field += c;
    }
  }
  return out;
}

}  // namespace

std::vector<std::vector<std::optional<std::string>>> ParseResultCsv(std::string_view csv) {
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::vector<std::optional<std::string>> row;
  size_t i = 0;
  while (i < csv.size()) {
    std::optional<std::string> field;
    if (csv[i] == '"') {
      field.emplace();
      for (++i; i < csv.size(); ++i) {
        if (csv[i] != '"') {
          *field += csv[i];
        } else if (i + 1 < csv.size() && csv[i + 1] == '"') {
          *field += '"';
          ++i;
        } else {
          ++i;
          break;
        }
      }
    } else {
      const size_t end = csv.find_first_of(",\n", i);
      const size_t stop = end == std::string_view::npos ? csv.size() : end;
      if (stop > i) field.emplace(csv.substr(i, stop - i));
      i = stop;
    }
    row.push_back(std::move(field));
    if (i >= csv.size() || csv[i] == '\n') {
      rows.push_back(std::move(row));
      row.clear();
    }
    if (i < csv.size()) ++i;  // the ',' or '\n'
  }
  return rows;
}

std::string CsvField(const std::optional<std::string>& v) {
  if (!v) return "";
  std::string out = "\"";
  for (const char c : *v) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string_view QueryStateName(QueryState s) {
  switch (s) {
    case QueryState::kQueued: return "QUEUED";
    case QueryState::kRunning: return "RUNNING";
    case QueryState::kSucceeded: return "SUCCEEDED";
    case QueryState::kFailed: return "FAILED";
    case QueryState::kCancelled: return "CANCELLED";
  }
  return "FAILED";
}

struct Executions::Impl {
  struct Entry {
    ExecutionInfo info;
    int64_t seq = 0;
    std::string token;
    std::vector<ColumnInfo> columns;  // of a finished statement, for one read back after a restart
    std::atomic<bool> cancel{false};
    std::atomic<uint64_t> bytes{0};
    std::shared_ptr<const QueryResult> result;
  };

  Engine& engine;
  objects::ObjectStore& store;
  catalog::Catalog& catalog;
  const Clock& clock;
  mutable Mutex mu;
  std::map<std::string, std::shared_ptr<Entry>> by_id GUARDED_BY(mu);
  std::vector<std::string> order GUARDED_BY(mu);  // oldest first
  int64_t next_seq GUARDED_BY(mu) = 1;
  std::unique_ptr<WorkPool> pool;

  Impl(Engine& e, objects::ObjectStore& s, catalog::Catalog& cat, const Clock& c)
      : engine(e), store(s), catalog(cat), clock(c) {}

  // Writes the entry's state to the catalog. Under `mu`, so writes of one execution
  // reach the catalog in the order its states changed.
  Status Persist(const Entry& e) REQUIRES(mu) {
    const ExecutionInfo& i = e.info;
    return catalog::PutQueryExecution(
        catalog, {.id = i.id,
                  .seq = e.seq,
                  .query = i.query,
                  .database = i.database,
                  .workgroup = i.workgroup,
                  .output_location = i.output_location,
                  .statement_type = i.statement_type,
                  .state = std::string(QueryStateName(i.state)),
                  .state_change_reason = i.state_change_reason,
                  .error_category = i.error_category,
                  .submitted_ms = i.submitted_ms,
                  .completed_ms = i.completed_ms,
                  .engine_ms = i.engine_ms,
                  .queued_ms = i.queued_ms,
                  .bytes_scanned = static_cast<int64_t>(i.bytes_scanned),
                  .client_request_token = e.token,
                  .columns = EncodeColumns(e.columns)});
  }

  // Loads what the catalog remembers; an execution left queued or running by the
  // last process is FAILED now (its statement is gone with that process).
  Status Recover() {
    ASSIGN_OR_RETURN(std::vector<catalog::QueryExecutionRow> rows, catalog::LoadQueryExecutions(catalog));
    const MutexLock lock(mu);
    for (catalog::QueryExecutionRow& r : rows) {
      auto e = std::make_shared<Entry>();
      e->seq = r.seq;
      e->token = std::move(r.client_request_token);
      e->columns = DecodeColumns(r.columns);
      ExecutionInfo& i = e->info;
      i.id = std::move(r.id);
      i.query = std::move(r.query);
      i.database = std::move(r.database);
      i.workgroup = std::move(r.workgroup);
      i.output_location = std::move(r.output_location);
      i.statement_type = std::move(r.statement_type);
      i.state = StateFromName(r.state).value_or(QueryState::kFailed);
      i.state_change_reason = std::move(r.state_change_reason);
      i.error_category = static_cast<int>(r.error_category);
      i.submitted_ms = r.submitted_ms;
      i.completed_ms = r.completed_ms;
      i.engine_ms = r.engine_ms;
      i.queued_ms = r.queued_ms;
      i.bytes_scanned = static_cast<uint64_t>(r.bytes_scanned);
      if (i.state == QueryState::kQueued || i.state == QueryState::kRunning) {
        i.state_change_reason = std::string(kInterrupted) +
                                (i.state == QueryState::kQueued ? "queued.)" : "running.)");
        i.state = QueryState::kFailed;
        i.error_category = 1;
        i.completed_ms = clock.NowMillis();
        RETURN_IF_ERROR(Persist(*e));
      }
      next_seq = std::max(next_seq, e->seq + 1);
      order.push_back(i.id);
      by_id[i.id] = std::move(e);
    }
    return Status::OK();
  }

  // The result of a SUCCEEDED execution: in memory, or read back from its result
  // file (an execution recovered after a restart); cached once read.
  QueryResultOr<std::shared_ptr<const QueryResult>> LoadResult(const std::shared_ptr<Entry>& e) {
    std::string location;
    {
      const MutexLock lock(mu);
      if (e->result) return e->result;
      location = e->info.output_location;
    }
    std::string bucket, key;
    SplitLocation(location, bucket, key);
    auto got = store.Get(bucket, key, std::nullopt);
    if (!got.ok()) {
      return Unexpected<QueryError>(QueryError{QueryErrorType::kInternalServer,
                                               "Unable to read query results from " + location + ": " +
                                                   got.error().message,
                                               ""});
    }
    auto result = std::make_shared<QueryResult>();
    result->is_select = key.size() > 4 && key.ends_with(".csv");
    const MutexLock lock(mu);
    result->columns = e->columns;
    result->statement_type = e->info.statement_type;
    if (result->is_select) {
      result->rows = ParseResultCsv(got->data);
      if (!result->rows.empty()) result->rows.erase(result->rows.begin());  // the header
    } else {
      std::string_view text = got->data;
      while (!text.empty()) {
        const size_t nl = text.find('\n');
        result->rows.push_back({std::string(text.substr(0, nl))});
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
      }
    }
    if (!e->result) e->result = std::move(result);
    return e->result;
  }

  // `e->info` is read and written under `mu` only: Get copies it from other threads.
  void RunOne(const std::shared_ptr<Entry>& e) {
    ExecutionInfo mine;
    {
      const MutexLock lock(mu);
      if (e->info.state != QueryState::kQueued) return;  // cancelled while queued
      e->info.state = QueryState::kRunning;
      e->info.queued_ms = clock.NowMillis() - e->info.submitted_ms;
      mine = e->info;
      // Not persisted, the execution stays QUEUED in the catalog; a restart fails it either way.
      (void)Persist(*e);
    }
    const int64_t start = clock.NowMillis();
    ExecuteOptions opt{.database = mine.database, .cancel = &e->cancel, .bytes_scanned = &e->bytes};
    Result<QueryResult> r = engine.Execute(mine.query, opt);
    std::string failure;
    int category = 2;
    std::shared_ptr<const QueryResult> result;
    std::string result_file;
    if (r.ok()) {
      result = std::make_shared<const QueryResult>(std::move(*r));
      Result<std::string> written = WriteResults(mine, *result);
      if (written.ok()) {
        result_file = std::move(*written);
      } else {
        failure = written.status().message();
        category = 1;
      }
    } else {
      failure = r.status().message();
      const StatusCode code = r.status().code();
      category = code == StatusCode::kInvalidArgument || code == StatusCode::kNotSupported ? 2 : 1;
    }
    const MutexLock lock(mu);
    e->info.engine_ms = clock.NowMillis() - start;
    e->info.completed_ms = clock.NowMillis();
    e->info.bytes_scanned = e->bytes.load();
    if (e->cancel.load()) {
      e->info.state = QueryState::kCancelled;
    } else if (!failure.empty()) {
      e->info.state = QueryState::kFailed;
      e->info.state_change_reason = failure;
      e->info.error_category = category;
    } else {
      e->info.state = QueryState::kSucceeded;
      e->info.output_location = std::move(result_file);
      e->info.statement_type = result->statement_type;
      e->columns = result->columns;
      e->result = std::move(result);
    }
    // Not persisted, a restart reports the execution FAILED (interrupted), as it reports
    // one that was running: the catalog never holds a state that did not happen.
    (void)Persist(*e);
  }

  // The result file (CSV, with a header for SELECT; .txt lines for DDL) and its
  // .metadata beside it, as Athena leaves them in the output location.
  // Returns the result file's s3:// name.
  Result<std::string> WriteResults(const ExecutionInfo& info, const QueryResult& r) {
    std::string bucket, prefix;
    SplitLocation(info.output_location, bucket, prefix);
    std::string body;
    if (r.is_select) {
      for (size_t i = 0; i < r.columns.size(); ++i) body += (i ? "," : "") + CsvField(r.columns[i].name);
      body += "\n";
      for (const auto& row : r.rows) {
        for (size_t i = 0; i < row.size(); ++i) body += (i ? "," : "") + CsvField(row[i]);
        body += "\n";
      }
    } else {
      for (const auto& row : r.rows) body += row.empty() || !row[0] ? "\n" : *row[0] + "\n";
    }
    const std::string key = prefix + info.id + (r.is_select ? ".csv" : ".txt");
    const std::string meta = EncodeResultMetadata(info.id, r.columns);
    auto put = store.Put(bucket, key, body, {.content_type = r.is_select ? "text/csv" : "text/plain"});
    if (!put.ok()) {
      return Status::IOError("Unable to write query results to " + info.output_location + ": " + put.error().message);
    }
    auto put_meta = store.Put(bucket, key + ".metadata", meta, {.content_type = "application/octet-stream"});
    if (!put_meta.ok()) return Status::IOError("Unable to write query metadata: " + put_meta.error().message);
    return "s3://" + bucket + "/" + key;
  }

  void Forget() REQUIRES(mu) {
    while (order.size() > kMaxRemembered) {
      const auto it = by_id.find(order.front());
      if (it != by_id.end() && (it->second->info.state == QueryState::kQueued ||
                                it->second->info.state == QueryState::kRunning)) {
        break;
      }
      // Not removed from the catalog, it is loaded and forgotten again at the next start.
      (void)catalog::RemoveQueryExecution(catalog, order.front());
      by_id.erase(order.front());
      order.erase(order.begin());
    }
  }
};

Executions::Executions(Engine& engine, objects::ObjectStore& store, catalog::Catalog& catalog, const Clock& clock,
                       int threads)
    : impl_(std::make_shared<Impl>(engine, store, catalog, clock)) {
  impl_->pool = std::make_unique<WorkPool>(std::max(1, threads), "athena");
}

Result<std::unique_ptr<Executions>> Executions::Open(Engine& engine, objects::ObjectStore& store,
                                                     catalog::Catalog& catalog, const Clock& clock, int threads) {
  auto out = std::make_unique<Executions>(engine, store, catalog, clock, threads);
  RETURN_IF_ERROR(out->impl_->Recover().WithContext("loading query executions"));
  {
    const MutexLock lock(out->impl_->mu);
    out->impl_->Forget();
  }
  return out;
}

Executions::~Executions() {
  {
    const MutexLock lock(impl_->mu);
    for (auto& [id, e] : impl_->by_id) e->cancel.store(true);
  }
  impl_->pool.reset();
}

QueryResultOr<std::string> Executions::Start(const StartRequest& request) {
  std::string bucket, prefix;
  if (request.output_location.empty()) {
    return Unexpected<QueryError>(Invalid(
        "No output location provided. An output location is required either through the Workgroup result "
        "configuration setting or as an API input."));
  }
  if (!SplitLocation(request.output_location, bucket, prefix)) {
    return Unexpected<QueryError>(Invalid("outputLocation is not a valid S3 path. Provided " + request.output_location));
  }
  auto entry = std::make_shared<Impl::Entry>();
  {
    const MutexLock lock(impl_->mu);
    if (!request.client_request_token.empty()) {
      for (const auto& [id, e] : impl_->by_id) {
        if (e->token == request.client_request_token) {
          if (e->info.query != request.query) {
            return Unexpected<QueryError>(Invalid("Idempotent parameters do not match", "INVALID_INPUT"));
          }
          return id;
        }
      }
    }
    entry->info.id = NewId();
    entry->token = request.client_request_token;
    entry->info.query = request.query;
    entry->info.database = request.database.empty() ? "default" : request.database;
    entry->info.workgroup = request.workgroup.empty() ? "primary" : request.workgroup;
    std::string loc = request.output_location;
    if (loc.back() != '/') loc += '/';
    entry->info.output_location = loc;
    entry->info.submitted_ms = impl_->clock.NowMillis();
    entry->seq = impl_->next_seq++;
    const Status persisted = impl_->Persist(*entry);
    if (!persisted.ok()) {
      return Unexpected<QueryError>(QueryError{QueryErrorType::kInternalServer, persisted.message(), ""});
    }
    impl_->by_id[entry->info.id] = entry;
    impl_->order.push_back(entry->info.id);
    impl_->Forget();
  }
  std::weak_ptr<Impl> weak = impl_;
  impl_->pool->Post([weak, entry] {
    if (auto impl = weak.lock()) impl->RunOne(entry);
  });
  return entry->info.id;
}

QueryResultOr<ExecutionInfo> Executions::Get(std::string_view id) const {
  const MutexLock lock(impl_->mu);
  const auto it = impl_->by_id.find(std::string(id));
  if (it == impl_->by_id.end()) {
    return Unexpected<QueryError>(Invalid("QueryExecution " + std::string(id) + " was not found"));
  }
  ExecutionInfo info = it->second->info;
  if (info.state == QueryState::kRunning) info.bytes_scanned = it->second->bytes.load();
  return info;
}

QueryResultOr<ResultsPage> Executions::Results(std::string_view id, std::string_view token, int max) const {
  std::shared_ptr<const QueryResult> result;
  std::shared_ptr<Impl::Entry> entry;
  {
    const MutexLock lock(impl_->mu);
    const auto it = impl_->by_id.find(std::string(id));
    if (it == impl_->by_id.end()) {
      return Unexpected<QueryError>(Invalid("QueryExecution " + std::string(id) + " was not found"));
    }
    const ExecutionInfo& info = it->second->info;
    if (info.state == QueryState::kQueued || info.state == QueryState::kRunning) {
      return Unexpected<QueryError>(Invalid("Query has not yet finished. Current state: " +
                                            std::string(QueryStateName(info.state))));
    }
    if (info.state != QueryState::kSucceeded) {
      return Unexpected<QueryError>(Invalid("Query did not finish successfully. Final query state: " +
                                            std::string(QueryStateName(info.state)) + "\n" + info.state_change_reason));
    }
    entry = it->second;
  }
  QueryResultOr<std::shared_ptr<const QueryResult>> loaded = impl_->LoadResult(entry);
  if (!loaded.ok()) return Unexpected<QueryError>(loaded.error());
  result = std::move(*loaded);
  // The token is the position of the next row, header counted, as decimal text.
  size_t at = 0;
  if (!token.empty()) {
    for (const char c : token) {
      if (c < '0' || c > '9' || at > (size_t{1} << 40)) return Unexpected<QueryError>(Invalid("Invalid NextToken"));
      at = at * 10 + static_cast<size_t>(c - '0');
    }
  }
  ResultsPage page;
  page.keep = result;
  page.columns = &result->columns;
  const size_t header = result->is_select ? 1 : 0;
  const size_t total = result->rows.size() + header;
  if (at > total) return Unexpected<QueryError>(Invalid("Invalid NextToken"));
  const size_t end = std::min(total, at + static_cast<size_t>(std::max(1, max)));
  for (size_t i = at; i < end; ++i) {
    if (header == 1 && i == 0) {
      page.with_header = true;
      std::vector<std::optional<std::string>> h;
      for (const auto& c : result->columns) h.emplace_back(c.name);
      page.rows.push_back(std::move(h));
      continue;
    }
    page.rows.push_back(result->rows[i - header]);
  }
  if (end < total) page.next_token = std::to_string(end);
  return page;
}

QueryResultOr<Done> Executions::Stop(std::string_view id) {
  const MutexLock lock(impl_->mu);
  const auto it = impl_->by_id.find(std::string(id));
  if (it == impl_->by_id.end()) {
    return Unexpected<QueryError>(Invalid("QueryExecution " + std::string(id) + " was not found"));
  }
  Impl::Entry& e = *it->second;
  if (e.info.state == QueryState::kQueued) {
    e.info.state = QueryState::kCancelled;
    e.info.completed_ms = impl_->clock.NowMillis();
    // Not persisted, the execution stays QUEUED in the catalog; a restart fails it.
    (void)impl_->Persist(e);
  }
  if (e.info.state == QueryState::kRunning) e.cancel.store(true);
  return Done{};
}

std::vector<std::string> Executions::List(std::string_view workgroup) const {
  const MutexLock lock(impl_->mu);
  std::vector<std::string> out;
  for (auto it = impl_->order.rbegin(); it != impl_->order.rend(); ++it) {
    const auto e = impl_->by_id.find(*it);
    if (e != impl_->by_id.end() && e->second->info.workgroup == workgroup) out.push_back(*it);
  }
  return out;
}

}  // namespace sluice::query
