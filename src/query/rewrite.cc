#include "internal/rewrite.h"

#include <algorithm>
#include <map>
#include <cctype>
#include <optional>
#include <string_view>

#include "base/ascii.h"

namespace sluice::query {
namespace {

enum class Tok { kSpace, kString, kQuoted, kNumber, kWord, kPunct };

struct Token {
  Tok type;
  size_t begin;
  size_t end;
};

bool WordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    size_t end = i + 1;
    Tok type = Tok::kPunct;
    if (std::isspace(static_cast<unsigned char>(c))) {
      while (end < s.size() && std::isspace(static_cast<unsigned char>(s[end]))) ++end;
      type = Tok::kSpace;
    } else if (c == '-' && s.substr(i, 2) == "--") {
      end = s.find('\n', i);
      end = end == std::string_view::npos ? s.size() : end;
      type = Tok::kSpace;
    } else if (c == '/' && s.substr(i, 2) == "/*") {
      end = s.find("*/", i + 2);
      end = end == std::string_view::npos ? s.size() : end + 2;
      type = Tok::kSpace;
    } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
      const char close = c == '[' ? ']' : c;
      for (;;) {
        const size_t at = s.find(close, end);
        if (at == std::string_view::npos) {
          end = s.size();
          break;
        }
        end = at + 1;
        if (close == ']' || end >= s.size() || s[end] != close) break;
        ++end;  // a doubled quote
      }
      type = c == '\'' ? Tok::kString : Tok::kQuoted;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      while (end < s.size() && (WordChar(s[end]) || s[end] == '.' ||
                                ((s[end] == '+' || s[end] == '-') && (s[end - 1] == 'e' || s[end - 1] == 'E')))) {
        ++end;
      }
      type = Tok::kNumber;
    } else if (WordChar(c)) {
      while (end < s.size() && WordChar(s[end])) ++end;
      type = Tok::kWord;
    } else {
      static constexpr std::string_view kTwo[] = {"||", "<=", ">=", "<>", "!=", "==", "<<", ">>"};
      for (const std::string_view two : kTwo) {
        if (s.substr(i, 2) == two) end = i + 2;
      }
    }
    out.push_back({type, i, end});
    i = end;
  }
  return out;
}

// Words that end an operand: clause keywords and the operators not rewritten.
bool Separator(std::string_view lower) {
  static constexpr std::string_view kWords[] = {
      "select", "from",   "where",  "group",   "by",        "having",    "order",     "limit",    "offset",
      "and",    "or",     "not",    "as",      "on",        "using",     "join",      "inner",    "left",
      "right",  "full",   "outer",  "cross",   "natural",   "union",     "all",       "distinct", "intersect",
      "except", "with",   "when",   "then",    "else",      "end",       "is",        "in",       "like",
      "glob",   "between", "asc",   "desc",    "nulls",     "escape",    "collate",   "over",     "partition",
      "filter", "window", "rows",   "range",   "preceding", "following", "unbounded", "exists",   "values",
      "recursive", "isnull", "notnull", "regexp", "match", "current", "row"};
  for (const std::string_view w : kWords) {
    if (lower == w) return true;
  }
  return false;
}

// One edit that applies only if the expression holding it is consumed by a
// rewritten operator (a decimal literal, or a minus on one, stays SQLite's REAL
// otherwise: `from_unixtime(1.5)` keeps working).
struct Pending {
  size_t token;
  bool replace;  // replace the token's text, else append after it
  std::string text;
};

struct Expr {
  size_t first = 0;  // significant-token positions, inclusive
  size_t last = 0;
  bool dec = false;      // may be a decimal (not known to be none)
  bool literal = false;  // a decimal literal, maybe negated
  std::vector<Pending> pending;
  bool sure = false;  // a decimal column of a named table, by a name no other column has
};

// What the statement's tables say, and what an earlier round learnt of its aliases.
struct Known {
  std::set<std::string> decimals;        // decimal columns of the tables named
  std::set<std::string> natives;         // their other columns, less `decimals`
  std::set<std::string> ambiguous;       // `decimals` that a named table declares with another type too
  std::set<std::string> defined;         // every name the statement defines (aliases, CTE columns)
  std::set<std::string> native_aliases;  // defined names all of whose definitions are known no decimals
  bool has_values = false;               // a VALUES clause: column1, column2, ... are its columns
};

// A decimal where SQLite takes any value as a condition (Presto a boolean only).
constexpr std::string_view kNoBoolean = "TYPE_MISMATCH: a decimal is no boolean; compare it, as in x <> 0";

bool DecimalLiteral(std::string_view t) {
  return t.find('.') != std::string_view::npos && t.find_first_of("eExX") == std::string_view::npos;
}

// Functions whose result is never a decimal, whatever their arguments.
bool NeverDecimal(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "count",      "length",       "octet_length",    "lower",        "upper",         "substr",
      "substring",  "trim",         "ltrim",           "rtrim",        "replace",       "instr",
      "typeof",     "hex",          "quote",           "char",         "unicode",       "printf",
      "format",     "concat",       "concat_ws",       "date",         "time",          "datetime",
      "julianday",  "unixepoch",    "strftime",        "timediff",     "json",          "json_extract",
      "json_array_length", "json_type", "json_valid",  "json_object",  "json_array",    "json_quote",
      "json_group_array", "json_group_object", "group_concat", "string_agg", "json_extract_scalar",
      "cardinality", "approx_distinct", "from_unixtime", "date_format", "row_number",  "rank",
      "dense_rank", "percent_rank", "cume_dist",       "ntile",        "random",        "like",
      "glob",       "soundex",      "total",           "sign",         "exists"};
  for (const std::string_view n : kNames) {
    if (name == n) return true;
  }
  return false;
}

// What the rewrite does to an argument that may be a decimal of a function it does not
// rewrite itself (rewrite.h): pass it (the function takes decimal BLOBs as they are),
// refuse it (Presto has no such function of a decimal), or convert it.
enum class ArgUse { kPass, kRefuse, kText, kJson, kDouble };

ArgUse UseOfArgument(std::string_view name, size_t args) {
  static constexpr std::string_view kPass[] = {
      "count", "sum", "avg", "coalesce", "ifnull", "iif", "if", "likely", "unlikely", "likelihood", "first_value",
      "last_value", "lag", "lead", "nth_value", "any_value", "arbitrary", "approx_distinct", "json_each", "json_tree"};
  static constexpr std::string_view kRefuse[] = {
      "length", "octet_length", "lower", "upper", "substr", "substring", "trim", "ltrim", "rtrim", "replace", "instr",
      "strpos", "hex", "unhex", "char", "unicode", "soundex", "quote", "like", "glob", "concat", "concat_ws",
      "reverse", "lpad", "rpad"};
  static constexpr std::string_view kText[] = {"printf", "format", "group_concat", "string_agg"};
  static constexpr std::string_view kJson[] = {"json_object", "json_array", "json_group_array", "json_group_object",
                                               "json_insert", "json_replace", "json_set", "json_quote"};
  if (name.starts_with("presto_") || ((name == "min" || name == "max") && args == 1)) return ArgUse::kPass;
  for (const std::string_view n : kPass) {
    if (name == n) return ArgUse::kPass;
  }
  for (const std::string_view n : kRefuse) {
    if (name == n) return ArgUse::kRefuse;
  }
  for (const std::string_view n : kText) {
    if (name == n) return ArgUse::kText;
  }
  for (const std::string_view n : kJson) {
    if (name == n) return ArgUse::kJson;
  }
  return ArgUse::kDouble;  // a number, as Presto coerces a decimal to a double argument
}

// Functions that return one of their arguments (or a value of its type).
bool KeepsType(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "sum",        "avg",   "min",      "max",       "coalesce",    "nullif",     "ifnull",    "round",
      "abs",        "greatest", "least", "if",        "iif",         "likely",     "unlikely",  "likelihood",
      "first_value", "last_value", "lag", "lead",     "nth_value",   "any_value",  "arbitrary"};
  for (const std::string_view n : kNames) {
    if (name == n) return true;
  }
  return false;
}

class Rewriter {
 public:
  Rewriter(std::string_view text, const std::vector<int>& original, const Known& known)
      : text_(text), original_(original), known_(known) {
    tokens_ = Tokenize(text);
    for (size_t i = 0; i < tokens_.size(); ++i) {
      if (tokens_[i].type != Tok::kSpace) sig_.push_back(i);
    }
    before_.resize(tokens_.size());
    after_.resize(tokens_.size());
    replace_.resize(tokens_.size());
    match_.assign(sig_.size(), 0);
    std::vector<size_t> open;
    for (size_t k = 0; k < sig_.size(); ++k) {
      const std::string l = Lower(k);
      if (l == "(" || l == "case") {
        open.push_back(k);
      } else if ((l == ")" || l == "end") && !open.empty()) {
        // A stray END or ')' closes what is open, as far as the rewrite cares.
        match_[open.back()] = k;
        open.pop_back();
      }
    }
    for (const size_t k : open) match_[k] = sig_.size();
  }

  void Run() { ParseRange(0, sig_.size()); }

  // Every name defined, and those whose every definition is known to be no decimal.
  std::set<std::string> Defined() const {
    std::set<std::string> out;
    for (const auto& [name, native] : definitions_) out.insert(name);
    return out;
  }
  std::set<std::string> NativeAliases() const {
    std::set<std::string> out;
    for (const auto& [name, native] : definitions_) {
      if (native) out.insert(name);
    }
    return out;
  }

  DecimalRewrite Output(const std::vector<int>& original) const {
    return {Rewritten(original), refused_, refused_.empty() ? -1 : original[refused_at_]};
  }

  MappedText Rewritten(const std::vector<int>& original) const {
    MappedText out;
    const auto put = [&](std::string_view s, int at) {
      out.text += s;
      out.original.insert(out.original.end(), s.size(), at);
    };
    for (size_t t = 0; t < tokens_.size(); ++t) {
      const int at = original[tokens_[t].begin];
      put(before_[t], at);
      if (replace_[t]) {
        put(*replace_[t], at);
      } else {
        for (size_t b = tokens_[t].begin; b < tokens_[t].end; ++b) {
          out.text += text_[b];
          out.original.push_back(original[b]);
        }
      }
      put(after_[t], original[tokens_[t].end - 1]);
    }
    out.original.push_back(original.back());
    return out;
  }

 private:
  std::string_view Text(size_t k) const {
    const Token& t = tokens_[sig_[k]];
    return text_.substr(t.begin, t.end - t.begin);
  }
  std::string Lower(size_t k) const { return AsciiLower(Text(k)); }
  Tok Type(size_t k) const { return tokens_[sig_[k]].type; }
  bool Is(size_t k, size_t hi, std::string_view lower) const { return k < hi && Lower(k) == lower; }
  bool IsName(size_t k, size_t hi) const {
    return k < hi && (Type(k) == Tok::kQuoted || (Type(k) == Tok::kWord && !Keyword(k)));
  }
  // A word the rewrite reads as a keyword: a separator, unless it names a column or an
  // alias that may be a decimal (SQLite lets `range`, `rows`, `filter`, ... name
  // columns; such a decimal must still be seen as an operand).
  bool Keyword(size_t k) const {
    const std::string l = Lower(k);
    if (!Separator(l)) return false;
    return known_.decimals.count(l) == 0 &&
           (known_.defined.count(l) == 0 || known_.native_aliases.count(l) != 0);
  }

  // An identifier's name: unquoted, lower-case.
  std::string Name(size_t k) const {
    std::string_view t = Text(k);
    if (Type(k) == Tok::kQuoted && t.size() >= 2) t = t.substr(1, t.size() - 2);
    return AsciiLower(t);
  }

  // Whether a name is known to be no decimal (see rewrite.h).
  bool KnownNative(const std::string& name) const {
    if (known_.decimals.count(name) != 0) return false;
    if (known_.defined.count(name) != 0) return known_.native_aliases.count(name) != 0;
    if (known_.has_values && name.size() > 6 && name.starts_with("column") &&
        name.find_first_not_of("0123456789", 6) == std::string::npos) {
      return false;
    }
    if (known_.natives.count(name) != 0) return true;
    return name == "null" || name == "true" || name == "false" || name == "current_date" ||
           name == "current_time" || name == "current_timestamp";
  }

  // `name` is defined (an alias, a CTE's column) as an expression that is or is not
  // known to be no decimal.
  void Define(const std::string& name, bool native) {
    const auto [it, fresh] = definitions_.emplace(name, native);
    if (!fresh) it->second = it->second && native;
  }

  void Refuse(size_t k, std::string message) {
    if (refused_.empty()) {
      refused_ = std::move(message);
      refused_at_ = tokens_[sig_[k]].begin;
    }
  }

  void Prepend(size_t k, const std::string& s) { before_[sig_[k]] = s + before_[sig_[k]]; }
  void Append(size_t k, const std::string& s) { after_[sig_[k]] += s; }
  void Replace(size_t k, const std::string& s) { replace_[sig_[k]] = s; }
  void Wrap(Expr& e, const std::string& fn) {
    Materialize(e);
    Prepend(e.first, fn + "(");
    Append(e.last, ")");
  }

  // A value that must not be a decimal where it is used: refused when it is sure to be
  // one, else checked as it runs (presto_nodec). A decimal literal stays SQLite's REAL.
  void Guard(Expr& e, const std::string& message) {
    if (!e.dec || e.literal) return;
    if (e.sure) return Refuse(e.first, message);
    Materialize(e);
    Prepend(e.first, "presto_nodec(");
    Append(e.last, ", " + std::to_string(original_[tokens_[sig_[e.first]].begin]) + ", '" + message + "')");
  }

  void Materialize(Expr& e) {
    for (const Pending& p : e.pending) {
      if (p.replace) {
        replace_[p.token] = p.text;
      } else {
        after_[p.token] += p.text;
      }
    }
    e.pending.clear();
  }

  bool CanStart(size_t k) const {
    switch (Type(k)) {
      case Tok::kString:
      case Tok::kQuoted:
      case Tok::kNumber: return true;
      case Tok::kWord: return !Keyword(k) || Lower(k) == "case";
      default: {
        const std::string_view t = Text(k);
        return t == "(" || t == "-" || t == "+" || t == "~";
      }
    }
  }

  // Every expression in [lo, hi), in order; keywords and commas between them skipped.
  // Aliases found are defined; so are the output names of a compound select's first
  // arm, by the items of its later arms.
  std::vector<Expr> ParseRange(size_t lo, size_t hi) {
    std::vector<Expr> out;
    std::string clause;
    int arm = 0;
    size_t item = 0;
    std::vector<std::string> first_arm;  // output names of the first arm's items ("" unnamed)
    size_t k = lo;
    while (k < hi) {
      if (!CanStart(k)) {
        const std::string l = Lower(k);
        if (l == "select" || l == "values") {
          clause = l;
          item = 0;
        } else if (l == "from" || l == "where" || l == "group" || l == "having" || l == "order" || l == "limit" ||
                   l == "window") {
          clause = l;
        } else if (l == "union" || l == "intersect" || l == "except") {
          ++arm;
          clause.clear();
        } else if (l == "," && clause == "select") {
          ++item;
        } else if (l == "natural") {
          Refuse(k, "NOT_SUPPORTED: NATURAL JOIN where decimals are read; join with ON and the columns");
        } else if (l == "using" && Is(k + 1, hi, "(")) {
          for (size_t c = k + 2; c < std::min(match_[k + 1], hi); ++c) {
            if (IsName(c, hi) && !KnownNative(Name(c))) {
              Refuse(c, "NOT_SUPPORTED: JOIN ... USING (" + std::string(Text(c)) +
                            ") on a value that may be a decimal; join with ON instead");
            }
          }
        }
        ++k;
        continue;
      }
      std::optional<Expr> e = ParseExpr(k, hi, 0);
      if (!e) {
        ++k;
        continue;
      }
      if (k > lo && Condition(Lower(k - 1))) {
        Guard(*e, std::string(kNoBoolean));
      }
      k = e->last + 1;
      std::string name;
      if (Is(k, hi, "as") && k + 1 < hi && (Type(k + 1) == Tok::kWord || Type(k + 1) == Tok::kQuoted)) {
        name = Name(k + 1);
        Define(name, !e->dec);
        k += 2;
      } else if (IsName(k, hi) && Lower(k) != "case") {  // an alias without AS
        name = Name(k);
        Define(name, !e->dec);
        k += 1;
      } else if (Type(e->last) == Tok::kWord || Type(e->last) == Tok::kQuoted) {
        name = Name(e->last);  // a column, maybe qualified
      }
      if (clause == "select") {
        if (arm == 0) {
          first_arm.push_back(name);
        } else if (item < first_arm.size() && !first_arm[item].empty()) {
          Define(first_arm[item], !e->dec);
        }
      } else if (clause == "values" && arm > 0) {
        for (const std::string& n : first_arm) {
          if (!n.empty()) Define(n, !e->dec);
        }
      }
      out.push_back(std::move(*e));
    }
    return out;
  }

  static int Precedence(std::string_view op) {
    if (op == "||") return 7;
    if (op == "*" || op == "/" || op == "%") return 6;
    if (op == "+" || op == "-") return 5;
    if (op == "<<" || op == ">>" || op == "&" || op == "|") return 4;
    if (op == "<" || op == "<=" || op == ">" || op == ">=") return 3;
    if (op == "=" || op == "==" || op == "!=" || op == "<>" || op == "between" || op == "in" || op == "is") return 2;
    return -1;
  }

  std::optional<Expr> ParseExpr(size_t k, size_t hi, int min_prec) {
    std::optional<Expr> left = ParsePrefix(k, hi);
    if (!left) return std::nullopt;
    for (;;) {
      size_t j = left->last + 1;
      if (j >= hi) break;
      bool negated = false;
      std::string op = Lower(j);
      if (op == "collate" && IsName(j + 1, hi)) {  // x COLLATE nocase is still x
        left->last = j + 1;
        continue;
      }
      if (op == "not" && j + 1 < hi &&
          (Lower(j + 1) == "between" || Lower(j + 1) == "in" || Matching(Lower(j + 1)))) {
        negated = true;
        op = Lower(j + 1);
      }
      if (Matching(op) && Type(j) == Tok::kWord) {
        // x [NOT] LIKE p [ESCAPE e]: Presto matches varchars only.
        if (min_prec > 2) break;
        std::optional<Expr> pattern = ParseExpr((negated ? j + 1 : j) + 1, hi, 3);
        if (!pattern) break;
        size_t last = pattern->last;
        std::optional<Expr> escape;
        if (Is(last + 1, hi, "escape")) escape = ParseExpr(last + 2, hi, 3);
        if (escape) last = escape->last;
        std::string name = op;
        for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        const std::string message = "TYPE_MISMATCH: " + name + " takes no decimal; CAST it to varchar first";
        Guard(*left, message);
        Guard(*pattern, message);
        if (escape) Guard(*escape, message);
        left = Expr{left->first, last, false, false, {}};
        continue;
      }
      const int prec = Type(j) == Tok::kString || Type(j) == Tok::kQuoted ? -1 : Precedence(op);
      if (prec < 0 || prec < min_prec) break;
      const size_t op_at = negated ? j + 1 : j;
      if (op == "is") {
        size_t r = j + 1;
        if (Is(r, hi, "not")) ++r;
        if (Is(r, hi, "distinct") && Is(r + 1, hi, "from")) r += 2;
        std::optional<Expr> right = ParseExpr(r, hi, 3);
        if (!right) break;
        const bool null = right->first == right->last && Lower(right->first) == "null";
        if (!null && (left->dec || right->dec)) {
          Wrap(*left, "presto_key");
          Wrap(*right, "presto_key");
        }
        left = Expr{left->first, right->last, false, false, {}};
        continue;
      }
      if (op == "between") {
        std::optional<Expr> lo = ParseExpr(op_at + 1, hi, 3);
        if (!lo || !Is(lo->last + 1, hi, "and")) break;
        const size_t and_at = lo->last + 1;
        std::optional<Expr> up = ParseExpr(and_at + 1, hi, 3);
        if (!up) break;
        if (left->dec || lo->dec || up->dec) {
          Materialize(*left);
          Materialize(*lo);
          Materialize(*up);
          if (negated) Replace(j, "");
          Prepend(left->first, negated ? "NOT presto_between(" : "presto_between(");
          Replace(op_at, ",");
          Replace(and_at, ",");
          Append(up->last, ")");
        }
        left = Expr{left->first, up->last, false, false, {}};
        continue;
      }
      if (op == "in") {
        const size_t open = op_at + 1;
        if (!Is(open, hi, "(")) break;
        const size_t close = match_[open];
        const std::string inner = open + 1 < close ? Lower(open + 1) : "";
        const bool query = inner == "select" || inner == "with" || inner == "values";
        std::vector<Expr> items = ParseRange(open + 1, std::min(close, hi));
        bool dec = left->dec;
        for (const Expr& e : items) dec = dec || e.dec;
        if (query && close < hi) {
          // The subquery's column has a type no text shows: compare by presto_key on
          // both sides, still as one uncorrelated set SQLite builds once.
          Wrap(*left, "presto_key");
          const std::string cte = "sluice_in_" + std::to_string(open);
          Append(open, "WITH " + cte + "(v) AS (");
          Prepend(close, ") SELECT presto_key(v) FROM " + cte);
        } else if (!query && dec && !items.empty()) {
          Materialize(*left);
          for (Expr& e : items) Materialize(e);
          if (negated) Replace(j, "");
          Prepend(left->first, negated ? "NOT presto_in(" : "presto_in(");
          Replace(op_at, ",");
          Replace(open, "");
        }
        left = Expr{left->first, std::min(close, hi - 1), false, false, {}};
        continue;
      }
      std::optional<Expr> right = ParseExpr(j + 1, hi, prec + 1);
      if (!right) break;
      Expr node{left->first, right->last, false, false, {}};
      if ((prec == 7 || prec == 4) && (left->dec || right->dec)) {
        // || and the bitwise operators: Presto has none of a decimal.
        const std::string message = "FUNCTION_NOT_FOUND: operator " + op + " takes no decimal; CAST it to " +
                                    (prec == 7 ? "varchar" : "bigint") + " first";
        Guard(*left, message);
        Guard(*right, message);
      }
      const bool arithmetic = prec == 5 || prec == 6;
      const bool comparison = prec == 2 || prec == 3;
      if ((arithmetic || comparison) && (left->dec || right->dec)) {
        Materialize(*left);
        Materialize(*right);
        Replace(j, ",");
        if (arithmetic) {
          const std::string fn = op == "+" ? "presto_add(" : op == "-" ? "presto_sub(" : op == "*" ? "presto_mul(" :
                                 op == "/" ? "presto_div(" : "presto_mod(";
          Prepend(left->first, fn);
          Append(right->last, ")");
          node.dec = true;
        } else {
          Prepend(left->first, "presto_cmp(");
          Append(right->last, ") " + std::string(op == "==" ? "=" : op) + " 0");
        }
      }
      left = std::move(node);
    }
    return left;
  }

  std::optional<Expr> ParsePrefix(size_t k, size_t hi) {
    if (k >= hi) return std::nullopt;
    const std::string l = Lower(k);
    const Tok type = Type(k);
    if (type == Tok::kPunct && l == "~") {
      std::optional<Expr> operand = ParsePrefix(k + 1, hi);
      if (!operand) return std::nullopt;
      Guard(*operand, "FUNCTION_NOT_FOUND: operator ~ takes no decimal; CAST it to bigint first");
      return Expr{k, operand->last, false, false, {}};
    }
    if (type == Tok::kPunct && (l == "-" || l == "+")) {
      std::optional<Expr> operand = ParsePrefix(k + 1, hi);
      if (!operand) return std::nullopt;
      Expr e{k, operand->last, operand->dec, operand->literal, std::move(operand->pending)};
      if (l == "-" && e.dec) {
        const std::vector<Pending> neg = {{sig_[k], true, "presto_neg("}, {sig_[e.last], false, ")"}};
        if (e.literal) {
          e.pending.insert(e.pending.end(), neg.begin(), neg.end());
        } else {
          Replace(k, "presto_neg(");
          Append(e.last, ")");
        }
      }
      return e;
    }
    if (l == "(" || l == "case") {
      const size_t close = match_[k];
      std::vector<Expr> inner = ParseRange(k + 1, std::min(close, hi));
      Expr e{k, std::min(close, hi - 1), false, false, {}};
      for (const Expr& x : inner) e.dec = e.dec || x.dec;
      if (l == "(" && inner.size() == 1 && inner[0].first == k + 1 && inner[0].last + 1 == close) {
        e.literal = inner[0].literal;
        e.pending = std::move(inner[0].pending);
      }
      if (l == "case" && !inner.empty() && inner[0].first == k + 1 && !Is(k + 1, hi, "when")) {
        // CASE e WHEN v: SQLite compares e and v with its own =.
        bool keyed = false;
        for (const Expr& x : inner) {
          if (&x == &inner[0] || Is(x.first - 1, hi, "when")) keyed = keyed || x.dec;
        }
        for (Expr& x : inner) {
          if (keyed && (&x == &inner[0] || Is(x.first - 1, hi, "when"))) Wrap(x, "presto_key");
        }
      } else if (l == "case") {
        for (Expr& x : inner) {  // CASE WHEN condition
          if (x.first > k + 1 && Is(x.first - 1, hi, "when")) Guard(x, std::string(kNoBoolean));
        }
      }
      return e;
    }
    if (type == Tok::kNumber) {
      const std::string_view t = Text(k);
      const bool decimal = DecimalLiteral(t);
      Expr e{k, k, decimal, decimal, {}};
      if (decimal) e.pending.push_back({sig_[k], true, "presto_decimal('" + std::string(t) + "')"});
      return e;
    }
    if (type == Tok::kString) return Expr{k, k, false, false, {}};
    if (type != Tok::kWord && type != Tok::kQuoted) return std::nullopt;
    if (type == Tok::kWord && Keyword(k)) return std::nullopt;
    if (type == Tok::kWord && Is(k + 1, hi, "(")) return Call(k, hi);
    // A name, maybe qualified: a.b.c, t.*
    size_t last = k;
    while (last + 2 < hi && Text(last + 1) == "." &&
           (Type(last + 2) == Tok::kWord || Type(last + 2) == Tok::kQuoted || Text(last + 2) == "*")) {
      last += 2;
    }
    const std::string name = Name(last);
    const bool sure = known_.decimals.count(name) != 0 && known_.ambiguous.count(name) == 0 &&
                      known_.defined.count(name) == 0;
    return Expr{k, last, !KnownNative(name), false, {}, sure};
  }

  // name( ... ) at k, with what may follow an aggregate or window function:
  // FILTER (WHERE ...), OVER (...) or OVER window.
  Expr Call(size_t k, size_t hi) {
    Expr e = CallBody(k, hi);
    for (;;) {
      const size_t next = e.last + 1;
      if ((Is(next, hi, "filter") || Is(next, hi, "over")) && Is(next + 1, hi, "(")) {
        const size_t close = std::min(match_[next + 1], hi - 1);
        ParseRange(next + 2, close);
        e.last = close;
      } else if (Is(next, hi, "over") && IsName(next + 1, hi)) {
        e.last = next + 1;
      } else {
        return e;
      }
    }
  }

  Expr CallBody(size_t k, size_t hi) {
    const std::string name = Lower(k);
    const size_t open = k + 1;
    const size_t close = std::min(match_[open], hi);
    Expr e{k, std::min(close, hi - 1), false, false, {}};
    if (name == "cast") {
      std::optional<Expr> arg = ParseExpr(open + 1, close, 0);
      if (!arg || !Is(arg->last + 1, close, "as") || arg->last + 2 >= close) return e;
      const size_t as = arg->last + 1;
      std::string target;
      for (size_t t = as + 1; t < close; ++t) target += Lower(t);
      const bool to_decimal = target.starts_with("decimal");
      if (to_decimal || arg->dec) {
        Materialize(*arg);
        Replace(k, "presto_cast");
        Replace(as, ",'");
        Prepend(close, "'");
      }
      e.dec = to_decimal;
      e.sure = to_decimal;
      return e;
    }
    std::vector<Expr> args = ParseRange(open + 1, close);
    if (Is(close + 1, hi, "as") &&
        (Is(close + 2, hi, "(") || Is(close + 2, hi, "not") || Is(close + 2, hi, "materialized"))) {
      // WITH c(a, b) AS (...): a and b name columns of a type not traced here.
      for (const Expr& a : args) {
        if (a.first == a.last) Define(Name(a.first), false);
      }
      e.dec = true;
      return e;
    }
    bool dec = false;
    for (const Expr& a : args) dec = dec || a.dec;
    e.dec = NeverDecimal(name) ? false : KeepsType(name) ? dec : true;
    if (dec && PlainArguments(args, open, close)) Bridge(name, k, args);
    return e;
  }

  // Whether `args` are all that stands between the call's parentheses, comma-separated
  // (maybe after DISTINCT), not the items of a subquery.
  bool PlainArguments(const std::vector<Expr>& args, size_t open, size_t close) const {
    size_t at = Is(open + 1, close, "distinct") ? open + 2 : open + 1;
    for (const Expr& a : args) {
      if (a.first != at) return false;
      at = a.last + 1;
      if (at < close && Text(at) != ",") return false;
      if (at < close) ++at;
    }
    return at == close;
  }

  // A call of `name` at k with an argument that may be a decimal, not rewritten above.
  void Bridge(const std::string& name, size_t k, std::vector<Expr>& args) {
    if (name == "round" || name == "abs" || name == "typeof" || name == "nullif") return Replace(k, "presto_" + name);
    if (name == "greatest" || name == "least" || ((name == "max" || name == "min") && args.size() > 1)) {
      // SQLite's scalar max/min compare with its own order: Presto's greatest/least.
      return Replace(k, name == "greatest" || name == "max" ? "presto_greatest" : "presto_least");
    }
    if ((name == "iif" || name == "if") && !args.empty()) Guard(args[0], std::string(kNoBoolean));
    const ArgUse use = UseOfArgument(name, args.size());
    for (Expr& a : args) {
      if (!a.dec || a.literal) continue;
      switch (use) {
        case ArgUse::kPass: break;
        case ArgUse::kRefuse:
          Guard(a, "FUNCTION_NOT_FOUND: function " + name + " takes no decimal; CAST it to varchar first");
          break;
        case ArgUse::kText: Wrap(a, "presto_text"); break;
        case ArgUse::kJson: Wrap(a, "presto_json"); break;
        case ArgUse::kDouble: Wrap(a, "presto_double"); break;
      }
    }
  }

  // Whether the expression after this word is a condition (SQLite takes any value as
  // one; Presto only a boolean).
  static bool Condition(std::string_view word) {
    return word == "where" || word == "having" || word == "on" || word == "and" || word == "or" || word == "not";
  }

  static bool Matching(std::string_view op) { return op == "like" || op == "glob" || op == "regexp" || op == "match"; }

  std::string_view text_;
  const std::vector<int>& original_;  // text_'s offsets in the statement as written
  const Known& known_;
  std::vector<Token> tokens_;
  std::vector<size_t> sig_;    // significant tokens (no spaces or comments)
  std::vector<size_t> match_;  // for '(' and CASE: the position of its ')' or END
  std::vector<std::string> before_;
  std::vector<std::string> after_;
  std::vector<std::optional<std::string>> replace_;
  std::map<std::string, bool> definitions_;  // name -> every definition known no decimal
  std::string refused_;
  size_t refused_at_ = 0;  // byte offset in text_
};

}  // namespace

DecimalRewrite RewriteDecimals(const MappedText& in, const std::vector<TableColumnTypes>& tables) {
  std::set<std::string> mentioned;
  bool decimal_text = false;  // a decimal literal, or the word `decimal` (a CAST)
  Known known;
  for (const Token& t : Tokenize(in.text)) {
    std::string_view s = std::string_view(in.text).substr(t.begin, t.end - t.begin);
    if (t.type == Tok::kNumber) decimal_text = decimal_text || DecimalLiteral(s);
    if (t.type == Tok::kQuoted && s.size() >= 2) s = s.substr(1, s.size() - 2);
    if (t.type != Tok::kWord && t.type != Tok::kQuoted) continue;
    const std::string name = AsciiLower(s);
    decimal_text = decimal_text || (t.type == Tok::kWord && name == "decimal");
    known.has_values = known.has_values || (t.type == Tok::kWord && name == "values");
    mentioned.insert(name);
  }
  for (const TableColumnTypes& t : tables) {
    if (mentioned.count(t.table) == 0) continue;
    known.decimals.insert(t.decimals.begin(), t.decimals.end());
    known.natives.insert(t.others.begin(), t.others.end());
  }
  if (known.decimals.empty() && !decimal_text) return {in, {}, -1};  // nothing can be a decimal
  for (const std::string& d : known.decimals) {
    if (known.natives.erase(d) != 0) known.ambiguous.insert(d);
  }
  // A first pass finds the names the statement defines (aliases, CTE columns). Then
  // rounds narrow the set of those taken for no decimals, from all of them down to
  // those whose every definition is no decimal given the rest: the greatest such set.
  // It is sound because names resolve well-founded (a definition reads columns of an
  // inner scope, ending at the tables' columns, typed from the schema) and it keeps
  // `SELECT dt AS dt` a known column. A round that does not settle falls back to
  // taking no defined name for known.
  {
    Rewriter discover(in.text, in.original, known);
    discover.Run();
    known.defined = discover.Defined();
  }
  known.native_aliases = known.defined;
  for (int round = 0; round < 8; ++round) {
    Rewriter r(in.text, in.original, known);
    r.Run();
    std::set<std::string> proven = r.NativeAliases();
    if (proven == known.native_aliases) return r.Output(in.original);
    known.native_aliases = std::move(proven);
  }
  known.native_aliases.clear();
  Rewriter r(in.text, in.original, known);
  r.Run();
  return r.Output(in.original);
}

}  // namespace sluice::query
