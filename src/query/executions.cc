// Executions: Athena's asynchronous query life cycle over the Engine.
#include <map>
#include <random>

#include "base/mutex.h"
#include "base/work_pool.h"
#include "internal/lake_vtab.h"
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

}  // namespace

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
    std::string token;
    std::atomic<bool> cancel{false};
    std::atomic<uint64_t> bytes{0};
    std::shared_ptr<const QueryResult> result;
  };

  Engine& engine;
  objects::ObjectStore& store;
  const Clock& clock;
  mutable Mutex mu;
  std::map<std::string, std::shared_ptr<Entry>> by_id GUARDED_BY(mu);
  std::vector<std::string> order GUARDED_BY(mu);  // oldest first
  std::unique_ptr<WorkPool> pool;

  Impl(Engine& e, objects::ObjectStore& s, const Clock& c) : engine(e), store(s), clock(c) {}

  // `e->info` is read and written under `mu` only: Get copies it from other threads.
  void RunOne(const std::shared_ptr<Entry>& e) {
    ExecutionInfo mine;
    {
      const MutexLock lock(mu);
      if (e->info.state != QueryState::kQueued) return;  // cancelled while queued
      e->info.state = QueryState::kRunning;
      e->info.queued_ms = clock.NowMillis() - e->info.submitted_ms;
      mine = e->info;
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
      e->result = std::move(result);
    }
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
    std::string meta = "{\"ColumnInfo\":[";
    for (size_t i = 0; i < r.columns.size(); ++i) {
      meta += (i ? "," : "") + std::string("{\"Name\":\"") + r.columns[i].name + "\",\"Type\":\"" + r.columns[i].type + "\"}";
    }
    meta += "]}";
    auto put = store.Put(bucket, key, body, {.content_type = r.is_select ? "text/csv" : "text/plain"});
    if (!put.ok()) {
      return Status::IOError("Unable to write query results to " + info.output_location + ": " + put.error().message);
    }
    auto put_meta = store.Put(bucket, key + ".metadata", meta, {.content_type = "application/json"});
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
      by_id.erase(order.front());
      order.erase(order.begin());
    }
  }
};

Executions::Executions(Engine& engine, objects::ObjectStore& store, const Clock& clock, int threads)
    : impl_(std::make_shared<Impl>(engine, store, clock)) {
  impl_->pool = std::make_unique<WorkPool>(std::max(1, threads));
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
  if (info.state != QueryState::kSucceeded && info.state != QueryState::kFailed &&
      info.state != QueryState::kCancelled) {
    return info;
  }
  return info;
}

QueryResultOr<ResultsPage> Executions::Results(std::string_view id, std::string_view token, int max) const {
  std::shared_ptr<const QueryResult> result;
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
    result = it->second->result;
  }
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
