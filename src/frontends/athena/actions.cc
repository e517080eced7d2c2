// The Athena actions: request specs and their bodies.
#include "internal/actions.h"

#include <algorithm>
#include <array>

#include "awsproto/codec.h"
#include "base/ascii.h"

namespace sluice::frontends::athena {
namespace {

using awsproto::ActionResult;
using awsproto::BodyEncoding;
using awsproto::BodyWriter;
using awsproto::FieldSpec;
using awsproto::FieldType;
using awsproto::Value;

constexpr FieldSpec Id(std::string_view name, bool required) {
  return {.name = name, .not_null = required, .min_len = 1, .max_len = 128};
}
constexpr FieldSpec Token() { return {.name = "NextToken", .min_len = 1, .max_len = 1024}; }
constexpr FieldSpec CatalogName(bool required) {
  return {.name = "CatalogName", .not_null = required, .min_len = 1, .max_len = 256};
}
constexpr FieldSpec NameField(std::string_view name, bool required) {
  return {.name = name, .not_null = required, .min_len = 1, .max_len = 128};
}
constexpr FieldSpec Max(int64_t lo, int64_t hi) {
  return {.name = "MaxResults", .type = FieldType::kInteger, .min_value = lo, .max_value = hi};
}

const FieldSpec kContext[] = {NameField("Database", false), CatalogName(false)};
constexpr std::array<std::string_view, 3> kEncryptionOptions = {"SSE_S3", "SSE_KMS", "CSE_KMS"};
const FieldSpec kEncryption[] = {
    {.name = "EncryptionOption", .not_null = true, .enum_values = kEncryptionOptions},
    {.name = "KmsKey"}};
const FieldSpec kResultConfiguration[] = {
    {.name = "OutputLocation"},
    {.name = "EncryptionConfiguration", .type = FieldType::kStructure, .members = kEncryption},
    {.name = "ExpectedBucketOwner"},
    {.name = "AclConfiguration", .type = FieldType::kStructure}};
const FieldSpec kStart[] = {
    {.name = "QueryString", .not_null = true, .min_len = 1, .max_len = 262144},
    {.name = "ClientRequestToken", .min_len = 32, .max_len = 128},
    {.name = "QueryExecutionContext", .type = FieldType::kStructure, .members = kContext},
    {.name = "ResultConfiguration", .type = FieldType::kStructure, .members = kResultConfiguration},
    {.name = "WorkGroup"},
    {.name = "ExecutionParameters", .type = FieldType::kList, .min_len = 1},
    {.name = "ResultReuseConfiguration", .type = FieldType::kStructure}};
const FieldSpec kIdOnly[] = {Id("QueryExecutionId", true)};
const FieldSpec kBatchGet[] = {{.name = "QueryExecutionIds", .type = FieldType::kList, .not_null = true,
                                .min_len = 1, .max_len = 50, .child_min_len = 1, .child_max_len = 128}};
const FieldSpec kResults[] = {Id("QueryExecutionId", true), Token(), Max(1, 1000)};
const FieldSpec kList[] = {Token(), Max(0, 50), {.name = "WorkGroup"}};
const FieldSpec kGetDatabase[] = {CatalogName(true), NameField("DatabaseName", true), {.name = "WorkGroup"}};
const FieldSpec kListDatabases[] = {CatalogName(true), Token(), Max(1, 50), {.name = "WorkGroup"}};
const FieldSpec kGetTable[] = {CatalogName(true), NameField("DatabaseName", true), NameField("TableName", true),
                               {.name = "WorkGroup"}};
const FieldSpec kListTables[] = {CatalogName(true), NameField("DatabaseName", true),
                                 {.name = "Expression", .max_len = 256}, Token(), Max(1, 50), {.name = "WorkGroup"}};

using A = Actions;
const A::Action kActions[] = {
    {"BatchGetQueryExecution", kBatchGet, &A::BatchGetQueryExecution},
    {"GetDatabase", kGetDatabase, &A::GetDatabase},
    {"GetQueryExecution", kIdOnly, &A::GetQueryExecution},
    {"GetQueryResults", kResults, &A::GetQueryResults},
    {"GetTableMetadata", kGetTable, &A::GetTableMetadata},
    {"ListDatabases", kListDatabases, &A::ListDatabases},
    {"ListQueryExecutions", kList, &A::ListQueryExecutions},
    {"ListTableMetadata", kListTables, &A::ListTableMetadata},
    {"StartQueryExecution", kStart, &A::StartQueryExecution},
    {"StopQueryExecution", kIdOnly, &A::StopQueryExecution},
};

std::string_view Str(const Value& req, std::string_view key) {
  const Value* v = req.Get(key);
  return v ? v->s() : std::string_view{};
}

ActionResult FromError(const query::QueryError& e) {
  ActionResult r = e.code == query::QueryErrorType::kInvalidRequest
                       ? ActionResult::Error("InvalidRequestException", e.message)
                       : ActionResult::Error("InternalServerException", e.message, 500);
  r.message_key = "Message";
  if (!e.athena_error_code.empty()) r.error_members.emplace_back("AthenaErrorCode", e.athena_error_code);
  return r;
}

ActionResult Metadata(std::string message) {
  ActionResult r = ActionResult::Error("MetadataException", std::move(message));
  r.message_key = "Message";
  return r;
}

// A failed Engine::ListTables: MetadataException for a missing database.
ActionResult TablesError(const std::string& db, const Status& st) {
  if (st.code() == StatusCode::kNotFound) return Metadata("Database " + db + " not found.");
  return FromError({query::QueryErrorType::kInternalServer, st.message(), ""});
}

ActionResult BadToken() { return FromError({query::QueryErrorType::kInvalidRequest, "Invalid NextToken", "INVALID_INPUT"}); }

// Decimal offsets as pagination tokens; false when `text` is not one.
bool ReadOffset(std::string_view text, size_t& at) {
  at = 0;
  if (text.empty()) return true;
  if (text.size() > 12) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    at = at * 10 + static_cast<size_t>(c - '0');
  }
  return true;
}

void WriteExecution(BodyWriter& w, const query::ExecutionInfo& e) {
  w.BeginMap()
      .Key("QueryExecutionId").String(e.id)
      .Key("Query").String(e.query)
      .Key("StatementType").String(e.statement_type.empty() ? "DDL" : e.statement_type)
      .Key("ResultConfiguration").BeginMap().Key("OutputLocation").String(e.output_location).End()
      .Key("QueryExecutionContext").BeginMap()
      .Key("Database").String(e.database)
      .Key("Catalog").String("awsdatacatalog").End()
      .Key("Status").BeginMap().Key("State").String(query::QueryStateName(e.state));
  if (!e.state_change_reason.empty()) w.Key("StateChangeReason").String(e.state_change_reason);
  w.Key("SubmissionDateTime").TimestampMs(e.submitted_ms);
  if (e.completed_ms != 0) w.Key("CompletionDateTime").TimestampMs(e.completed_ms);
  if (e.state == query::QueryState::kFailed) {
    w.Key("AthenaError").BeginMap()
        .Key("ErrorCategory").Int(e.error_category)
        .Key("ErrorType").Int(e.error_category == 2 ? 1300 : 401)
        .Key("Retryable").Bool(false)
        .Key("ErrorMessage").String(e.state_change_reason).End();
  }
  w.End();
  const int64_t total = e.completed_ms != 0 ? e.completed_ms - e.submitted_ms : 0;
  w.Key("Statistics").BeginMap()
      .Key("EngineExecutionTimeInMillis").Int(e.engine_ms)
      .Key("DataScannedInBytes").Int(static_cast<int64_t>(e.bytes_scanned))
      .Key("TotalExecutionTimeInMillis").Int(total)
      .Key("QueryQueueTimeInMillis").Int(e.queued_ms)
      .Key("ServicePreProcessingTimeInMillis").Int(0)
      .Key("QueryPlanningTimeInMillis").Int(0)
      .Key("ServiceProcessingTimeInMillis").Int(std::max<int64_t>(0, total - e.engine_ms - e.queued_ms))
      .End()
      .Key("WorkGroup").String(e.workgroup)
      .Key("EngineVersion").BeginMap()
      .Key("SelectedEngineVersion").String("AUTO")
      .Key("EffectiveEngineVersion").String("Athena engine version 3").End()
      .End();
}

void WriteTable(BodyWriter& w, const catalog::LakeTableRow& t) {
  w.BeginMap().Key("Name").String(t.name).Key("CreateTime").TimestampMs(t.created_ms)
      .Key("TableType").String("EXTERNAL_TABLE").Key("Columns").BeginArray();
  for (const auto& c : t.columns) w.BeginMap().Key("Name").String(c.name).Key("Type").String(c.type).End();
  w.End().Key("PartitionKeys").BeginArray();
  for (const auto& c : t.partition_keys) w.BeginMap().Key("Name").String(c.name).Key("Type").String(c.type).End();
  w.End().Key("Parameters").BeginMap()
      .Key("EXTERNAL").String("TRUE")
      .Key("location").String(t.location)
      .Key("inputformat").String("org.apache.hadoop.mapred.TextInputFormat")
      .Key("outputformat").String("org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat")
      .Key("serde.serialization.lib").String(t.serde);
  for (const auto& [k, v] : t.serde_properties) w.Key("serde.param." + k).String(v);
  for (const auto& [k, v] : t.table_properties) w.Key(k).String(v);
  w.End().End();
}

}  // namespace

const Actions::Action* Actions::Find(std::string_view name) {
  for (const Action& a : kActions) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

void Actions::StartQueryExecution(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  query::StartRequest s;
  s.query = std::string(Str(req, "QueryString"));
  s.client_request_token = std::string(Str(req, "ClientRequestToken"));
  if (const Value* ctx = req.Get("QueryExecutionContext")) s.database = std::string(Str(*ctx, "Database"));
  if (const Value* rc = req.Get("ResultConfiguration")) s.output_location = std::string(Str(*rc, "OutputLocation"));
  if (const Value* wg = req.Get("WorkGroup")) s.workgroup = std::string(wg->s());
  if (s.workgroup != "primary") {
    return done(FromError({query::QueryErrorType::kInvalidRequest,
                           "WorkGroup " + s.workgroup + " is not found.", "INVALID_INPUT"}));
  }
  auto id = executions_.Start(s);
  if (!id.ok()) return done(FromError(id.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("QueryExecutionId").String(*id).End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::GetQueryExecution(ActionCall& c, ActionDone done) {
  auto info = executions_.Get(Str(*c.req, "QueryExecutionId"));
  if (!info.ok()) return done(FromError(info.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("QueryExecution");
  WriteExecution(w, *info);
  w.End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::BatchGetQueryExecution(ActionCall& c, ActionDone done) {
  BodyWriter w(c.enc);
  w.BeginMap().Key("QueryExecutions").BeginArray();
  std::vector<std::string> missing;
  for (const Value& id : c.req->Get("QueryExecutionIds")->items()) {
    auto info = executions_.Get(id.s());
    if (!info.ok()) {
      missing.emplace_back(id.s());
      continue;
    }
    WriteExecution(w, *info);
  }
  w.End().Key("UnprocessedQueryExecutionIds").BeginArray();
  for (const auto& id : missing) {
    w.BeginMap().Key("QueryExecutionId").String(id).Key("ErrorCode").String("INVALID_INPUT")
        .Key("ErrorMessage").String("QueryExecution " + id + " was not found").End();
  }
  w.End().End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::GetQueryResults(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  const Value* max = req.Get("MaxResults");
  auto page = executions_.Results(Str(req, "QueryExecutionId"), Str(req, "NextToken"),
                                  max != nullptr ? static_cast<int>(max->i) : 1000);
  if (!page.ok()) return done(FromError(page.error()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("UpdateCount").Int(0).Key("ResultSet").BeginMap().Key("Rows").BeginArray();
  for (const auto& row : page->rows) {
    w.BeginMap().Key("Data").BeginArray();
    for (const auto& cell : row) {
      w.BeginMap();
      if (cell) w.Key("VarCharValue").String(*cell);
      w.End();
    }
    w.End().End();
  }
  w.End().Key("ResultSetMetadata").BeginMap().Key("ColumnInfo").BeginArray();
  for (const auto& col : *page->columns) {
    w.BeginMap()
        .Key("CatalogName").String("hive")
        .Key("SchemaName").String("")
        .Key("TableName").String("")
        .Key("Name").String(col.name)
        .Key("Label").String(col.name)
        .Key("Type").String(col.type)
        .Key("Precision").Int(query::AthenaPrecision(col))
        .Key("Scale").Int(col.scale)
        .Key("Nullable").String("UNKNOWN")
        .Key("CaseSensitive").Bool(query::AthenaCaseSensitive(col))
        .End();
  }
  w.End().End().End();
  if (!page->next_token.empty()) w.Key("NextToken").String(page->next_token);
  w.End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::StopQueryExecution(ActionCall& c, ActionDone done) {
  auto r = executions_.Stop(Str(*c.req, "QueryExecutionId"));
  if (!r.ok()) return done(FromError(r.error()));
  done(ActionResult::Ok("{}"));
}

void Actions::ListQueryExecutions(ActionCall& c, ActionDone done) {
  const Value& req = *c.req;
  const std::string_view wg = Str(req, "WorkGroup");
  const std::vector<std::string> ids = executions_.List(wg.empty() ? "primary" : wg);
  size_t at = 0;
  if (!ReadOffset(Str(req, "NextToken"), at) || at > ids.size()) return done(BadToken());
  const Value* max = req.Get("MaxResults");
  const size_t n = max != nullptr && max->i > 0 ? static_cast<size_t>(max->i) : 50;
  const size_t end = std::min(ids.size(), at + n);
  BodyWriter w(c.enc);
  w.BeginMap().Key("QueryExecutionIds").BeginArray();
  for (size_t i = at; i < end; ++i) w.String(ids[i]);
  w.End();
  if (end < ids.size()) w.Key("NextToken").String(std::to_string(end));
  w.End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::GetDatabase(ActionCall& c, ActionDone done) {
  const std::string name(Str(*c.req, "DatabaseName"));
  auto tables = engine_.ListTables(name);
  if (!tables.ok()) return done(TablesError(name, tables.status()));
  BodyWriter w(c.enc);
  w.BeginMap().Key("Database").BeginMap().Key("Name").String(AsciiLower(name)).Key("Parameters").BeginMap().End().End().End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::ListDatabases(ActionCall& c, ActionDone done) {
  auto dbs = engine_.ListDatabases();
  if (!dbs.ok()) return done(FromError({query::QueryErrorType::kInternalServer, dbs.status().message(), ""}));
  size_t at = 0;
  if (!ReadOffset(Str(*c.req, "NextToken"), at) || at > dbs->size()) return done(BadToken());
  const Value* max = c.req->Get("MaxResults");
  const size_t end = std::min(dbs->size(), at + (max != nullptr ? static_cast<size_t>(max->i) : 50));
  BodyWriter w(c.enc);
  w.BeginMap().Key("DatabaseList").BeginArray();
  for (size_t i = at; i < end; ++i) w.BeginMap().Key("Name").String((*dbs)[i]).Key("Parameters").BeginMap().End().End();
  w.End();
  if (end < dbs->size()) w.Key("NextToken").String(std::to_string(end));
  w.End();
  done(ActionResult::Ok(w.Take()));
}

void Actions::GetTableMetadata(ActionCall& c, ActionDone done) {
  const std::string db(Str(*c.req, "DatabaseName"));
  const std::string name = AsciiLower(Str(*c.req, "TableName"));
  auto tables = engine_.ListTables(db);
  if (!tables.ok()) return done(TablesError(db, tables.status()));
  for (const auto& t : *tables) {
    if (t.name != name) continue;
    BodyWriter w(c.enc);
    w.BeginMap().Key("TableMetadata");
    WriteTable(w, t);
    w.End();
    return done(ActionResult::Ok(w.Take()));
  }
  done(Metadata("Table " + name + " not found in database " + db + "."));
}

void Actions::ListTableMetadata(ActionCall& c, ActionDone done) {
  const std::string db(Str(*c.req, "DatabaseName"));
  auto tables = engine_.ListTables(db);
  if (!tables.ok()) return done(TablesError(db, tables.status()));
  size_t at = 0;
  if (!ReadOffset(Str(*c.req, "NextToken"), at) || at > tables->size()) return done(BadToken());
  const Value* max = c.req->Get("MaxResults");
  const size_t end = std::min(tables->size(), at + (max != nullptr ? static_cast<size_t>(max->i) : 50));
  BodyWriter w(c.enc);
  w.BeginMap().Key("TableMetadataList").BeginArray();
  for (size_t i = at; i < end; ++i) WriteTable(w, (*tables)[i]);
  w.End();
  if (end < tables->size()) w.Key("NextToken").String(std::to_string(end));
  w.End();
  done(ActionResult::Ok(w.Take()));
}

}  // namespace sluice::frontends::athena
