// A thin RAII layer over the SQLite C API: Database, Statement, Transaction.
//
// Every failure is a Status whose message names the database file and carries SQLite's
// own message, e.g. "catalog.db: prepare `SELECT * FROM streams`: no such table: streams"
// (long SQL is abbreviated). Result codes map to StatusCode as follows: busy/locked ->
// Unavailable, corrupt/not-a-database -> Corruption, unique/primary-key constraint ->
// AlreadyExists, other constraints -> FailedPrecondition, I/O, permission, full disk and
// cannot-open -> IOError, anything else (e.g. an SQL syntax error, our bug) -> Internal.
//
// Threading: none of these types is thread-safe. A Database is opened in SQLite's
// multi-thread mode (no internal mutex), so one thread at a time may use a Database and
// the Statements and Transactions made from it; the owner provides the locking (Catalog
// holds a mutex). Lifetime: Statements and Transactions must not outlive, and the
// Database must not be moved while they exist.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sluice::catalog {

enum class OpenMode {
  kReadOnly,
  kReadWrite,        // the file must exist
  kReadWriteCreate,  // creates an empty file if missing
};

class Statement;

class Database {
 public:
  // Opens (or creates, per `mode`) the database file at `path`. Opening is lazy in
  // SQLite: a file that is not a database is only detected by the first read.
  static Result<Database> Open(const std::string& path, OpenMode mode);

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  ~Database() = default;  // closes the connection

  // How long a statement waits for another connection's lock before failing Unavailable.
  Status SetBusyTimeout(std::chrono::milliseconds timeout);

  // Runs one or more `;`-separated statements that return no rows worth reading.
  Status Exec(std::string_view sql);

  Result<Statement> Prepare(std::string_view sql);

  // True if the connection cannot write (e.g. the file or its directory is read-only).
  bool IsReadOnly() const;
  // False once a transaction has begun and until it ends.
  bool InAutocommit() const;

  const std::string& path() const { return path_; }

  // The Status for result code `rc` from operation `what` on this connection.
  Status Error(std::string_view what, int rc) const;

 private:
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  Database(std::unique_ptr<sqlite3, Closer> db, std::string path)
      : db_(std::move(db)), path_(std::move(path)) {}

  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
};

enum class StepResult { kRow, kDone };

// A prepared statement. Bind indexes start at 1 (SQLite's convention), column indexes
// at 0. Text and blob columns are copied out, so values stay valid after the next Step.
class Statement {
 public:
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;
  ~Statement() = default;  // finalizes

  Status BindInt64(int index, int64_t value);
  Status BindText(int index, std::string_view value);
  Status BindBlob(int index, std::string_view bytes);
  Status BindNull(int index);

  // Advances to the next row (kRow) or to the end (kDone).
  Result<StepResult> Step();
  // Steps to completion, for statements that return no rows; fails if one does.
  Status Run();

  bool ColumnIsNull(int index) const;
  int64_t ColumnInt64(int index) const;
  std::string ColumnText(int index) const;
  std::string ColumnBlob(int index) const;

  // Rewinds for another execution and clears all bindings. Cannot fail: it would only
  // repeat the error of the last Step, which the caller has already been given.
  void Reset();

 private:
  friend class Database;
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  Statement(std::unique_ptr<sqlite3_stmt, Finalizer> stmt, const Database* db)
      : stmt_(std::move(stmt)), db_(db) {}
  Status BindResult(std::string_view what, int index, int rc) const;

  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  const Database* db_;  // for error messages only
};

// BEGIN IMMEDIATE ... COMMIT. IMMEDIATE takes the write lock up front, so a transaction
// that reads then writes cannot fail halfway with SQLITE_BUSY. Rolls back in the
// destructor unless Commit succeeded, so an early `return` on error undoes the work.
class Transaction {
 public:
  static Result<Transaction> Begin(Database& db);

  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  // Durable on return when the connection runs with synchronous=FULL.
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;  // null once committed or moved from
};

}  // namespace sluice::catalog
