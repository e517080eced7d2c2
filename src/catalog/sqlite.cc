#include "catalog/sqlite.h"

#include <sqlite3.h>

#include <cstring>
#include <string>

namespace sluice::catalog {
namespace {

StatusCode CodeFor(int rc) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return StatusCode::kAlreadyExists;
    default:
      break;
  }
  switch (rc & 0xff) {  // the primary code of an extended one
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kCorruption;
    case SQLITE_CONSTRAINT:
      return StatusCode::kFailedPrecondition;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_FULL:
      return StatusCode::kIOError;
    default:
      return StatusCode::kInternal;
  }
}

int FlagsFor(OpenMode mode) {
  // NOMUTEX: the owner serializes access (see the header), so SQLite's own per-connection
  // mutex would only add cost.
  const int common = SQLITE_OPEN_NOMUTEX;
  switch (mode) {
    case OpenMode::kReadOnly: return common | SQLITE_OPEN_READONLY;
    case OpenMode::kReadWrite: return common | SQLITE_OPEN_READWRITE;
    case OpenMode::kReadWriteCreate: return common | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  }
  return common | SQLITE_OPEN_READONLY;
}

// Enough of a statement's SQL to recognise it in an error message.
std::string Abbreviated(const char* sql) {
  constexpr size_t kMax = 80;
  std::string s = sql == nullptr ? "" : sql;
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  return s;
}

}  // namespace

void Database::Closer::operator()(sqlite3* db) const {
  // close_v2 rather than close: if a Statement is (wrongly) still alive, the connection
  // becomes a zombie freed with that statement instead of leaking or crashing.
  sqlite3_close_v2(db);
}

Result<Database> Database::Open(const std::string& path, OpenMode mode) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, FlagsFor(mode), nullptr);
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (rc != SQLITE_OK) {
    std::string m = path + ": open: ";
    m += db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(rc);
    const int err = db ? sqlite3_system_errno(db.get()) : 0;
    if (err != 0) m += std::string(" (") + std::strerror(err) + ")";
    return Status(CodeFor(rc), std::move(m));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return Database(std::move(db), path);
}

Status Database::Error(std::string_view what, int rc) const {
  std::string m = path_;
  m += ": ";
  m += what;
  m += ": ";
  // errmsg describes the connection's most recent failure; fall back to the generic text
  // if that was a different call.
  m += sqlite3_extended_errcode(db_.get()) == rc ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
  return Status(CodeFor(rc), std::move(m));
}

Status Database::SetBusyTimeout(std::chrono::milliseconds timeout) {
  const int rc = sqlite3_busy_timeout(db_.get(), static_cast<int>(timeout.count()));
  if (rc != SQLITE_OK) return Error("busy_timeout", rc);
  return Status::OK();
}

Status Database::Exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec wants a terminated string
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error("exec `" + Abbreviated(text.c_str()) + "`", rc);
  return Status::OK();
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw,
                                    &tail);
  std::unique_ptr<sqlite3_stmt, Statement::Finalizer> stmt(raw);
  const std::string shown = Abbreviated(std::string(sql).c_str());
  if (rc != SQLITE_OK) return Error("prepare `" + shown + "`", rc);
  if (!stmt) return Status::InvalidArgument(path_ + ": prepare: no statement in `" + shown + "`");
  // A second statement would be silently ignored; refuse it so the mistake is visible.
  for (const char* p = tail; p != sql.data() + sql.size(); ++p) {
    if (std::strchr(" \t\r\n;", *p) == nullptr) {
      return Status::InvalidArgument(path_ + ": prepare: more than one statement in `" + shown +
                                     "`");
    }
  }
  return Statement(std::move(stmt), this);
}

bool Database::IsReadOnly() const { return sqlite3_db_readonly(db_.get(), "main") == 1; }

bool Database::InAutocommit() const { return sqlite3_get_autocommit(db_.get()) != 0; }

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }

Status Statement::BindResult(std::string_view what, int index, int rc) const {
  if (rc == SQLITE_OK) return Status::OK();
  return db_->Error(std::string(what) + " parameter " + std::to_string(index) + " of `" +
                        Abbreviated(sqlite3_sql(stmt_.get())) + "`",
                    rc);
}

Status Statement::BindInt64(int index, int64_t value) {
  return BindResult("bind", index, sqlite3_bind_int64(stmt_.get(), index, value));
}

Status Statement::BindText(int index, std::string_view value) {
  return BindResult("bind", index,
                    sqlite3_bind_text64(stmt_.get(), index, value.data(), value.size(),
                                        SQLITE_TRANSIENT, SQLITE_UTF8));
}

Status Statement::BindBlob(int index, std::string_view bytes) {
  // A null pointer would bind NULL, not an empty blob.
  const char* data = bytes.empty() ? "" : bytes.data();
  return BindResult("bind", index,
                    sqlite3_bind_blob64(stmt_.get(), index, data, bytes.size(), SQLITE_TRANSIENT));
}

Status Statement::BindNull(int index) {
  return BindResult("bind", index, sqlite3_bind_null(stmt_.get(), index));
}

Result<StepResult> Statement::Step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return StepResult::kRow;
  if (rc == SQLITE_DONE) return StepResult::kDone;
  return db_->Error("step `" + Abbreviated(sqlite3_sql(stmt_.get())) + "`", rc);
}

Status Statement::Run() {
  ASSIGN_OR_RETURN(const StepResult r, Step());
  if (r == StepResult::kRow) {
    return Status::Internal(db_->path() + ": `" + Abbreviated(sqlite3_sql(stmt_.get())) +
                            "` returned a row where none was expected");
  }
  return Status::OK();
}

bool Statement::ColumnIsNull(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

int64_t Statement::ColumnInt64(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

std::string Statement::ColumnText(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_.get(), index);
  const int size = sqlite3_column_bytes(stmt_.get(), index);  // after the pointer, per docs
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

std::string Statement::ColumnBlob(int index) const {
  const void* data = sqlite3_column_blob(stmt_.get(), index);
  const int size = sqlite3_column_bytes(stmt_.get(), index);
  if (data == nullptr) return {};
  return std::string(static_cast<const char*>(data), static_cast<size_t>(size));
}

void Statement::Reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

Result<Transaction> Transaction::Begin(Database& db) {
  RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL); a second
  // ROLLBACK would only fail.
  if (db_ != nullptr && !db_->InAutocommit()) static_cast<void>(db_->Exec("ROLLBACK"));
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Status::FailedPrecondition("transaction already committed");
  RETURN_IF_ERROR(db_->Exec("COMMIT"));
  db_ = nullptr;
  return Status::OK();
}

}  // namespace sluice::catalog
