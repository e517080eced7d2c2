// Engine: DDL against the catalog, SELECT on a fresh in-memory SQLite connection per
// statement with one "lake" virtual table per catalog table it may reference.
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <set>

#include "base/ascii.h"
#include "base/work_pool.h"
#include "catalog/lake.h"
#include "internal/ddl.h"
#include "internal/functions.h"
#include "internal/decimal.h"
#include "internal/lake_vtab.h"
#include "internal/rewrite.h"
#include "internal/types.h"
#include "query/query.h"

namespace sluice::query {
namespace {

using Rows = std::vector<std::vector<std::optional<std::string>>>;

Status DbMissing(const std::string& db) {
  return Status::InvalidArgument("FAILED: SemanticException [Error 10072]: Database does not exist: " + db);
}

// Hive's SHOW ... LIKE pattern: '*' any run of characters, '|' separates alternatives.
bool LikeMatch(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) return true;
  size_t start = 0;
  for (;;) {
    const size_t bar = pattern.find('|', start);
    const std::string alt = AsciiLower(pattern.substr(start, bar == std::string_view::npos ? bar : bar - start));
    // Glob with '*' only, by dynamic programming over positions.
    std::vector<bool> can(name.size() + 1, false);
    can[0] = true;
    for (const char p : alt) {
      std::vector<bool> next(name.size() + 1, false);
      for (size_t i = 0; i <= name.size(); ++i) {
        if (!can[i]) continue;
        if (p == '*') {
          for (size_t j = i; j <= name.size(); ++j) next[j] = true;
          break;
        }
        if (i < name.size() && name[i] == p) next[i + 1] = true;
      }
      can = std::move(next);
    }
    if (can[name.size()]) return true;
    if (bar == std::string_view::npos) return false;
    start = bar + 1;
  }
}

QueryResult OneColumn(std::string name, std::vector<std::string> values, std::string type = "UTILITY") {
  QueryResult r;
  r.statement_type = std::move(type);
  r.columns.push_back({std::move(name), "string"});
  for (auto& v : values) r.rows.push_back({std::move(v)});
  return r;
}

std::string Pad(std::string_view s) {
  std::string out(s);
  if (out.size() < 20) out.resize(20, ' ');
  return out;
}

// Words of the statement that may name a database (identifiers followed by '.').
std::set<std::string> Qualifiers(std::string_view sql) {
  std::set<std::string> out;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'') {
      const size_t end = sql.find('\'', i + 1);
      i = end == std::string_view::npos ? sql.size() : end + 1;
      continue;
    }
    std::string word;
    size_t end = i;
    if (c == '"' || c == '`') {
      const size_t close = sql.find(c, i + 1);
      if (close == std::string_view::npos) break;
      word = sql.substr(i + 1, close - i - 1);
      end = close + 1;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      while (end < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_')) ++end;
      word = sql.substr(i, end - i);
    } else {
      ++i;
      continue;
    }
    size_t k = end;
    while (k < sql.size() && std::isspace(static_cast<unsigned char>(sql[k]))) ++k;
    if (k < sql.size() && sql[k] == '.') out.insert(AsciiLower(word));
    i = end;
  }
  return out;
}

// The SQLite schema a lake database named like one of SQLite's own ("main", "temp") is
// attached as when it is not the statement's default database.
std::string SchemaAlias(const std::string& database) { return "lake " + database; }

// The statement as SQLite is given it: a word that is part of a qualified name
// ("default.t", "t.limit") and is an SQLite keyword Presto does not reserve is quoted,
// and a qualifier naming a database in `aliased` is replaced by its SchemaAlias.
// `original` maps each byte of the result (and its end) to its offset in `sql`, for
// error positions.
using SqliteText = MappedText;

SqliteText ForSqlite(std::string_view sql, const std::set<std::string>& aliased) {
  SqliteText out;
  const auto copy = [&](size_t from, size_t to) {
    for (size_t k = from; k < to; ++k) {
      out.text += sql[k];
      out.original.push_back(static_cast<int>(k));
    }
  };
  const auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; };
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    size_t end = i + 1;
    if (c == '\'' || c == '"' || c == '`') {
      const size_t close = sql.find(c, i + 1);
      end = close == std::string_view::npos ? sql.size() : close + 1;
    } else if (c == '-' && sql.substr(i, 2) == "--") {
      const size_t nl = sql.find('\n', i);
      end = nl == std::string_view::npos ? sql.size() : nl;
    } else if (c == '/' && sql.substr(i, 2) == "/*") {
      const size_t close = sql.find("*/", i + 2);
      end = close == std::string_view::npos ? sql.size() : close + 2;
    } else if (is_word(c)) {
      while (end < sql.size() && is_word(sql[end])) ++end;
      // Only `word.name` and `name.word` written together count: `ELSE .5` and
      // `1. AND` are no qualified names.
      const auto names = [&](size_t at) {
        if (at >= sql.size()) return false;
        const char n = sql[at];
        return n == '"' || n == '`' || n == '*' || (is_word(n) && !std::isdigit(static_cast<unsigned char>(n)));
      };
      const bool qualifies = end < sql.size() && sql[end] == '.' && names(end + 1);
      const bool qualified = i >= 2 && sql[i - 1] == '.' &&
                             (sql[i - 2] == '"' || sql[i - 2] == '`' || is_word(sql[i - 2]));
      const std::string_view word = sql.substr(i, end - i);
      if (!std::isdigit(static_cast<unsigned char>(c)) && (qualifies || qualified)) {
        std::string replacement;
        if (qualifies && aliased.count(AsciiLower(word)) != 0) {
          replacement = "\"" + SchemaAlias(AsciiLower(word)) + "\"";
        } else if (sqlite3_keyword_check(word.data(), static_cast<int>(word.size())) != 0) {
          replacement = "\"" + std::string(word) + "\"";
        }
        if (!replacement.empty()) {
          out.text += replacement;
          out.original.insert(out.original.end(), replacement.size(), static_cast<int>(i));
          i = end;
          continue;
        }
      }
    }
    copy(i, std::min(end, sql.size()));
    i = end;
  }
  out.original.push_back(static_cast<int>(sql.size()));
  return out;
}

struct Connection {
  sqlite3* db = nullptr;
  ~Connection() { sqlite3_close(db); }
};

int CancelCheck(void* flag) { return static_cast<const std::atomic<bool>*>(flag)->load() ? 1 : 0; }

// "line L:C: " for a byte offset into `sql`.
std::string Position(std::string_view sql, int offset) {
  if (offset < 0) return "";
  int line = 1;
  int col = 1;
  for (int i = 0; i < offset && i < static_cast<int>(sql.size()); ++i) {
    if (sql[static_cast<size_t>(i)] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return "line " + std::to_string(line) + ":" + std::to_string(col) + ": ";
}

// An error raised while running: a decimal guard's (functions.h) gets its position.
std::string RuntimeError(std::string_view sql, std::string_view msg) {
  if (!msg.starts_with(kDecimalGuardPrefix)) return std::string(msg);
  msg.remove_prefix(kDecimalGuardPrefix.size());
  int offset = 0;
  const auto [end, ec] = std::from_chars(msg.data(), msg.data() + msg.size(), offset);
  if (ec != std::errc() || !std::string_view(end, msg.data() + msg.size()).starts_with(": ")) return std::string(msg);
  return Position(sql, offset) + std::string(end + 2, msg.data() + msg.size());
}

}  // namespace

struct Engine::Impl {
  catalog::Catalog& catalog;
  objects::ObjectStore& store;
  EngineOptions options;
  WorkPool pool;

  Impl(catalog::Catalog& c, objects::ObjectStore& s, EngineOptions o)
      : catalog(c), store(s), options(o), pool(std::max(1, o.scan_threads)) {}

  Result<bool> DatabaseExists(const std::string& name) {
    ASSIGN_OR_RETURN(const std::vector<std::string> dbs, catalog::ListLakeDatabases(catalog));
    return std::find(dbs.begin(), dbs.end(), name) != dbs.end();
  }

  Result<std::optional<catalog::LakeTableRow>> FindTable(const std::string& db, const std::string& name) {
    ASSIGN_OR_RETURN(std::vector<catalog::LakeTableRow> tables, catalog::LoadLakeTables(catalog, db));
    for (auto& t : tables) {
      if (t.name == name) return std::optional<catalog::LakeTableRow>(std::move(t));
    }
    return std::optional<catalog::LakeTableRow>();
  }

  Result<QueryResult> Run(const Statement& st, const ExecuteOptions& opt);
  Result<QueryResult> Select(const std::string& sql, const ExecuteOptions& opt);
  Result<QueryResult> Repair(const RepairTable& r, const std::string& db);
  Result<QueryResult> DescribeTable(const Describe& d, const std::string& db);
  Result<QueryResult> AddPartition(const AddPartitions& a, const std::string& db);
};

Result<QueryResult> Engine::Impl::AddPartition(const AddPartitions& a, const std::string& db) {
  ASSIGN_OR_RETURN(const auto table, FindTable(db, a.table.name));
  if (!table) return Status::InvalidArgument("FAILED: SemanticException [Error 10001]: Table not found " + db + "." + a.table.name);
  ASSIGN_OR_RETURN(const auto known, catalog::LoadLakePartitions(catalog, db, table->name));
  std::vector<catalog::LakePartitionRow> add;
  for (const auto& spec : a.partitions) {
    catalog::LakePartitionRow p;
    std::string path;
    for (const auto& key : table->partition_keys) {
      const auto it = std::find_if(spec.values.begin(), spec.values.end(),
                                   [&](const auto& kv) { return kv.first == key.name; });
      if (it == spec.values.end() || spec.values.size() != table->partition_keys.size()) {
        return Status::InvalidArgument("FAILED: SemanticException [Error 10006]: Partition not found: the "
                                       "partition spec must name every partition key of " + table->name);
      }
      p.values.push_back(it->second);
      path += key.name + "=" + it->second + "/";
    }
    p.location = spec.location.empty() ? table->location + path : spec.location;
    bool have = false;
    for (const auto& k : known) have = have || k.values == p.values;
    if (have && !a.if_not_exists) {
      return Status::InvalidArgument("FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "
                                     "AlreadyExistsException(message:Partition already exists: " + path + ")");
    }
    if (!have) add.push_back(std::move(p));
  }
  if (!add.empty()) RETURN_IF_ERROR(catalog::AddLakePartitions(catalog, db, table->name, add).status());
  return OneColumn("result", {}, "DDL");
}

Result<QueryResult> Engine::Impl::Repair(const RepairTable& r, const std::string& db) {
  ASSIGN_OR_RETURN(const auto table, FindTable(db, r.table.name));
  if (!table) return Status::InvalidArgument("FAILED: SemanticException [Error 10001]: Table not found " + db + "." + r.table.name);
  std::vector<std::string> lines;
  if (table->partition_keys.empty()) return OneColumn("result", {}, "DDL");
  std::string bucket, prefix;
  SplitLocation(table->location, bucket, prefix);
  std::map<std::string, catalog::LakePartitionRow> found;
  objects::ListRequest req{.prefix = prefix, .max_keys = objects::kMaxListKeys};
  for (;;) {
    auto page = store.List(bucket, req);
    if (!page.ok()) return Status::IOError("listing " + table->location + ": " + page.error().message);
    for (const auto& o : page->objects) {
      const std::string_view rel = std::string_view(o.key).substr(prefix.size());
      if (IsHiddenKey(rel)) continue;
      catalog::LakePartitionRow p;
      std::string spec;
      size_t at = 0;
      bool ok = true;
      for (const auto& key : table->partition_keys) {
        const size_t slash = rel.find('/', at);
        if (slash == std::string_view::npos) {
          ok = false;
          break;
        }
        const std::string_view seg = rel.substr(at, slash - at);
        const size_t eq = seg.find('=');
        if (eq == std::string_view::npos || AsciiLower(seg.substr(0, eq)) != key.name) {
          ok = false;
          break;
        }
        p.values.emplace_back(seg.substr(eq + 1));
        spec += (spec.empty() ? "" : "/") + std::string(seg);
        at = slash + 1;
      }
      if (!ok) continue;
      p.location = table->location + std::string(rel.substr(0, at));
      found.emplace(spec, std::move(p));
    }
    if (!page->truncated) break;
    req.start_after = page->last;
  }
  ASSIGN_OR_RETURN(const auto known, catalog::LoadLakePartitions(catalog, db, table->name));
  std::vector<catalog::LakePartitionRow> add;
  std::string missing;
  for (auto& [spec, p] : found) {
    bool have = false;
    for (const auto& k : known) have = have || k.values == p.values;
    if (have) continue;
    missing += "\t" + table->name + ":" + spec;
    lines.push_back("Repair: Added partition to metastore " + table->name + ":" + spec);
    add.push_back(p);
  }
  if (!add.empty()) {
    RETURN_IF_ERROR(catalog::AddLakePartitions(catalog, db, table->name, add).status());
    lines.insert(lines.begin(), "Partitions not in metastore:" + missing);
  }
  return OneColumn("result", std::move(lines), "DDL");
}

Result<QueryResult> Engine::Impl::DescribeTable(const Describe& d, const std::string& db) {
  ASSIGN_OR_RETURN(const auto table, FindTable(db, d.table.name));
  if (!table) return Status::InvalidArgument("FAILED: SemanticException [Error 10001]: Table not found " + db + "." + d.table.name);
  std::vector<std::string> lines;
  for (const auto& c : table->columns) lines.push_back(Pad(c.name) + "\t" + Pad(c.type) + "\t" + Pad(""));
  for (const auto& c : table->partition_keys) lines.push_back(Pad(c.name) + "\t" + Pad(c.type) + "\t" + Pad(""));
  if (!table->partition_keys.empty()) {
    lines.push_back("\t \t ");
    lines.push_back("# Partition Information\t \t ");
    lines.push_back(Pad("# col_name") + "\t" + Pad("data_type") + "\t" + Pad("comment"));
    lines.push_back("\t \t ");
    for (const auto& c : table->partition_keys) lines.push_back(Pad(c.name) + "\t" + Pad(c.type) + "\t" + Pad(""));
  }
  return OneColumn("col_name", std::move(lines));
}

Result<QueryResult> Engine::Impl::Run(const Statement& st, const ExecuteOptions& opt) {
  const std::string dflt = AsciiLower(opt.database.empty() ? "default" : opt.database);
  const auto db_of = [&](const QualifiedName& q) { return q.database.empty() ? dflt : q.database; };
  if (const auto* c = std::get_if<CreateDatabase>(&st)) {
    const Status s = catalog::InsertLakeDatabase(catalog, c->name, Clock::Real().NowMillis());
    if (s.code() == StatusCode::kAlreadyExists) {
      if (c->if_not_exists) return OneColumn("result", {}, "DDL");
      return Status::InvalidArgument("FAILED: Execution Error, return code 1 from "
                                     "org.apache.hadoop.hive.ql.exec.DDLTask. Database " + c->name + " already exists");
    }
    RETURN_IF_ERROR(s);
    return OneColumn("result", {}, "DDL");
  }
  if (const auto* d = std::get_if<DropDatabase>(&st)) {
    ASSIGN_OR_RETURN(const bool exists, DatabaseExists(d->name));
    if (!exists) {
      if (d->if_exists) return OneColumn("result", {}, "DDL");
      return DbMissing(d->name);
    }
    ASSIGN_OR_RETURN(const auto tables, catalog::LoadLakeTables(catalog, d->name));
    if (!tables.empty() && !d->cascade) {
      return Status::InvalidArgument("FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "
                                     "InvalidOperationException(message:Database " + d->name +
                                     " is not empty. One or more tables exist.)");
    }
    RETURN_IF_ERROR(catalog::RemoveLakeDatabase(catalog, d->name));
    return OneColumn("result", {}, "DDL");
  }
  if (const auto* c = std::get_if<CreateTable>(&st)) {
    catalog::LakeTableRow row = c->row;
    row.database = db_of(c->table);
    row.created_ms = Clock::Real().NowMillis();
    ASSIGN_OR_RETURN(const bool exists, DatabaseExists(row.database));
    if (!exists) return DbMissing(row.database);
    const Status s = catalog::InsertLakeTable(catalog, row);
    if (s.code() == StatusCode::kAlreadyExists) {
      if (c->if_not_exists) return OneColumn("result", {}, "DDL");
      return Status::InvalidArgument("FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "
                                     "AlreadyExistsException(message:Table " + row.name + " already exists)");
    }
    RETURN_IF_ERROR(s);
    return OneColumn("result", {}, "DDL");
  }
  if (const auto* d = std::get_if<DropTable>(&st)) {
    const std::string db = db_of(d->table);
    const Status s = catalog::RemoveLakeTable(catalog, db, d->table.name);
    if (s.code() == StatusCode::kNotFound) {
      if (d->if_exists) return OneColumn("result", {}, "DDL");
      return Status::InvalidArgument("FAILED: SemanticException [Error 10001]: Table not found " + db + "." + d->table.name);
    }
    RETURN_IF_ERROR(s);
    return OneColumn("result", {}, "DDL");
  }
  if (const auto* s = std::get_if<ShowDatabases>(&st)) {
    ASSIGN_OR_RETURN(std::vector<std::string> dbs, catalog::ListLakeDatabases(catalog));
    std::vector<std::string> out;
    for (auto& d : dbs) {
      if (LikeMatch(s->like, d)) out.push_back(std::move(d));
    }
    return OneColumn("database_name", std::move(out));
  }
  if (const auto* s = std::get_if<ShowTables>(&st)) {
    const std::string db = s->database.empty() ? dflt : s->database;
    ASSIGN_OR_RETURN(const bool exists, DatabaseExists(db));
    if (!exists) return DbMissing(db);
    ASSIGN_OR_RETURN(const auto tables, catalog::LoadLakeTables(catalog, db));
    std::vector<std::string> out;
    for (const auto& t : tables) {
      if (LikeMatch(s->like, t.name)) out.push_back(t.name);
    }
    return OneColumn("tab_name", std::move(out));
  }
  if (const auto* d = std::get_if<Describe>(&st)) return DescribeTable(*d, db_of(d->table));
  if (const auto* r = std::get_if<RepairTable>(&st)) return Repair(*r, db_of(r->table));
  if (const auto* a = std::get_if<AddPartitions>(&st)) return AddPartition(*a, db_of(a->table));
  return Select(std::get<SelectStatement>(st).sql, opt);
}

Result<QueryResult> Engine::Impl::Select(const std::string& sql, const ExecuteOptions& opt) {
  const std::string dflt = AsciiLower(opt.database.empty() ? "default" : opt.database);
  std::atomic<uint64_t> local_bytes{0};
  ScanContext ctx;
  ctx.store = &store;
  ctx.pool = &pool;
  ctx.read_ahead = options.read_ahead;
  ctx.bytes_scanned = opt.bytes_scanned != nullptr ? opt.bytes_scanned : &local_bytes;
  ctx.cancel = opt.cancel;

  ASSIGN_OR_RETURN(const std::vector<std::string> dbs, catalog::ListLakeDatabases(catalog));
  // Databases to attach: the default one and every known one the statement qualifies with.
  std::vector<std::pair<std::string, std::string>> schemas;  // (sqlite schema, lake database)
  const std::set<std::string> named = Qualifiers(sql);
  std::set<std::string> aliased;  // lake databases named like SQLite's own schemas
  for (const auto& d : dbs) {
    if (d == dflt) schemas.emplace_back("main", d);
    if (named.count(d) == 0) continue;
    if (d == "main" || d == "temp") {
      if (d != dflt) {
        aliased.insert(d);
        schemas.emplace_back(SchemaAlias(d), d);
      }
    } else {
      schemas.emplace_back(d, d);
    }
  }
  std::vector<std::pair<std::string, size_t>> creates;  // (schema-qualified name, binding)
  std::map<std::string, size_t> bound;
  for (const auto& [schema, d] : schemas) {
    ASSIGN_OR_RETURN(auto tables, catalog::LoadLakeTables(catalog, d));
    for (auto& t : tables) {
      const std::string key = d + "." + t.name;
      if (bound.count(key) == 0) {
        ASSIGN_OR_RETURN(auto parts, catalog::LoadLakePartitions(catalog, d, t.name));
        bound[key] = ctx.tables.size();
        ctx.tables.push_back(BindTable(std::move(t), std::move(parts)));
      }
      creates.emplace_back(QuoteName(schema) + "." + QuoteName(ctx.tables[bound[key]].row.name), bound[key]);
    }
  }
  std::vector<TableColumnTypes> column_types;
  for (const TableBinding& t : ctx.tables) {
    TableColumnTypes& types = column_types.emplace_back();
    types.table = AsciiLower(t.row.name);
    types.others.insert("$path");
    for (const auto* list : {&t.row.columns, &t.row.partition_keys}) {
      for (const auto& c : *list) {
        const bool decimal = ParseColumnType(c.type).kind == ValueKind::kDecimal;
        (decimal ? types.decimals : types.others).insert(AsciiLower(c.name));
      }
    }
  }
  DecimalRewrite exact = RewriteDecimals(ForSqlite(sql, aliased), column_types);
  if (!exact.refused.empty()) return Status::NotSupported(Position(sql, exact.refused_at) + exact.refused);
  const SqliteText rewritten = std::move(exact.text);
  const auto at_original = [&](int offset) {
    return offset < 0 || static_cast<size_t>(offset) >= rewritten.original.size()
               ? offset
               : rewritten.original[static_cast<size_t>(offset)];
  };
  Connection conn;
  if (sqlite3_open_v2(":memory:", &conn.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    return Status::Internal("cannot open an in-memory SQLite connection");
  }
  if (RegisterLakeModule(conn.db, &ctx) != SQLITE_OK || RegisterPrestoFunctions(conn.db) != SQLITE_OK) {
    return Status::Internal(std::string("registering the lake module: ") + sqlite3_errmsg(conn.db));
  }
  if (opt.cancel != nullptr) {
    sqlite3_progress_handler(conn.db, 1000, CancelCheck, const_cast<std::atomic<bool>*>(opt.cancel));
  }
  for (const auto& [schema, d] : schemas) {
    if (schema == "main") continue;
    const std::string attach = "ATTACH ':memory:' AS " + QuoteName(schema);
    if (sqlite3_exec(conn.db, attach.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Status::NotSupported(std::string("too many databases in one statement: ") + sqlite3_errmsg(conn.db));
    }
  }
  for (const auto& [name, index] : creates) {
    const std::string create = "CREATE VIRTUAL TABLE " + name + " USING lake(" + std::to_string(index) + ")";
    if (sqlite3_exec(conn.db, create.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Status::Internal(std::string("creating ") + name + ": " + sqlite3_errmsg(conn.db));
    }
  }
  // Nothing but reading from here on.
  sqlite3_exec(conn.db, "PRAGMA query_only = ON", nullptr, nullptr, nullptr);

  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const std::string& prepared = rewritten.text;
  if (sqlite3_prepare_v2(conn.db, prepared.c_str(), static_cast<int>(prepared.size()), &raw, &tail) != SQLITE_OK) {
    std::string msg = sqlite3_errmsg(conn.db);
    int offset = at_original(sqlite3_error_offset(conn.db));
    for (const std::string& d : aliased) {
      const std::string alias = SchemaAlias(d) + ".";
      if (const size_t at = msg.find(alias); at != std::string::npos) msg.replace(at, alias.size(), d + ".");
    }
    if (msg.starts_with("no such table: ") && offset < 0) {
      // SQLite gives no offset here: the first mention of the name is where it is.
      const size_t at = AsciiLower(sql).find(AsciiLower(msg.substr(15)));
      if (at != std::string::npos) offset = static_cast<int>(at);
    }
    if (msg == "incomplete input" && offset < 0) offset = static_cast<int>(sql.size());  // at the end
    const std::string pos = Position(sql, offset);
    if (msg.starts_with("no such table: ")) {
      std::string name = msg.substr(15);
      if (name.find('.') == std::string::npos) name = dflt + "." + name;
      msg = "Table 'awsdatacatalog." + name + "' does not exist";
    } else if (msg.starts_with("no such column: ")) {
      msg = "Column '" + msg.substr(16) + "' cannot be resolved";
    } else if (msg.starts_with("near \"") && msg.ends_with("\": syntax error")) {
      msg = "mismatched input '" + msg.substr(6, msg.size() - 6 - 15) + "'";  // Presto's words
    } else if (msg == "incomplete input") {
      msg = "mismatched input '<EOF>'";
    }
    return Status::InvalidArgument((pos.empty() ? "line 1:1: " : pos) + msg);
  }
  std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, sqlite3_finalize);
  if (tail != nullptr && std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    return Status::InvalidArgument(Position(sql, at_original(static_cast<int>(tail - prepared.c_str()))) +
                                   "mismatched input. Expecting: <EOF> (one statement at a time)");
  }
  if (sqlite3_stmt_readonly(stmt.get()) == 0) return Status::NotSupported("only SELECT statements are supported by sluice");

  QueryResult result;
  result.is_select = true;
  result.statement_type = "DML";
  const int ncol = sqlite3_column_count(stmt.get());
  std::vector<std::string> decl(static_cast<size_t>(ncol));
  std::vector<int> decimal_scale(static_cast<size_t>(ncol), -1);  // decimal(p,s) columns print s digits
  for (int i = 0; i < ncol; ++i) {
    const char* name = sqlite3_column_name(stmt.get(), i);
    std::string n = name == nullptr ? "" : name;
    bool plain = !n.empty();
    for (const char c : n) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$');
    result.columns.push_back({plain ? AsciiLower(n) : "_col" + std::to_string(i), ""});
    const char* d = sqlite3_column_decltype(stmt.get(), i);
    decl[static_cast<size_t>(i)] = d == nullptr ? "" : AthenaTypeFromDecl(d);
    decimal_scale[static_cast<size_t>(i)] = d == nullptr ? -1 : DecimalScaleFromDecl(d);
    if (decimal_scale[static_cast<size_t>(i)] >= 0) {
      const ColumnType t = ParseColumnType(AsciiLower(d));
      result.columns.back().precision = t.precision;
      result.columns.back().scale = t.scale;
    }
  }
  std::vector<int> seen(static_cast<size_t>(ncol), SQLITE_NULL);
  std::vector<bool> typed_by_value(static_cast<size_t>(ncol), false);
  for (;;) {
    const int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      if (rc == SQLITE_INTERRUPT) return Status::Unavailable("Query cancelled");
      return Status::InvalidArgument(RuntimeError(sql, sqlite3_errmsg(conn.db)));
    }
    std::vector<std::optional<std::string>> row;
    row.reserve(static_cast<size_t>(ncol));
    for (int i = 0; i < ncol; ++i) {
      const int type = sqlite3_column_type(stmt.get(), i);
      if (type == SQLITE_NULL) {
        row.emplace_back();
        continue;
      }
      if (seen[static_cast<size_t>(i)] == SQLITE_NULL) seen[static_cast<size_t>(i)] = type;
      if (decl[static_cast<size_t>(i)] == "boolean" && type == SQLITE_INTEGER) {
        row.emplace_back(sqlite3_column_int64(stmt.get(), i) != 0 ? "true" : "false");
        continue;
      }
      if (type == SQLITE_BLOB) {
        if (const auto d = DecodeDecimal(sqlite3_column_blob(stmt.get(), i),
                                         static_cast<size_t>(sqlite3_column_bytes(stmt.get(), i)))) {
          // A computed decimal's type is its first value's (Presto types it statically).
          if (decimal_scale[static_cast<size_t>(i)] < 0 && !typed_by_value[static_cast<size_t>(i)]) {
            typed_by_value[static_cast<size_t>(i)] = true;
            result.columns[static_cast<size_t>(i)].precision = d->precision;
            result.columns[static_cast<size_t>(i)].scale = d->scale;
          }
          row.emplace_back(DecimalText(*d));
          continue;
        }
      }
      if (const int scale = decimal_scale[static_cast<size_t>(i)];
          scale >= 0 && (type == SQLITE_FLOAT || type == SQLITE_INTEGER)) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "%.*f", scale, sqlite3_column_double(stmt.get(), i));
        row.emplace_back(buf);
        continue;
      }
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), i));
      row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt.get(), i))));
    }
    result.rows.push_back(std::move(row));
  }
  for (int i = 0; i < ncol; ++i) {
    std::string& t = result.columns[static_cast<size_t>(i)].type;
    t = decl[static_cast<size_t>(i)];
    if (t.empty()) {
      const int s = seen[static_cast<size_t>(i)];
      t = typed_by_value[static_cast<size_t>(i)] ? "decimal"
          : s == SQLITE_INTEGER                  ? "bigint"
          : s == SQLITE_FLOAT                    ? "double"
                                                 : "varchar";
    }
  }
  result.bytes_scanned = ctx.bytes_scanned->load();
  return result;
}

Engine::Engine(catalog::Catalog& catalog, objects::ObjectStore& store, EngineOptions options)
    : impl_(std::make_unique<Impl>(catalog, store, options)) {}
Engine::~Engine() = default;

Result<QueryResult> Engine::Execute(std::string_view sql, const ExecuteOptions& options) {
  ASSIGN_OR_RETURN(const Statement st, ParseStatement(sql));
  return impl_->Run(st, options);
}

Result<std::vector<std::string>> Engine::ListDatabases() { return catalog::ListLakeDatabases(impl_->catalog); }

Result<std::vector<catalog::LakeTableRow>> Engine::ListTables(const std::string& database) {
  ASSIGN_OR_RETURN(const bool exists, impl_->DatabaseExists(AsciiLower(database)));
  if (!exists) return Status::NotFound("Database " + database + " not found");
  return catalog::LoadLakeTables(impl_->catalog, AsciiLower(database));
}

}  // namespace sluice::query
