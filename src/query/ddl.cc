#include "internal/ddl.h"

#include <cctype>

#include "base/ascii.h"

namespace sluice::query {
namespace {

enum class Tok { kWord, kQuotedName, kString, kNumber, kPunct, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // words as written; strings and quoted names unquoted
  int line = 1;
  int column = 1;
};

std::string Lower(std::string_view s) { return AsciiLower(s); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) { return AsciiLower(a) == AsciiLower(b); }

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

// One pass over the statement; comments (-- and /* */) are skipped.
Result<std::vector<Token>> Lex(std::string_view s) {
  std::vector<Token> out;
  int line = 1;
  size_t line_start = 0;
  size_t i = 0;
  const auto error = [&](std::string_view what) {
    return Status::InvalidArgument("line " + std::to_string(line) + ":" +
                                   std::to_string(i - line_start + 1) + ": " + std::string(what));
  };
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\n') {
      ++line;
      line_start = ++i;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      const size_t end = s.find("*/", i + 2);
      if (end == std::string_view::npos) return error("unterminated comment");
      for (size_t k = i; k < end; ++k) {
        if (s[k] == '\n') {
          ++line;
          line_start = k + 1;
        }
      }
      i = end + 2;
      continue;
    }
    Token t;
    t.line = line;
    t.column = static_cast<int>(i - line_start + 1);
    if (c == '\'' || c == '"' || c == '`') {
      t.kind = c == '`' ? Tok::kQuotedName : Tok::kString;
      size_t k = i + 1;
      for (;; ++k) {
        if (k >= s.size()) return error("unterminated quoted text");
        if (s[k] == '\\' && c != '`' && k + 1 < s.size()) {
          t.text += s[++k];
          continue;
        }
        if (s[k] == c) {
          if (k + 1 < s.size() && s[k + 1] == c) {
            t.text += c;
            ++k;
            continue;
          }
          break;
        }
        if (s[k] == '\n') {
          ++line;
          line_start = k + 1;
        }
        t.text += s[k];
      }
      i = k + 1;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      t.kind = Tok::kNumber;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) t.text += s[i++];
    } else if (IsWordChar(c)) {
      t.kind = Tok::kWord;
      while (i < s.size() && IsWordChar(s[i])) t.text += s[i++];
    } else {
      t.kind = Tok::kPunct;
      t.text = std::string(1, c);
      ++i;
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.line = line;
  end.column = static_cast<int>(i - line_start + 1);
  out.push_back(end);
  return out;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<Statement> Parse();

 private:
  const Token& Peek(size_t ahead = 0) const { return t_[std::min(pos_ + ahead, t_.size() - 1)]; }
  bool IsWord(std::string_view kw, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == Tok::kWord && EqualsIgnoreCase(t.text, kw);
  }
  bool IsPunct(char c) const { return Peek().kind == Tok::kPunct && Peek().text[0] == c; }
  bool Accept(std::string_view kw) {
    if (!IsWord(kw)) return false;
    ++pos_;
    return true;
  }
  bool AcceptPunct(char c) {
    if (!IsPunct(c)) return false;
    ++pos_;
    return true;
  }
  static std::string Shown(const Token& t) {
    if (t.kind == Tok::kEnd) return "<EOF>";
    if (t.kind == Tok::kString) return "'" + t.text + "'";
    return t.text;
  }
  Status Mismatch(std::string_view expecting) const {
    const Token& t = Peek();
    return Status::InvalidArgument("line " + std::to_string(t.line) + ":" + std::to_string(t.column) +
                                   ": mismatched input '" + Shown(t) + "'. Expecting: " +
                                   std::string(expecting));
  }
  Status Refuse(std::string_view what) const {
    const Token& t = Peek();
    return Status::NotSupported("line " + std::to_string(t.line) + ":" + std::to_string(t.column) +
                                ": " + std::string(what));
  }
  Status Expect(std::string_view kw) {
    if (Accept(kw)) return Status::OK();
    return Mismatch("'" + ToUpper(kw) + "'");
  }
  Status ExpectPunct(char c) {
    if (AcceptPunct(c)) return Status::OK();
    return Mismatch(std::string("'") + c + "'");
  }
  static std::string ToUpper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }
  Result<std::string> Name() {
    const Token& t = Peek();
    if (t.kind != Tok::kWord && t.kind != Tok::kQuotedName) return Mismatch("<identifier>");
    ++pos_;
    return Lower(t.text);
  }
  Result<std::string> String() {
    const Token& t = Peek();
    if (t.kind != Tok::kString) return Mismatch("<string>");
    ++pos_;
    return t.text;
  }
  Result<QualifiedName> Qualified() {
    QualifiedName q;
    ASSIGN_OR_RETURN(q.name, Name());
    if (AcceptPunct('.')) {
      q.database = q.name;
      ASSIGN_OR_RETURN(q.name, Name());
    }
    return q;
  }
  Status End() {
    AcceptPunct(';');
    if (Peek().kind != Tok::kEnd) return Mismatch("<EOF>");
    return Status::OK();
  }
  Result<bool> IfNotExists() {
    if (!Accept("if")) return false;
    RETURN_IF_ERROR(Expect("not"));
    RETURN_IF_ERROR(Expect("exists"));
    return true;
  }
  Result<bool> IfExists() {
    if (!Accept("if")) return false;
    RETURN_IF_ERROR(Expect("exists"));
    return true;
  }

  Result<std::string> Type();
  Result<std::vector<catalog::LakeColumn>> Columns();
  Result<catalog::LakeProperties> Properties();
  Result<Statement> Create();
  Result<Statement> CreateTableRest(bool external);
  Result<Statement> Drop();
  Result<Statement> Show();

  std::vector<Token> t_;
  size_t pos_ = 0;
  int depth_ = 0;
};

constexpr std::string_view kPrimitiveTypes[] = {"string", "varchar", "char", "int", "integer", "bigint",
                                                "smallint", "tinyint", "double", "float", "decimal",
                                                "boolean", "date", "timestamp", "binary"};
// Nested types deeper than this are refused: the parse is recursive.
constexpr int kMaxTypeDepth = 32;

Result<std::string> Parser::Type() {
  const Token& t = Peek();
  if (t.kind != Tok::kWord) return Mismatch("<type>");
  const std::string name = Lower(t.text);
  if (++depth_ > kMaxTypeDepth) return Refuse("type nested too deeply");
  ++pos_;
  std::string out = name == "integer" ? "int" : name;
  if (name == "array") {
    RETURN_IF_ERROR(ExpectPunct('<'));
    ASSIGN_OR_RETURN(const std::string item, Type());
    RETURN_IF_ERROR(ExpectPunct('>'));
    out += "<" + item + ">";
  } else if (name == "map") {
    RETURN_IF_ERROR(ExpectPunct('<'));
    ASSIGN_OR_RETURN(const std::string key, Type());
    RETURN_IF_ERROR(ExpectPunct(','));
    ASSIGN_OR_RETURN(const std::string value, Type());
    RETURN_IF_ERROR(ExpectPunct('>'));
    out += "<" + key + "," + value + ">";
  } else if (name == "struct") {
    RETURN_IF_ERROR(ExpectPunct('<'));
    out += "<";
    do {
      ASSIGN_OR_RETURN(const std::string field, Name());
      RETURN_IF_ERROR(ExpectPunct(':'));
      ASSIGN_OR_RETURN(const std::string type, Type());
      if (out.back() != '<') out += ",";
      out += field + ":" + type;
    } while (AcceptPunct(','));
    RETURN_IF_ERROR(ExpectPunct('>'));
    out += ">";
  } else {
    bool known = false;
    for (std::string_view p : kPrimitiveTypes) known = known || p == name;
    if (!known) {
      --pos_;
      return Mismatch("<type>");
    }
    if (AcceptPunct('(')) {
      if (Peek().kind != Tok::kNumber) return Mismatch("<integer>");
      out += "(" + t_[pos_++].text;
      if (AcceptPunct(',')) {
        if (Peek().kind != Tok::kNumber) return Mismatch("<integer>");
        out += "," + t_[pos_++].text;
      }
      RETURN_IF_ERROR(ExpectPunct(')'));
      out += ")";
    }
  }
  --depth_;
  return out;
}

Result<std::vector<catalog::LakeColumn>> Parser::Columns() {
  RETURN_IF_ERROR(ExpectPunct('('));
  std::vector<catalog::LakeColumn> cols;
  do {
    catalog::LakeColumn c;
    ASSIGN_OR_RETURN(c.name, Name());
    ASSIGN_OR_RETURN(c.type, Type());
    if (Accept("comment")) RETURN_IF_ERROR(String().status());
    for (const auto& other : cols) {
      if (other.name == c.name) return Refuse("Column repeated: " + c.name);
    }
    cols.push_back(std::move(c));
  } while (AcceptPunct(','));
  RETURN_IF_ERROR(ExpectPunct(')'));
  return cols;
}

Result<catalog::LakeProperties> Parser::Properties() {
  RETURN_IF_ERROR(ExpectPunct('('));
  catalog::LakeProperties props;
  do {
    ASSIGN_OR_RETURN(std::string key, String());
    RETURN_IF_ERROR(ExpectPunct('='));
    ASSIGN_OR_RETURN(std::string value, String());
    props.emplace_back(std::move(key), std::move(value));
  } while (AcceptPunct(','));
  RETURN_IF_ERROR(ExpectPunct(')'));
  return props;
}

Result<Statement> Parser::Create() {
  if (Accept("database") || Accept("schema")) {
    CreateDatabase c;
    ASSIGN_OR_RETURN(c.if_not_exists, IfNotExists());
    ASSIGN_OR_RETURN(c.name, Name());
    if (Accept("comment")) RETURN_IF_ERROR(String().status());
    RETURN_IF_ERROR(End());
    return Statement(std::move(c));
  }
  const bool external = Accept("external");
  if (!Accept("table")) return Mismatch(external ? "'TABLE'" : "'DATABASE', 'EXTERNAL', 'SCHEMA', 'TABLE'");
  return CreateTableRest(external);
}

Result<Statement> Parser::CreateTableRest(bool external) {
  CreateTable c;
  ASSIGN_OR_RETURN(c.if_not_exists, IfNotExists());
  ASSIGN_OR_RETURN(c.table, Qualified());
  c.row.name = c.table.name;
  ASSIGN_OR_RETURN(c.row.columns, Columns());
  if (Accept("comment")) RETURN_IF_ERROR(String().status());
  if (Accept("partitioned")) {
    RETURN_IF_ERROR(Expect("by"));
    ASSIGN_OR_RETURN(c.row.partition_keys, Columns());
    for (const auto& p : c.row.partition_keys) {
      for (const auto& col : c.row.columns) {
        if (col.name == p.name) return Refuse("Column repeated in partitioning columns: " + p.name);
      }
    }
  }
  if (IsWord("clustered")) return Refuse("CLUSTERED BY is not supported by sluice");
  if (!Accept("row")) return Mismatch("'ROW'");
  RETURN_IF_ERROR(Expect("format"));
  if (IsWord("delimited")) return Refuse("ROW FORMAT DELIMITED is not supported by sluice (JSON SerDes only)");
  RETURN_IF_ERROR(Expect("serde"));
  if (Peek().kind == Tok::kString && Peek().text != kOpenxJsonSerde && Peek().text != kHiveJsonSerde) {
    return Refuse("SerDe '" + Peek().text + "' is not supported by sluice (JSON SerDes only)");
  }
  ASSIGN_OR_RETURN(c.row.serde, String());
  if (Accept("with")) {
    RETURN_IF_ERROR(Expect("serdeproperties"));
    ASSIGN_OR_RETURN(c.row.serde_properties, Properties());
  }
  RETURN_IF_ERROR(Expect("stored"));
  RETURN_IF_ERROR(Expect("as"));
  if (!IsWord("textfile")) {
    if (Peek().kind == Tok::kWord) return Refuse("STORED AS " + ToUpper(Peek().text) + " is not supported by sluice (TEXTFILE only)");
    return Mismatch("'TEXTFILE'");
  }
  ++pos_;
  if (!Accept("location")) {
    return external ? Mismatch("'LOCATION'")
                    : Refuse("CREATE TABLE without EXTERNAL and LOCATION is not supported by sluice");
  }
  ASSIGN_OR_RETURN(c.row.location, String());
  if (!c.row.location.starts_with("s3://") || c.row.location.size() <= 5 || c.row.location[5] == '/') {
    --pos_;
    return Refuse("location must be s3://bucket/prefix/, not '" + c.row.location + "'");
  }
  if (c.row.location.back() != '/') c.row.location += '/';
  if (Accept("tblproperties")) {
    ASSIGN_OR_RETURN(c.row.table_properties, Properties());
  }
  if (!external) return Refuse("only EXTERNAL tables are supported by sluice");
  RETURN_IF_ERROR(End());
  return Statement(std::move(c));
}

Result<Statement> Parser::Drop() {
  if (Accept("database") || Accept("schema")) {
    DropDatabase d;
    ASSIGN_OR_RETURN(d.if_exists, IfExists());
    ASSIGN_OR_RETURN(d.name, Name());
    if (Accept("cascade")) {
      d.cascade = true;
    } else {
      Accept("restrict");
    }
    RETURN_IF_ERROR(End());
    return Statement(std::move(d));
  }
  if (!Accept("table")) return Mismatch("'DATABASE', 'SCHEMA', 'TABLE'");
  DropTable d;
  ASSIGN_OR_RETURN(d.if_exists, IfExists());
  ASSIGN_OR_RETURN(d.table, Qualified());
  Accept("purge");
  RETURN_IF_ERROR(End());
  return Statement(std::move(d));
}

Result<Statement> Parser::Show() {
  if (Accept("databases") || Accept("schemas")) {
    ShowDatabases s;
    if (Accept("like")) {
    ASSIGN_OR_RETURN(s.like, String());
  }
    RETURN_IF_ERROR(End());
    return Statement(std::move(s));
  }
  if (!Accept("tables")) return Mismatch("'DATABASES', 'SCHEMAS', 'TABLES'");
  ShowTables s;
  if (Accept("in") || Accept("from")) {
    ASSIGN_OR_RETURN(s.database, Name());
  }
  if (Accept("like")) {
    ASSIGN_OR_RETURN(s.like, String());
  } else if (Peek().kind == Tok::kString) {
    ASSIGN_OR_RETURN(s.like, String());
  }
  RETURN_IF_ERROR(End());
  return Statement(std::move(s));
}

Result<Statement> Parser::Parse() {
  if (Accept("create")) return Create();
  if (Accept("drop")) return Drop();
  if (Accept("show")) return Show();
  if (Accept("describe") || Accept("desc")) {
    Accept("formatted");
    Accept("extended");
    Describe d;
    ASSIGN_OR_RETURN(d.table, Qualified());
    RETURN_IF_ERROR(End());
    return Statement(std::move(d));
  }
  if (Accept("msck")) {
    RETURN_IF_ERROR(Expect("repair"));
    RETURN_IF_ERROR(Expect("table"));
    RepairTable r;
    ASSIGN_OR_RETURN(r.table, Qualified());
    RETURN_IF_ERROR(End());
    return Statement(std::move(r));
  }
  if (IsWord("alter") && IsWord("table", 1)) {
    pos_ += 2;
    AddPartitions a;
    ASSIGN_OR_RETURN(a.table, Qualified());
    if (!Accept("add")) {
      if (Peek().kind == Tok::kWord) return Refuse("ALTER TABLE ... " + ToUpper(Peek().text) + " is not supported by sluice");
      return Mismatch("'ADD'");
    }
    ASSIGN_OR_RETURN(a.if_not_exists, IfNotExists());
    if (!IsWord("partition")) return Mismatch("'PARTITION'");
    while (Accept("partition")) {
      AddPartitions::Spec spec;
      RETURN_IF_ERROR(ExpectPunct('('));
      do {
        ASSIGN_OR_RETURN(std::string key, Name());
        RETURN_IF_ERROR(ExpectPunct('='));
        const Token& v = Peek();
        if (v.kind != Tok::kString && v.kind != Tok::kNumber) return Mismatch("<string>");
        ++pos_;
        spec.values.emplace_back(std::move(key), v.text);
      } while (AcceptPunct(','));
      RETURN_IF_ERROR(ExpectPunct(')'));
      if (Accept("location")) {
        ASSIGN_OR_RETURN(spec.location, String());
        if (!spec.location.starts_with("s3://")) {
          --pos_;
          return Refuse("location must be s3://bucket/prefix/, not '" + spec.location + "'");
        }
        if (spec.location.back() != '/') spec.location += '/';
      }
      a.partitions.push_back(std::move(spec));
    }
    RETURN_IF_ERROR(End());
    return Statement(std::move(a));
  }
  if (IsWord("alter") || IsWord("insert") || IsWord("update") || IsWord("delete") || IsWord("merge")) {
    return Refuse(ToUpper(Peek().text) + " is not supported by sluice");
  }
  return Mismatch("'CREATE', 'DESCRIBE', 'DROP', 'MSCK', 'SELECT', 'SHOW', 'WITH'");
}

}  // namespace

Result<Statement> ParseStatement(std::string_view sql) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(sql));
  const Token& first = tokens.front();
  const bool query = first.kind == Tok::kPunct ? first.text == "("
                                               : first.kind == Tok::kWord &&
                                                     (EqualsIgnoreCase(first.text, "select") ||
                                                      EqualsIgnoreCase(first.text, "with") ||
                                                      EqualsIgnoreCase(first.text, "values"));
  if (query) {
    std::string_view body = sql;
    while (!body.empty() && (std::isspace(static_cast<unsigned char>(body.back())) || body.back() == ';')) {
      body.remove_suffix(1);
    }
    return Statement(SelectStatement{std::string(body)});
  }
  Parser p(std::move(tokens));
  return p.Parse();
}

std::vector<std::string> SplitStatements(std::string_view script) {
  std::vector<std::string> out;
  std::string cur;
  // Each statement without the white space around it, so positions count from its start.
  const auto flush = [&] {
    const size_t first = cur.find_first_not_of(" \t\r\n");
    if (first != std::string::npos) out.push_back(cur.substr(first, cur.find_last_not_of(" \t\r\n") - first + 1));
    cur.clear();
  };
  for (size_t i = 0; i < script.size(); ++i) {
    const char c = script[i];
    if (c == '\'' || c == '"' || c == '`') {
      const size_t end = script.find(c, i + 1);
      const size_t stop = end == std::string_view::npos ? script.size() : end + 1;
      cur.append(script.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '-' && i + 1 < script.size() && script[i + 1] == '-') {
      const size_t end = script.find('\n', i);
      const size_t stop = end == std::string_view::npos ? script.size() : end;
      cur.append(script.substr(i, stop - i));
      i = stop - 1;
    } else if (c == ';') {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

}  // namespace sluice::query
