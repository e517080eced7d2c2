#include "internal/result_metadata.h"

#include <cstdint>

namespace sluice::query {
namespace {

enum WireType : uint8_t { kVarint = 0, kLengthDelimited = 2 };

void Varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out += static_cast<char>(static_cast<uint8_t>(v));
}

void Tag(std::string& out, int field, WireType type) { Varint(out, (static_cast<uint64_t>(field) << 3) | type); }

// proto3: a field at its default (empty, 0, false) is not written.
void Bytes(std::string& out, int field, std::string_view s) {
  if (s.empty()) return;
  Tag(out, field, kLengthDelimited);
  Varint(out, s.size());
  out += s;
}

void Number(std::string& out, int field, int64_t v) {
  if (v == 0) return;
  Tag(out, field, kVarint);
  Varint(out, static_cast<uint64_t>(v));  // int32/enum: negatives as ten bytes, as protobuf does
}

}  // namespace

bool AthenaCaseSensitive(const ColumnInfo& c) { return c.type == "varchar" || c.type == "string" || c.type == "char"; }

int64_t AthenaPrecision(const ColumnInfo& c) {
  if (AthenaCaseSensitive(c)) return 2147483647;
  if (c.type == "bigint") return 19;
  if (c.type == "integer") return 10;
  if (c.type == "double") return 17;
  return c.precision;
}

std::string EncodeResultMetadata(std::string_view query_id, const std::vector<ColumnInfo>& columns) {
  std::string out;
  Bytes(out, kMetadataQueryIdField, query_id);
  for (const ColumnInfo& c : columns) {
    std::string col;
    Bytes(col, 1, "hive");
    Bytes(col, 4, c.name);
    Bytes(col, 5, c.name);
    Bytes(col, 6, c.type);
    Number(col, 7, AthenaPrecision(c));
    Number(col, 8, c.scale);
    Number(col, 9, kNullableUnknown);
    Number(col, 10, AthenaCaseSensitive(c) ? 1 : 0);
    Tag(out, kMetadataColumnField, kLengthDelimited);
    Varint(out, col.size());
    out += col;
  }
  return out;
}

}  // namespace sluice::query
