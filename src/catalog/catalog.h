// Catalog: the server's control-plane metadata (streams, shards, delivery streams,
// mappings, checkpoints) in one SQLite file. The tables and their history are described
// in docs/formats/catalog.md; the schema is the migration list in migrations.cc (adding
// a migration is one line there, see migrations.h).
//
// Durability: the file runs in WAL mode with synchronous=FULL, so a change is on disk
// when the call that made it returns, and survives kill -9 or power loss.
//
// Threading: a Catalog is safe to share between threads. It holds one connection behind
// a mutex, so calls are serialized; metadata traffic is small and this keeps SQLite's
// locking out of the picture. Another process may open the same file (e.g. the CLI
// inspecting it); a writer there makes calls here wait up to kBusyTimeout, then fail
// Unavailable.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "base/mutex.h"
#include "base/status.h"
#include "catalog/migrations.h"
#include "catalog/sqlite.h"

namespace sluice::catalog {

// Meta keys written by migration 1.
inline constexpr std::string_view kMetaServerId = "server_id";          // 32 hex digits
inline constexpr std::string_view kMetaCreatedAtMs = "created_at_ms";  // Unix epoch ms

class Catalog {
 public:
  // How long a call waits for another process's write lock. Long enough to ride out a
  // CLI command, short enough that a stuck process shows up as an error, not a hang.
  static constexpr std::chrono::milliseconds kBusyTimeout{5000};

  // Opens the catalog at `path`, creating it if missing, and migrates it to the newest
  // schema this build knows. Fails, leaving the file byte-for-byte unmodified, if it is
  // not SQLite (Corruption), is SQLite but not a catalog (FailedPrecondition), or has a
  // newer schema than this build (NotSupported). Fails IOError if the file or its
  // directory cannot be opened or written. Every message names the file.
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path);

  // As above with another migration list; for tests of the migration machinery.
  static Result<std::unique_ptr<Catalog>> Open(const std::string& path,
                                               std::span<const Migration> migrations);

  // A random id created with the file and never changed: tells one server's data apart
  // from another's (e.g. in object keys).
  const std::string& server_id() const { return server_id_; }
  int64_t schema_version() const { return schema_version_; }
  const std::string& path() const { return path_; }

  // Meta values are free-form strings keyed by name. GetMeta fails NotFound for a key
  // never set. SetMeta inserts or replaces.
  Result<std::string> GetMeta(std::string_view key) const EXCLUDES(mu_);
  Status SetMeta(std::string_view key, std::string_view value) EXCLUDES(mu_);

  // Runs `fn(Database&)` holding the catalog's lock: how the typed stores of this
  // module (streams.h, ...) reach SQLite. Not for use outside the catalog module.
  template <typename Fn>
  auto WithDatabase(Fn&& fn) -> decltype(fn(std::declval<Database&>())) {
    const MutexLock lock(mu_);
    return fn(db_);
  }

  // Only Open constructs; the key keeps the constructor usable by make_unique.
  class PassKey {
    friend class Catalog;
    PassKey() = default;
  };
  Catalog(PassKey, Database db, std::string server_id, int64_t schema_version);

 private:
  mutable Mutex mu_;
  mutable Database db_ GUARDED_BY(mu_);  // mutable because reads prepare statements
  const std::string path_;
  const std::string server_id_;
  const int64_t schema_version_;
};

}  // namespace sluice::catalog
