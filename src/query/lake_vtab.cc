#include "internal/lake_vtab.h"

#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <deque>
#include <future>
#include <memory>

#include "base/ascii.h"
#include "internal/decode.h"

namespace sluice::query {
namespace {

struct Vtab {
  sqlite3_vtab base{};
  ScanContext* ctx = nullptr;
  const TableBinding* table = nullptr;
};

struct ObjectRef {
  std::string bucket;
  std::string key;
  size_t partition = 0;  // index into table->partitions; unused when unpartitioned
};

struct Cursor {
  sqlite3_vtab_cursor base{};
  // The table's spec narrowed to the columns the statement reads (xBestIndex's colUsed):
  // other keys are skipped by the parser, never converted or copied.
  std::shared_ptr<const RowSpec> spec;
  std::vector<ObjectRef> objects;
  size_t next_submit = 0;
  std::deque<std::future<Result<ParsedRows>>> inflight;
  ParsedRows rows;
  size_t object = 0;  // index of the object `rows` came from, + 1 (0: none yet)
  size_t row = 0;
  int64_t rowid = 0;
  bool eof = true;

  void Drain() {
    for (auto& f : inflight) f.wait();
    inflight.clear();
  }
};

bool IsTrue(const catalog::LakeProperties& props, std::string_view key, bool dflt) {
  for (const auto& [k, v] : props) {
    if (AsciiLower(k) == key) return AsciiLower(v) == "true";
  }
  return dflt;
}

int SetError(sqlite3_vtab* vtab, const std::string& message) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s", message.c_str());
  return SQLITE_ERROR;
}

int Connect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out, char** err) {
  auto* ctx = static_cast<ScanContext*>(aux);
  if (argc < 4) {
    *err = sqlite3_mprintf("lake: table index missing");
    return SQLITE_ERROR;
  }
  const size_t index = std::strtoul(argv[3], nullptr, 10);
  if (index >= ctx->tables.size()) {
    *err = sqlite3_mprintf("lake: no table %s", argv[3]);
    return SQLITE_ERROR;
  }
  const TableBinding& t = ctx->tables[index];
  std::string ddl = "CREATE TABLE x(";
  for (size_t i = 0; i < t.row.columns.size(); ++i) {
    ddl += QuoteName(t.row.columns[i].name) + " " + DeclaredType(t.spec.types[i]) + ", ";
  }
  for (size_t i = 0; i < t.row.partition_keys.size(); ++i) {
    ddl += QuoteName(t.row.partition_keys[i].name) + " " + DeclaredType(t.partition_types[i]) + ", ";
  }
  ddl += "\"$path\" varchar HIDDEN)";
  if (const int rc = sqlite3_declare_vtab(db, ddl.c_str()); rc != SQLITE_OK) return rc;
  auto vtab = std::make_unique<Vtab>();
  vtab->ctx = ctx;
  vtab->table = &t;
  *out = &vtab.release()->base;
  return SQLITE_OK;
}

int Disconnect(sqlite3_vtab* vtab) {
  delete reinterpret_cast<Vtab*>(vtab);  // NOLINT: owned by SQLite between Connect and here
  return SQLITE_OK;
}

int BestIndex(sqlite3_vtab* base, sqlite3_index_info* info) {
  const auto* vtab = reinterpret_cast<Vtab*>(base);
  const int data = static_cast<int>(vtab->table->row.columns.size());
  const int parts = static_cast<int>(vtab->table->row.partition_keys.size());
  // "<colUsed in hex>;<partition key index>,..."
  char mask[24];
  std::snprintf(mask, sizeof mask, "%llx;", static_cast<unsigned long long>(info->colUsed));
  std::string plan = mask;
  int argv = 0;
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    if (!c.usable || c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (c.iColumn < data || c.iColumn >= data + parts) continue;
    info->aConstraintUsage[i].argvIndex = ++argv;
    info->aConstraintUsage[i].omit = 0;  // SQLite checks again; pruning is only a filter
    plan += std::to_string(c.iColumn - data) + ",";
  }
  info->idxStr = sqlite3_mprintf("%s", plan.c_str());
  info->needToFreeIdxStr = 1;
  info->estimatedCost = 1e6 / (1 + argv * 10);
  return SQLITE_OK;
}

int Open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  *out = &(new Cursor())->base;  // NOLINT: owned by SQLite until Close
  return SQLITE_OK;
}

int Close(sqlite3_vtab_cursor* base) {
  auto* cur = reinterpret_cast<Cursor*>(base);
  cur->Drain();
  delete cur;  // NOLINT
  return SQLITE_OK;
}

Status ListUnder(objects::ObjectStore& store, const std::string& bucket, const std::string& prefix,
                 size_t partition, std::vector<ObjectRef>& out) {
  objects::ListRequest req{.prefix = prefix, .max_keys = objects::kMaxListKeys};
  for (;;) {
    auto page = store.List(bucket, req);
    if (!page.ok()) {
      return Status::IOError("HIVE_CANNOT_OPEN_SPLIT: listing s3://" + bucket + "/" + prefix + ": " +
                             page.error().message);
    }
    for (const auto& o : page->objects) {
      if (IsHiddenKey(std::string_view(o.key).substr(prefix.size())) || o.size == 0) continue;
      out.push_back({bucket, o.key, partition});
    }
    if (!page->truncated) return Status::OK();
    req.start_after = page->last;
  }
}

void Submit(Vtab* vtab, Cursor* cur) {
  ScanContext* ctx = vtab->ctx;
  while (cur->next_submit < cur->objects.size() &&
         cur->inflight.size() < static_cast<size_t>(std::max(1, ctx->read_ahead))) {
    const ObjectRef& ref = cur->objects[cur->next_submit++];
    auto task = std::make_shared<std::packaged_task<Result<ParsedRows>()>>(
        [ctx, spec = cur->spec, bucket = ref.bucket, key = ref.key]() -> Result<ParsedRows> {
          if (ctx->cancel != nullptr && ctx->cancel->load()) return Status::Unavailable("Query cancelled");
          auto got = ctx->store->Get(bucket, key);
          const std::string path = "s3://" + bucket + "/" + key;
          if (!got.ok()) return Status::IOError("HIVE_CANNOT_OPEN_SPLIT: " + path + ": " + got.error().message);
          if (ctx->bytes_scanned != nullptr) ctx->bytes_scanned->fetch_add(got->data.size());
          ASSIGN_OR_RETURN(std::string text, Decode(path, std::move(got->data)));
          return ParseRows(*spec, path, std::move(text));
        });
    cur->inflight.push_back(task->get_future());
    ctx->pool->Post([task] { (*task)(); });
  }
}

// Moves to the next row, fetching objects as needed.
int Advance(Vtab* vtab, Cursor* cur) {
  ++cur->row;
  while (cur->row >= cur->rows.rows()) {
    if (cur->inflight.empty()) {
      cur->eof = true;
      return SQLITE_OK;
    }
    Result<ParsedRows> next = cur->inflight.front().get();
    cur->inflight.pop_front();
    ++cur->object;
    Submit(vtab, cur);
    if (!next.ok()) {
      cur->Drain();
      return next.status().code() == StatusCode::kUnavailable ? SQLITE_INTERRUPT
                                                              : SetError(&vtab->base, next.status().message());
    }
    cur->rows = std::move(*next);
    cur->row = 0;
  }
  ++cur->rowid;
  return SQLITE_OK;
}

int Filter(sqlite3_vtab_cursor* base, int, const char* idx_str, int argc, sqlite3_value** argv) {
  auto* cur = reinterpret_cast<Cursor*>(base);
  auto* vtab = reinterpret_cast<Vtab*>(base->pVtab);
  const TableBinding& t = *vtab->table;
  cur->Drain();
  cur->objects.clear();
  cur->next_submit = 0;
  cur->rows = ParsedRows{};
  cur->object = 0;
  cur->row = 0;
  cur->rowid = 0;
  cur->eof = false;
  // Which partition key each argv value constrains.
  std::vector<size_t> keys;
  const char* p = idx_str == nullptr ? "" : idx_str;
  char* after_mask = nullptr;
  const uint64_t used = std::strtoull(p, &after_mask, 16);
  p = *after_mask == ';' ? after_mask + 1 : after_mask;
  auto spec = std::make_shared<RowSpec>(t.spec);
  spec->by_key.clear();
  for (const auto& [key, column] : t.spec.by_key) {
    // Bit 63 stands for every column from the 64th on.
    if ((used >> std::min(column, 63)) & 1) spec->by_key.emplace(key, column);
  }
  cur->spec = std::move(spec);
  while (*p != '\0') {
    char* end = nullptr;
    keys.push_back(std::strtoul(p, &end, 10));
    p = *end == ',' ? end + 1 : end;
  }
  if (t.row.partition_keys.empty()) {
    std::string bucket, prefix;
    SplitLocation(t.row.location, bucket, prefix);
    if (Status st = ListUnder(*vtab->ctx->store, bucket, prefix, 0, cur->objects); !st.ok()) {
      return SetError(&vtab->base, st.message());
    }
  } else {
    for (size_t p = 0; p < t.partitions.size(); ++p) {
      bool match = true;
      for (int a = 0; a < argc && a < static_cast<int>(keys.size()); ++a) {
        const unsigned char* v = sqlite3_value_text(argv[a]);
        if (v == nullptr || t.partitions[p].values.at(keys[static_cast<size_t>(a)]) != reinterpret_cast<const char*>(v)) {
          match = false;
        }
      }
      if (!match) continue;
      std::string bucket, prefix;
      if (!SplitLocation(t.partitions[p].location, bucket, prefix)) continue;
      if (Status st = ListUnder(*vtab->ctx->store, bucket, prefix, p, cur->objects); !st.ok()) {
        return SetError(&vtab->base, st.message());
      }
    }
  }
  Submit(vtab, cur);
  cur->row = 0;
  cur->rows = ParsedRows{};
  // Advance() increments first: start one before the first row.
  cur->row = static_cast<size_t>(-1);
  cur->rowid = 0;
  return Advance(vtab, cur);
}

int Next(sqlite3_vtab_cursor* base) {
  return Advance(reinterpret_cast<Vtab*>(base->pVtab), reinterpret_cast<Cursor*>(base));
}

int Eof(sqlite3_vtab_cursor* base) { return reinterpret_cast<Cursor*>(base)->eof ? 1 : 0; }

void ResultCell(sqlite3_context* ctx, const Cell& c) {
  switch (c.type) {
    case Cell::Type::kNull: return sqlite3_result_null(ctx);
    case Cell::Type::kInt: return sqlite3_result_int64(ctx, c.i);
    case Cell::Type::kDouble: return sqlite3_result_double(ctx, c.d);
    case Cell::Type::kText:
      return sqlite3_result_text(ctx, c.s.data(), static_cast<int>(c.s.size()), SQLITE_TRANSIENT);
    case Cell::Type::kBlob:
      return sqlite3_result_blob(ctx, c.s.data(), static_cast<int>(c.s.size()), SQLITE_TRANSIENT);
  }
}

int Column(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int n) {
  auto* cur = reinterpret_cast<Cursor*>(base);
  const TableBinding& t = *reinterpret_cast<Vtab*>(base->pVtab)->table;
  const size_t data = t.row.columns.size();
  const size_t col = static_cast<size_t>(n);
  const ObjectRef& ref = cur->objects[cur->object - 1];
  if (col < data) {
    ResultCell(ctx, cur->rows.cells[cur->row * cur->rows.width + col]);
  } else if (col < data + t.row.partition_keys.size()) {
    const std::string& v = t.partitions[ref.partition].values[col - data];
    Cell c;
    CellFromText(c, t.partition_types[col - data], v, false);
    ResultCell(ctx, c);
  } else {
    const std::string path = "s3://" + ref.bucket + "/" + ref.key;
    sqlite3_result_text(ctx, path.data(), static_cast<int>(path.size()), SQLITE_TRANSIENT);
  }
  return SQLITE_OK;
}

int Rowid(sqlite3_vtab_cursor* base, sqlite3_int64* out) {
  *out = reinterpret_cast<Cursor*>(base)->rowid;
  return SQLITE_OK;
}

sqlite3_module MakeModule() {
  sqlite3_module m{};
  m.iVersion = 1;
  m.xCreate = Connect;
  m.xConnect = Connect;
  m.xBestIndex = BestIndex;
  m.xDisconnect = Disconnect;
  m.xDestroy = Disconnect;
  m.xOpen = Open;
  m.xClose = Close;
  m.xFilter = Filter;
  m.xNext = Next;
  m.xEof = Eof;
  m.xColumn = Column;
  m.xRowid = Rowid;
  return m;
}

const sqlite3_module kModule = MakeModule();

}  // namespace

int RegisterLakeModule(sqlite3* db, ScanContext* ctx) { return sqlite3_create_module(db, "lake", &kModule, ctx); }

TableBinding BindTable(catalog::LakeTableRow row, std::vector<catalog::LakePartitionRow> partitions) {
  TableBinding t;
  t.spec.case_insensitive = IsTrue(row.serde_properties, "case.insensitive", true);
  t.spec.ignore_malformed = IsTrue(row.serde_properties, "ignore.malformed.json", false);
  for (size_t i = 0; i < row.columns.size(); ++i) {
    const auto& c = row.columns[i];
    t.spec.types.push_back(ParseColumnType(c.type));
    std::string key = c.name;
    for (const auto& [k, v] : row.serde_properties) {
      if (AsciiLower(k) == "mapping." + c.name) key = v;
    }
    if (t.spec.case_insensitive) key = AsciiLower(key);
    t.spec.by_key[key] = static_cast<int>(i);
  }
  for (const auto& p : row.partition_keys) t.partition_types.push_back(ParseColumnType(p.type));
  t.row = std::move(row);
  t.partitions = std::move(partitions);
  return t;
}

bool SplitLocation(std::string_view location, std::string& bucket, std::string& prefix) {
  if (!location.starts_with("s3://")) return false;
  location.remove_prefix(5);
  const size_t slash = location.find('/');
  bucket.assign(location.substr(0, slash));
  prefix.assign(slash == std::string_view::npos ? "" : location.substr(slash + 1));
  return !bucket.empty();
}

bool IsHiddenKey(std::string_view relative) {
  if (relative.empty() || relative.back() == '/' || relative.ends_with("_$folder$")) return true;
  size_t at = 0;
  while (at < relative.size()) {
    if (relative[at] == '_' || relative[at] == '.') return true;
    const size_t slash = relative.find('/', at);
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  return false;
}

}  // namespace sluice::query
