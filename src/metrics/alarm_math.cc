// Metric math: a small recursive-descent parser over the expression text and an
// evaluator over timestamp-keyed series (alarm_math.h).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <variant>

#include "metrics/alarm_math.h"

namespace sluice::metrics {
namespace {

using Points = std::map<int64_t, double>;  // timestamp -> value
struct Named {
  std::string id;
  std::string label;
  Points points;
};
// A value during evaluation: a scalar, or an array of series (one series: size 1).
struct Val {
  bool scalar = false;
  double number = 0;
  std::vector<Named> series;
};

CwError Bad(std::string message) { return MakeCwError(CwErrorCode::kInvalidParameterValue, std::move(message)); }

// The expression's syntax tree.
struct Node {
  enum Kind { kNumber, kRef, kCall, kBinary, kNeg, kArray, kString } kind = kNumber;
  double number = 0;
  // kRef: the id; kCall: the function; kString; kBinary: the operators of a chain of one
  // precedence, `args[0] text[0] args[1] text[1] args[2] ...`, applied left to right
  // (a long `a+b+c+...` is one node, so the tree's depth stays bounded by nesting).
  std::string text;
  std::vector<std::unique_ptr<Node>> args;
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  CwResult<std::unique_ptr<Node>> ParseAll() {
    auto n = Expr(0);
    if (!n.ok()) return n;
    Skip();
    if (pos_ != s_.size()) return Bad(Where("Unexpected character '" + std::string(1, s_[pos_]) + "'"));
    return n;
  }

 private:
  std::string Where(const std::string& what) const {
    return "Error in expression '" + std::string(s_) + "': " + what + " at position " + std::to_string(pos_);
  }
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    Skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  static int Precedence(char op) { return op == '+' || op == '-' ? 1 : op == '*' || op == '/' ? 2 : op == '^' ? 3 : 0; }

  // Precedence climbing; ^ is right-associative.
  CwResult<std::unique_ptr<Node>> Expr(int min_prec) {
    if (++depth_ > 64) return Bad(Where("Expression is nested too deeply"));
    auto lhs = Unary();
    if (!lhs.ok()) return lhs;
    std::unique_ptr<Node> left = std::move(lhs).value();
    bool chained = false;  // `left` is a chain this call built, which may grow
    while (true) {
      Skip();
      if (pos_ >= s_.size()) break;
      const char op = s_[pos_];
      const int prec = Precedence(op);
      if (prec == 0 || prec < min_prec) break;
      ++pos_;
      auto rhs = Expr(op == '^' ? prec : prec + 1);
      if (!rhs.ok()) return rhs;
      if (op != '^' && chained && Precedence(left->text[0]) == prec) {
        left->text += op;
        left->args.push_back(std::move(rhs).value());
        continue;
      }
      auto n = std::make_unique<Node>();
      n->kind = Node::kBinary;
      n->text = std::string(1, op);
      n->args.push_back(std::move(left));
      n->args.push_back(std::move(rhs).value());
      left = std::move(n);
      chained = op != '^';
    }
    --depth_;
    return left;
  }

  CwResult<std::unique_ptr<Node>> Unary() {
    if (Eat('-')) {
      if (++depth_ > 64) return Bad(Where("Expression is nested too deeply"));
      auto inner = Unary();
      if (!inner.ok()) return inner;
      --depth_;
      auto n = std::make_unique<Node>();
      n->kind = Node::kNeg;
      n->args.push_back(std::move(inner).value());
      return n;
    }
    return Primary();
  }

  CwResult<std::unique_ptr<Node>> List(char close, Node::Kind kind, std::string name) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->text = std::move(name);
    if (Eat(close)) return n;
    while (true) {
      auto a = Expr(0);
      if (!a.ok()) return a;
      n->args.push_back(std::move(a).value());
      if (Eat(close)) return n;
      if (!Eat(',')) return Bad(Where(std::string("Expected ',' or '") + close + "'"));
    }
  }

  CwResult<std::unique_ptr<Node>> Primary() {
    Skip();
    if (pos_ >= s_.size()) return Bad(Where("Unexpected end of expression"));
    const char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      auto e = Expr(0);
      if (!e.ok()) return e;
      if (!Eat(')')) return Bad(Where("Expected ')'"));
      return e;
    }
    if (c == '[') {
      ++pos_;
      return List(']', Node::kArray, "");
    }
    if (c == '"') {
      const size_t end = s_.find('"', pos_ + 1);
      if (end == std::string_view::npos) return Bad(Where("Unterminated string"));
      auto n = std::make_unique<Node>();
      n->kind = Node::kString;
      n->text = std::string(s_.substr(pos_ + 1, end - pos_ - 1));
      pos_ = end + 1;
      return n;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      double v = 0;
      auto [p, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), v);
      if (ec != std::errc()) return Bad(Where("Invalid number"));
      pos_ = static_cast<size_t>(p - s_.data());
      auto n = std::make_unique<Node>();
      n->number = v;
      return n;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const size_t start = pos_;
      while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
      std::string word(s_.substr(start, pos_ - start));
      if (Eat('(')) return List(')', Node::kCall, std::move(word));
      auto n = std::make_unique<Node>();
      n->kind = Node::kRef;
      n->text = std::move(word);
      return n;
    }
    return Bad(Where("Unexpected character '" + std::string(1, c) + "'"));
  }

  std::string_view s_;
  size_t pos_ = 0;
  int depth_ = 0;
};

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 255 || !std::islower(static_cast<unsigned char>(id[0]))) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

double Apply(char op, double a, double b) {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    default: return std::pow(a, b);
  }
}

struct Context {
  // Queries evaluated so far, by id: one series, or several for an expression that
  // gives an array (METRICS() * 2).
  const std::map<std::string, std::vector<Named>>* results;
  std::vector<std::string> stat_ids;            // MetricStat query ids, request order
  std::vector<int64_t> grid;                    // every period start in the range
};

Points Combine(char op, const Points& a, const Points& b) {
  Points out;
  for (const auto& [t, v] : a) {
    auto it = b.find(t);
    if (it != b.end()) out[t] = Apply(op, v, it->second);
  }
  return out;
}

CwResult<Val> Eval(const Node& n, const Context& ctx);

CwResult<Val> Aggregate(const std::string& fn, const Val& arg) {
  Val out;
  auto fold = [&](double acc, double v) {
    if (fn == "SUM" || fn == "AVG") return acc + v;
    if (fn == "MIN") return std::min(acc, v);
    return std::max(acc, v);
  };
  if (arg.scalar) {
    out.scalar = true;
    out.number = arg.number;
    return out;
  }
  if (arg.series.size() == 1) {  // one series: one number
    const Points& p = arg.series[0].points;
    out.scalar = true;
    if (p.empty()) {
      out.number = std::numeric_limits<double>::quiet_NaN();
      return out;
    }
    double acc = p.begin()->second;
    for (auto it = std::next(p.begin()); it != p.end(); ++it) acc = fold(acc, it->second);
    out.number = fn == "AVG" ? acc / static_cast<double>(p.size()) : acc;
    return out;
  }
  std::map<int64_t, std::pair<double, int>> acc;
  for (const Named& s : arg.series) {
    for (const auto& [t, v] : s.points) {
      auto [it, fresh] = acc.try_emplace(t, v, 1);
      if (!fresh) {
        it->second.first = fold(it->second.first, v);
        ++it->second.second;
      }
    }
  }
  Named r;
  for (const auto& [t, a] : acc) r.points[t] = fn == "AVG" ? a.first / a.second : a.first;
  out.series.push_back(std::move(r));
  return out;
}

CwResult<Val> Fill(const Node& n, const Context& ctx) {
  if (n.args.size() != 2) return Bad("FILL takes two arguments: a time series and a value, REPEAT or LINEAR");
  auto target = Eval(*n.args[0], ctx);
  if (!target.ok()) return target;
  if (target->scalar) return Bad("The first argument of FILL must be a time series");
  const Node& how = *n.args[1];
  const bool repeat = how.kind == Node::kRef && how.text == "REPEAT";
  const bool linear = how.kind == Node::kRef && how.text == "LINEAR";
  std::optional<double> constant;
  if (!repeat && !linear) {
    auto v = Eval(how, ctx);
    if (!v.ok()) return v;
    if (!v->scalar) return Bad("The second argument of FILL must be a number, REPEAT or LINEAR");
    constant = v->number;
  }
  for (Named& s : target->series) {
    Points filled;
    for (int64_t t : ctx.grid) {
      auto it = s.points.find(t);
      if (it != s.points.end()) {
        filled[t] = it->second;
        continue;
      }
      if (constant) {
        filled[t] = *constant;
        continue;
      }
      auto next = s.points.upper_bound(t);
      const bool has_prev = next != s.points.begin();
      if (repeat) {
        if (has_prev) filled[t] = std::prev(next)->second;
        else if (next != s.points.end()) filled[t] = next->second;
        continue;
      }
      // LINEAR: interpolate between neighbours; at the edges, the nearest value.
      if (has_prev && next != s.points.end()) {
        auto prev = std::prev(next);
        const double f = static_cast<double>(t - prev->first) / static_cast<double>(next->first - prev->first);
        filled[t] = prev->second + f * (next->second - prev->second);
      } else if (has_prev) {
        filled[t] = std::prev(next)->second;
      } else if (next != s.points.end()) {
        filled[t] = next->second;
      }
    }
    s.points = std::move(filled);
  }
  return target;
}

// `a op b` for scalars and series, as CloudWatch combines them.
CwResult<Val> Binary(char op, const Val& a, const Val& b) {
  Val out;
  if (a.scalar && b.scalar) {
    out.scalar = true;
    out.number = Apply(op, a.number, b.number);
    return out;
  }
  if (a.scalar || b.scalar) {
    out = a.scalar ? b : a;
    for (Named& s : out.series) {
      for (auto& [t, x] : s.points) x = a.scalar ? Apply(op, a.number, x) : Apply(op, x, b.number);
    }
    return out;
  }
  if (a.series.size() == 1 && b.series.size() == 1) {
    Named r;
    r.points = Combine(op, a.series[0].points, b.series[0].points);
    out.series.push_back(std::move(r));
    return out;
  }
  if (a.series.size() == 1 || b.series.size() == 1) {
    const Named& one = a.series.size() == 1 ? a.series[0] : b.series[0];
    out = a.series.size() == 1 ? b : a;
    for (Named& s : out.series) {
      s.points = a.series.size() == 1 ? Combine(op, one.points, s.points) : Combine(op, s.points, one.points);
    }
    return out;
  }
  return Bad("Operator " + std::string(1, op) + " cannot combine two arrays of time series");
}

CwResult<Val> Eval(const Node& n, const Context& ctx) {
  switch (n.kind) {
    case Node::kNumber: {
      Val v;
      v.scalar = true;
      v.number = n.number;
      return v;
    }
    case Node::kString:
      return Bad("A string is only allowed as the argument of METRICS()");
    case Node::kRef: {
      auto it = ctx.results->find(n.text);
      if (it == ctx.results->end()) return Bad("Unknown metric or expression id: " + n.text);
      Val v;
      v.series = it->second;
      return v;
    }
    case Node::kNeg: {
      auto v = Eval(*n.args[0], ctx);
      if (!v.ok()) return v;
      v->number = -v->number;
      for (Named& s : v->series) {
        for (auto& [t, x] : s.points) x = -x;
      }
      return v;
    }
    case Node::kArray: {
      Val out;
      for (const auto& a : n.args) {
        auto v = Eval(*a, ctx);
        if (!v.ok()) return v;
        if (v->scalar) return Bad("An array may only hold time series");
        for (Named& s : v->series) out.series.push_back(std::move(s));
      }
      return out;
    }
    case Node::kBinary: {
      auto acc = Eval(*n.args[0], ctx);
      if (!acc.ok()) return acc;
      for (size_t i = 1; i < n.args.size(); ++i) {
        auto b = Eval(*n.args[i], ctx);
        if (!b.ok()) return b;
        acc = Binary(n.text[i - 1], *acc, *b);
        if (!acc.ok()) return acc;
      }
      return acc;
    }
    case Node::kCall: {
      const std::string& fn = n.text;
      if (fn == "METRICS") {
        std::string filter;
        if (n.args.size() > 1 || (n.args.size() == 1 && n.args[0]->kind != Node::kString)) {
          return Bad("METRICS() takes no argument or one string");
        }
        if (n.args.size() == 1) filter = n.args[0]->text;
        Val out;
        for (const std::string& id : ctx.stat_ids) {
          const Named& s = ctx.results->at(id).front();
          if (filter.empty() || id.find(filter) != std::string::npos || s.label.find(filter) != std::string::npos) {
            out.series.push_back(s);
          }
        }
        return out;
      }
      if (fn == "FILL") return Fill(n, ctx);
      if (fn == "SUM" || fn == "AVG" || fn == "MIN" || fn == "MAX") {
        if (n.args.size() != 1) return Bad(fn + " takes one argument");
        auto arg = Eval(*n.args[0], ctx);
        if (!arg.ok()) return arg;
        return Aggregate(fn, *arg);
      }
      return Bad("Unsupported function in expression: " + fn);
    }
  }
  return Bad("Unsupported expression");
}

}  // namespace

CwResult<Done> ValidateQueries(std::span<const MetricQuery> queries) {
  if (queries.size() > kMaxMetricDataQueries) {
    return MakeCwError(CwErrorCode::kInvalidParameterValue,
                       "The collection MetricDataQueries must not have a size greater than 500.");
  }
  std::set<std::string> seen;
  bool any_return = false;
  for (const MetricQuery& q : queries) {
    if (!ValidId(q.id)) {
      return Bad("Invalid metric data query id: " + q.id +
                 " (must start with a lowercase letter and contain only letters, numbers and underscore)");
    }
    if (!seen.insert(q.id).second) return Bad("The value " + q.id + " for field Id must be unique");
    if (q.metric_stat.has_value() == !q.expression.empty()) {
      return MakeCwError(CwErrorCode::kInvalidParameterCombination,
                         "Exactly one element of the metrics list should have either MetricStat or Expression for "
                         "Id " + q.id);
    }
    if (q.expression.size() > kMaxExpressionLength) {
      return Bad("The value for parameter Expression of " + q.id + " must have length less than or equal to 2048.");
    }
    if (!q.expression.empty()) {
      auto parsed = Parser(q.expression).ParseAll();
      if (!parsed.ok()) return parsed.error();
    }
    any_return = any_return || q.return_data;
  }
  if (!queries.empty() && !any_return) {
    return Bad("At least one MetricDataQuery must have ReturnData set to true");
  }
  return Done{};
}

CwResult<std::vector<SeriesResult>> RunQueries(const MetricReader& reader, std::span<const MetricQuery> queries,
                                               int64_t start_ms, int64_t end_ms) {
  auto valid = ValidateQueries(queries);
  if (!valid.ok()) return valid.error();
  std::map<std::string, std::vector<Named>> results;
  Context ctx{&results, {}, {}};
  int32_t grid_period = 0;
  for (const MetricQuery& q : queries) {
    if (!q.metric_stat) continue;
    const MetricStatSpec& ms = *q.metric_stat;
    StatisticsQuery sq{ms.id, start_ms, end_ms, ms.period_s, ms.unit, {ms.stat}};
    auto points = reader.Statistics(sq);
    if (!points.ok()) return MakeCwError(CwErrorCode::kInternal, points.status().message());
    Named s{q.id, q.label.empty() ? ms.id.name : q.label, {}};
    for (const StatisticsPoint& p : *points) {
      if (!p.values.empty() && !std::isnan(p.values[0])) s.points[p.timestamp_ms] = p.values[0];
    }
    results[q.id].push_back(std::move(s));
    ctx.stat_ids.push_back(q.id);
    grid_period = grid_period == 0 ? ms.period_s : std::min(grid_period, ms.period_s);
  }
  for (const MetricQuery& q : queries) {
    if (q.period_s) grid_period = grid_period == 0 ? *q.period_s : std::min(grid_period, *q.period_s);
  }
  if (grid_period <= 0) grid_period = 60;
  const int64_t step = int64_t{grid_period} * 1000;
  for (int64_t t = (start_ms / step) * step; t < end_ms && ctx.grid.size() < 100'800; t += step) {
    if (t >= start_ms) ctx.grid.push_back(t);
  }
  // Expressions may refer to expressions listed after them: evaluate until none is left.
  std::vector<const MetricQuery*> pending;
  for (const MetricQuery& q : queries) {
    if (!q.metric_stat) pending.push_back(&q);
  }
  while (!pending.empty()) {
    std::vector<const MetricQuery*> later;
    std::optional<CwError> last_error;
    for (const MetricQuery* q : pending) {
      auto tree = Parser(q->expression).ParseAll();
      if (!tree.ok()) return tree.error();
      auto v = Eval(**tree, ctx);
      if (!v.ok()) {
        later.push_back(q);
        last_error = v.error();
        continue;
      }
      std::vector<Named>& slot = results[q->id];
      if (v->scalar) {
        // A number: the same value at every timestamp of the range.
        Named s{q->id, q->label.empty() ? q->id : q->label, {}};
        for (int64_t t : ctx.grid) s.points[t] = v->number;
        slot.push_back(std::move(s));
      } else if (v->series.size() == 1) {
        slot.push_back(Named{q->id, q->label.empty() ? q->id : q->label, std::move(v->series[0].points)});
      } else {
        // Several series: one result each, under the expression's id, labelled as the
        // series it came from.
        for (Named& s : v->series) {
          slot.push_back(Named{q->id, q->label.empty() ? s.label : q->label + " " + s.label, std::move(s.points)});
        }
      }
    }
    if (later.size() == pending.size()) return *last_error;
    pending = std::move(later);
  }
  std::vector<SeriesResult> out;
  for (const MetricQuery& q : queries) {
    for (const Named& s : results.at(q.id)) {
      SeriesResult r{q.id, s.label, {}, {}};
      for (const auto& [t, v] : s.points) {
        if (std::isnan(v) || std::isinf(v)) continue;
        r.timestamps_ms.push_back(t);
        r.values.push_back(v);
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace sluice::metrics
