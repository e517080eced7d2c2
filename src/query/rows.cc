#include "internal/rows.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/ascii.h"
#include "internal/decimal.h"

namespace sluice::query {
namespace {

namespace od = simdjson::ondemand;

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool ToInt(std::string_view s, int64_t& out) {
  s = TrimBlanks(s);
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool ToDouble(std::string_view s, double& out) {
  s = TrimBlanks(s);
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

void Text(Cell& c, std::string_view s) {
  c.type = Cell::Type::kText;
  c.s.assign(s);
}

}  // namespace

// A scalar as text (number token, string contents, true/false) into `c`, typed.
void CellFromText(Cell& c, const ColumnType& t, std::string_view s, bool was_number) {
  switch (t.kind) {
    case ValueKind::kString:
    case ValueKind::kNested:
      return Text(c, s);
    case ValueKind::kInteger: {
      int64_t v = 0;
      if (ToInt(s, v)) {
        c.type = Cell::Type::kInt;
        c.i = v;
      }
      return;
    }
    case ValueKind::kDouble: {
      double v = 0;
      if (ToDouble(s, v)) {
        c.type = Cell::Type::kDouble;
        c.d = v;
      }
      return;
    }
    case ValueKind::kDecimal: {
      // Rounded half up to the column's scale; too many digits is NULL, as the SerDe.
      std::string exact;
      if (NormalizeDecimal(s, t.precision, t.scale, exact)) {
        c.type = Cell::Type::kBlob;
        c.s = EncodeDecimal(DecimalFromNormalized(exact, t.precision, t.scale));
      }
      return;
    }
    case ValueKind::kBoolean: {
      const std::string l = AsciiLower(s);
      if (l == "true" || l == "false") {
        c.type = Cell::Type::kInt;
        c.i = l == "true";
      }
      return;
    }
    case ValueKind::kDate: {
      int64_t v = 0;
      if (was_number && ToInt(s, v)) return Text(c, FormatDate(v));
      int64_t ms = 0;
      if (ParseTimestampMs(s, ms)) Text(c, FormatDate(ms >= 0 ? ms / 86'400'000 : (ms - 86'399'999) / 86'400'000));
      return;
    }
    case ValueKind::kTimestamp: {
      int64_t v = 0;
      if (was_number && ToInt(s, v)) return Text(c, FormatTimestampMs(v));  // epoch milliseconds
      int64_t ms = 0;
      if (ParseTimestampMs(s, ms)) Text(c, FormatTimestampMs(ms));
      return;
    }
  }
}

namespace {

simdjson::error_code ReadValue(od::value v, Cell& c, const ColumnType& t) {
  od::json_type jt;
  if (auto e = v.type().get(jt)) return e;
  switch (jt) {
    case od::json_type::null:
      // is_null consumes the token.
      return v.is_null().error();
    case od::json_type::object: {
      od::object o;
      if (auto e = v.get_object().get(o)) return e;
      std::string_view raw;
      if (auto e = o.raw_json().get(raw)) return e;
      if (t.kind == ValueKind::kString || t.kind == ValueKind::kNested) Text(c, raw);
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array a;
      if (auto e = v.get_array().get(a)) return e;
      std::string_view raw;
      if (auto e = a.raw_json().get(raw)) return e;
      if (t.kind == ValueKind::kString || t.kind == ValueKind::kNested) Text(c, raw);
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return e;
      CellFromText(c, t, s, false);
      return simdjson::SUCCESS;
    }
    case od::json_type::number: {
      if (t.kind == ValueKind::kDouble) {
        double d = 0;
        if (auto e = v.get_double().get(d)) return e;
        c.type = Cell::Type::kDouble;
        c.d = d;
        return simdjson::SUCCESS;
      }
      if (t.kind == ValueKind::kInteger) {
        int64_t i = 0;
        if (v.get_int64().get(i) == simdjson::SUCCESS) {
          c.type = Cell::Type::kInt;
          c.i = i;
        }
        return simdjson::SUCCESS;  // a fraction or an overflow is NULL
      }
      CellFromText(c, t, TrimRight(v.raw_json_token()), true);
      return simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (auto e = v.get_bool().get(b)) return e;
      if (t.kind == ValueKind::kBoolean || t.kind == ValueKind::kInteger) {
        c.type = Cell::Type::kInt;
        c.i = b;
      } else {
        CellFromText(c, t, b ? "true" : "false", false);
      }
      return simdjson::SUCCESS;
    }
  }
  return simdjson::SUCCESS;
}

class RowReader {
 public:
  RowReader(const RowSpec& spec, ParsedRows& out) : spec_(spec), out_(out) {
    out_.width = spec.types.size();
    if (spec.by_key.size() <= kFewKeys) few_.assign(spec.by_key.begin(), spec.by_key.end());
  }

  // Reads one object into a new row; on error the row is removed.
  simdjson::error_code Row(od::object obj) {
    const size_t base = out_.cells.size();
    out_.cells.resize(base + out_.width);
    const simdjson::error_code e = Fields(obj, base);
    if (e) out_.cells.resize(base);
    return e;
  }

 private:
  simdjson::error_code Fields(od::object obj, size_t base) {
    for (auto field : obj) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return e;
      int column = -1;
      if (spec_.by_key.size() <= kFewKeys) {
        // The usual statement reads a few columns: compare in place, no copy, no hash.
        for (const auto& [name, index] : few_) {
          if (name.size() == key.size() && (spec_.case_insensitive ? AsciiEqualsLower(key, name) : key == name)) {
            column = index;
            break;
          }
        }
      } else if (spec_.case_insensitive) {
        key_.assign(key);
        for (char& ch : key_) {
          if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        }
        const auto it = spec_.by_key.find(key_);
        if (it != spec_.by_key.end()) column = it->second;
      } else {
        key_.assign(key);
        const auto it = spec_.by_key.find(key_);
        if (it != spec_.by_key.end()) column = it->second;
      }
      od::value v;
      if (auto e = field.value().get(v)) return e;
      if (column < 0) {
        // Unread (unknown, or not used by the statement): skipped by the parser, but its
        // first token is still checked (and true/false/null whole), so a line like
        // {"a": oops} or {"a": nope} stays malformed.
        od::json_type jt;
        if (auto e = v.type().get(jt)) return e;
        if (jt == od::json_type::null) {
          bool is_null = false;
          if (v.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return simdjson::N_ATOM_ERROR;
        } else if (jt == od::json_type::boolean) {
          bool b = false;
          if (auto e = v.get_bool().get(b)) return e;
        }
        continue;
      }
      Cell& c = out_.cells[base + static_cast<size_t>(column)];
      c = Cell{};
      if (auto e = ReadValue(v, c, spec_.types[static_cast<size_t>(column)])) return e;
    }
    return simdjson::SUCCESS;
  }

  // `lower` is lower-case already: whether `key` equals it ignoring ASCII case.
  static bool AsciiEqualsLower(std::string_view key, std::string_view lower) {
    for (size_t i = 0; i < key.size(); ++i) {
      char ch = key[i];
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      if (ch != lower[i]) return false;
    }
    return true;
  }

  static constexpr size_t kFewKeys = 8;
  const RowSpec& spec_;
  ParsedRows& out_;
  std::vector<std::pair<std::string, int>> few_;  // by_key when it has at most kFewKeys keys
  std::string key_;
};

Status Malformed(std::string_view path, size_t line, simdjson::error_code e) {
  return Status::InvalidArgument("HIVE_BAD_DATA: Row is not a valid JSON Object - " +
                                 std::string(simdjson::error_message(e)) + " (" + std::string(path) +
                                 ", line " + std::to_string(line) + ")");
}

}  // namespace

Result<ParsedRows> ParseRows(const RowSpec& spec, std::string_view path, std::string text) {
  ParsedRows out;
  RowReader reader(spec, out);
  const size_t size = text.size();
  od::parser parser;
  size_t first = 0;
  while (first < size && (text[first] == ' ' || text[first] == '\t' || text[first] == '\r' || text[first] == '\n')) {
    ++first;
  }
  if (first < size && text[first] == '[') {
    // One array of objects: every element is a row. A malformed array loses the rest.
    text.append(simdjson::SIMDJSON_PADDING, ' ');
    size_t line = 1;
    for (size_t k = 0; k < first; ++k) line += text[k] == '\n';
    od::document doc;
    simdjson::error_code e = parser.iterate(text.data(), size, text.size()).get(doc);
    od::array arr;
    if (!e) e = doc.get_array().get(arr);
    if (!e) {
      for (auto element : arr) {
        od::object obj;
        if ((e = element.get_object().get(obj))) break;
        if ((e = reader.Row(obj))) break;
      }
    }
    if (!e && doc.current_location().error() != simdjson::OUT_OF_BOUNDS) e = simdjson::TRAILING_CONTENT;
    if (e) {
      if (!spec.ignore_malformed) return Malformed(path, line, e);
      ++out.malformed;
    }
    return out;
  }
  // simdjson reads up to SIMDJSON_PADDING bytes past a document: every line but the
  // last has the rest of the object behind it; the last one, when the string has no
  // room behind it, is parsed from a padded copy (not the whole object: that copy was
  // the biggest cost of a plain scan).
  const bool padded = text.capacity() >= size + simdjson::SIMDJSON_PADDING;
  if (padded) text.append(simdjson::SIMDJSON_PADDING, ' ');  // within capacity: no copy
  std::string tail;
  size_t line = 0;
  size_t at = 0;
  while (at < size) {
    ++line;
    size_t end = text.find('\n', at);
    if (end == std::string::npos || end > size) end = size;
    std::string_view row(text.data() + at, end - at);
    const size_t start = at;
    at = end + 1;
    if (line == 1 && out.width > 0) {
      // Rows are about as long as the first: room for them all, not a doubling vector's moves.
      out.cells.reserve((size / std::max<size_t>(row.size() + 1, 256) * 9 / 8 + 16) * out.width);
    }
    row = TrimRight(row);
    size_t lead = 0;
    while (lead < row.size() && (row[lead] == ' ' || row[lead] == '\t')) ++lead;
    if (lead == row.size()) continue;  // a blank line is no row
    const size_t before = out.cells.size();
    od::document doc;
    const char* json = text.data() + start + lead;
    const size_t len = row.size() - lead;
    size_t room = text.size() - start - lead;
    if (!padded && room < len + simdjson::SIMDJSON_PADDING) {
      tail.assign(json, len);
      tail.append(simdjson::SIMDJSON_PADDING, ' ');
      json = tail.data();
      room = tail.size();
    }
    simdjson::error_code e = parser.iterate(json, len, room).get(doc);
    od::object obj;
    if (!e) e = doc.get_object().get(obj);
    if (!e) e = reader.Row(obj);
    if (!e && doc.current_location().error() != simdjson::OUT_OF_BOUNDS) e = simdjson::TRAILING_CONTENT;
    if (e) {
      if (!spec.ignore_malformed) return Malformed(path, line, e);
      ++out.malformed;
      out.cells.resize(before);
    }
  }
  return out;
}

}  // namespace sluice::query
