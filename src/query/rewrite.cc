#include "internal/rewrite.h"

#include <algorithm>
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
      "recursive", "isnull", "notnull", "regexp", "match"};
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
  bool dec = false;      // may be a decimal
  bool literal = false;  // a decimal literal, maybe negated
  std::vector<Pending> pending;
};

class Rewriter {
 public:
  Rewriter(std::string_view text, const std::set<std::string>& decimals) : text_(text), decimals_(decimals) {
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

  const std::set<std::string>& aliases() const { return aliases_; }

  MappedText Output(const std::vector<int>& original) const {
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

  // An identifier's name: unquoted, lower-case.
  std::string Name(size_t k) const {
    std::string_view t = Text(k);
    if (Type(k) == Tok::kQuoted && t.size() >= 2) t = t.substr(1, t.size() - 2);
    return AsciiLower(t);
  }

  void Prepend(size_t k, const std::string& s) { before_[sig_[k]] = s + before_[sig_[k]]; }
  void Append(size_t k, const std::string& s) { after_[sig_[k]] += s; }
  void Replace(size_t k, const std::string& s) { replace_[sig_[k]] = s; }

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
      case Tok::kWord: return !Separator(Lower(k)) || Lower(k) == "case";
      default: {
        const std::string_view t = Text(k);
        return t == "(" || t == "-" || t == "+";
      }
    }
  }

  // Every expression in [lo, hi), in order; keywords and commas between them skipped.
  std::vector<Expr> ParseRange(size_t lo, size_t hi) {
    std::vector<Expr> out;
    size_t k = lo;
    while (k < hi) {
      if (!CanStart(k)) {
        ++k;
        continue;
      }
      std::optional<Expr> e = ParseExpr(k, hi, 0);
      if (!e) {
        ++k;
        continue;
      }
      k = e->last + 1;
      if (e->dec && !e->literal && Is(k, hi, "as") && k + 1 < hi &&
          (Type(k + 1) == Tok::kWord || Type(k + 1) == Tok::kQuoted)) {
        aliases_.insert(Name(k + 1));
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
    if (op == "=" || op == "==" || op == "!=" || op == "<>" || op == "between" || op == "in") return 2;
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
      if (op == "not" && j + 1 < hi && (Lower(j + 1) == "between" || Lower(j + 1) == "in")) {
        negated = true;
        op = Lower(j + 1);
      }
      const int prec = Type(j) == Tok::kString || Type(j) == Tok::kQuoted ? -1 : Precedence(op);
      if (prec < 0 || prec < min_prec) break;
      const size_t op_at = negated ? j + 1 : j;
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
        if (!query && dec && !items.empty()) {
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
      return e;
    }
    if (type == Tok::kNumber) {
      const std::string_view t = Text(k);
      const bool decimal = t.find('.') != std::string_view::npos && t.find_first_of("eExX") == std::string_view::npos;
      Expr e{k, k, decimal, decimal, {}};
      if (decimal) e.pending.push_back({sig_[k], true, "presto_decimal('" + std::string(t) + "')"});
      return e;
    }
    if (type == Tok::kString) return Expr{k, k, false, false, {}};
    if (type != Tok::kWord && type != Tok::kQuoted) return std::nullopt;
    if (type == Tok::kWord && Separator(l)) return std::nullopt;
    if (type == Tok::kWord && Is(k + 1, hi, "(")) return Call(k, hi);
    // A name, maybe qualified: a.b.c, t.*
    size_t last = k;
    while (last + 2 < hi && Text(last + 1) == "." &&
           (Type(last + 2) == Tok::kWord || Type(last + 2) == Tok::kQuoted || Text(last + 2) == "*")) {
      last += 2;
    }
    return Expr{k, last, decimals_.count(Name(last)) != 0 || aliases_.count(Name(last)) != 0, false, {}};
  }

  // name( ... ) at k.
  Expr Call(size_t k, size_t hi) {
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
      return e;
    }
    std::vector<Expr> args = ParseRange(open + 1, close);
    bool dec = false;
    for (const Expr& a : args) dec = dec || a.dec;
    static constexpr std::string_view kKeeps[] = {"sum", "avg", "min", "max", "coalesce", "nullif", "ifnull",
                                                  "round", "abs", "greatest", "least", "if", "iif"};
    for (const std::string_view keep : kKeeps) e.dec = e.dec || (dec && name == keep);
    if (dec && (name == "round" || name == "abs")) Replace(k, "presto_" + name);
    return e;
  }

  std::string_view text_;
  const std::set<std::string>& decimals_;
  std::vector<Token> tokens_;
  std::vector<size_t> sig_;    // significant tokens (no spaces or comments)
  std::vector<size_t> match_;  // for '(' and CASE: the position of its ')' or END
  std::vector<std::string> before_;
  std::vector<std::string> after_;
  std::vector<std::optional<std::string>> replace_;
  std::set<std::string> aliases_;
};

}  // namespace

MappedText RewriteDecimals(const MappedText& in, std::set<std::string> decimal_columns) {
  // Aliases of decimal expressions are decimals too; a later mention may come before
  // the alias is seen (an outer query's select list), so run again until none is new.
  for (int round = 0; round < 4; ++round) {
    Rewriter r(in.text, decimal_columns);
    r.Run();
    bool grew = false;
    for (const std::string& a : r.aliases()) grew = decimal_columns.insert(a).second || grew;
    if (!grew || round == 3) return r.Output(in.original);
  }
  return in;
}

}  // namespace sluice::query
