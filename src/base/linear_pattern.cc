#include "base/linear_pattern.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <memory>
#include <optional>

#include "base/utf8.h"

namespace sluice {
namespace {

using Range = LinearPattern::Range;
using Inst = LinearPattern::Inst;

constexpr size_t kMaxPatternBytes = 4096;
constexpr int kMaxDepth = 64;
constexpr size_t kMaxInstructions = 5000;
constexpr uint32_t kMaxCount = 100000;
constexpr uint32_t kMaxCodePoint = 0x10FFFF;

// One code point of UTF-8 at s[i], advancing i. A byte that does not start a
// well-formed sequence (base/utf8.h: no overlongs, surrogates or values past U+10FFFF)
// is its own value, so every value is at most U+10FFFF and `[^]` matches anything.
uint32_t DecodeOne(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const size_t n = b0 < 0x80 ? 0 : Utf8MultiByteLength(s, i);
  if (n == 0) {
    ++i;
    return b0;
  }
  uint32_t cp = b0 & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += n;
  return cp;
}

std::vector<Range> Normalize(std::vector<Range> r) {
  std::sort(r.begin(), r.end(), [](const Range& a, const Range& b) { return a.lo < b.lo; });
  std::vector<Range> out;
  for (const Range& x : r) {
    if (!out.empty() && x.lo <= out.back().hi + 1) {
      out.back().hi = std::max(out.back().hi, x.hi);
    } else {
      out.push_back(x);
    }
  }
  return out;
}

std::vector<Range> Complement(const std::vector<Range>& in) {
  std::vector<Range> out;
  uint32_t next = 0;
  for (const Range& x : Normalize(in)) {
    if (x.lo > next) out.push_back({next, x.lo - 1});
    next = x.hi + 1;
  }
  if (next <= kMaxCodePoint) out.push_back({next, kMaxCodePoint});
  return out;
}

const std::vector<Range>& Digits() {
  static const std::vector<Range> r{{'0', '9'}};
  return r;
}
const std::vector<Range>& Word() {
  static const std::vector<Range> r{{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
  return r;
}
const std::vector<Range>& Space(PatternSyntax syntax) {
  static const std::vector<Range> java{{'\t', '\r'}, {' ', ' '}};
  // ECMA's WhiteSpace and LineTerminator: Unicode's space separators, BOM, U+2028/9.
  static const std::vector<Range> ecma{{'\t', '\r'},     {' ', ' '},       {0xA0, 0xA0},     {0x1680, 0x1680},
                                       {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F},
                                       {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
  return syntax == PatternSyntax::kJava ? java : ecma;
}
// `.`: anything but a line terminator (Java counts U+0085 as one, ECMA does not).
const std::vector<Range>& Dot(PatternSyntax syntax) {
  static const std::vector<Range> java =
      Complement({{'\n', '\n'}, {'\r', '\r'}, {0x85, 0x85}, {0x2028, 0x2029}});
  static const std::vector<Range> ecma = Complement({{'\n', '\n'}, {'\r', '\r'}, {0x2028, 0x2029}});
  return syntax == PatternSyntax::kJava ? java : ecma;
}
bool IsWordChar(uint32_t cp) {
  return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || cp == '_';
}

struct Node {
  enum Kind { kClass, kBegin, kEnd, kWordBoundary, kNotWordBoundary, kConcat, kAlt, kRepeat } kind;
  std::vector<Range> ranges;  // kClass
  std::vector<std::unique_ptr<Node>> children;
  uint32_t min = 0;
  std::optional<uint32_t> max;  // kRepeat; none: unbounded
};

std::unique_ptr<Node> MakeClass(std::vector<Range> r) {
  auto n = std::make_unique<Node>();
  n->kind = Node::kClass;
  n->ranges = Normalize(std::move(r));
  return n;
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
uint32_t HexValue(char c) {
  if (c >= '0' && c <= '9') return static_cast<uint32_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<uint32_t>(c - 'a' + 10);
  return static_cast<uint32_t>(c - 'A' + 10);
}

std::unique_ptr<Node> MakeAssertion(Node::Kind kind) {
  auto n = std::make_unique<Node>();
  n->kind = kind;
  return n;
}

class Parser {
 public:
  Parser(std::string_view p, PatternSyntax syntax) : p_(p), ecma_(syntax == PatternSyntax::kEcma) {}

  Expected<std::unique_ptr<Node>, std::string> Parse() {
    auto n = Alternation(0);
    if (!n.ok()) return n;
    if (i_ < p_.size()) return Fail("unmatched closing ')'");
    return n;
  }

 private:
  Unexpected<std::string> Fail(const std::string& why) const {
    return Unexpected<std::string>{why + " near index " + std::to_string(i_)};
  }

  Expected<std::unique_ptr<Node>, std::string> Alternation(int depth) {
    if (depth > kMaxDepth) return Fail("groups nested too deeply");
    auto alt = std::make_unique<Node>();
    alt->kind = Node::kAlt;
    while (true) {
      auto c = Concatenation(depth);
      if (!c.ok()) return c;
      alt->children.push_back(std::move(*c));
      if (i_ < p_.size() && p_[i_] == '|') {
        ++i_;
        continue;
      }
      break;
    }
    if (alt->children.size() == 1) return std::move(alt->children[0]);
    return alt;
  }

  Expected<std::unique_ptr<Node>, std::string> Concatenation(int depth) {
    auto cat = std::make_unique<Node>();
    cat->kind = Node::kConcat;
    while (i_ < p_.size() && p_[i_] != '|' && p_[i_] != ')') {
      auto atom = Atom(depth);
      if (!atom.ok()) return atom;
      auto q = Quantified(std::move(*atom));
      if (!q.ok()) return q;
      cat->children.push_back(std::move(*q));
    }
    return cat;
  }

  // Whether a quantifier starts at `i`. In ECMA a `{` that starts no valid count
  // (`{`, `{a}`, `{1,x`) is a literal; in Java it is a malformed quantifier.
  bool QuantifierAt(size_t i) const {
    if (i >= p_.size()) return false;
    const char c = p_[i];
    if (c == '*' || c == '+' || c == '?') return true;
    if (c != '{') return false;
    if (!ecma_) return true;
    size_t k = i + 1;
    const size_t digits_at = k;
    while (k < p_.size() && p_[k] >= '0' && p_[k] <= '9') ++k;
    if (k == digits_at) return false;
    if (k < p_.size() && p_[k] == ',') {
      ++k;
      while (k < p_.size() && p_[k] >= '0' && p_[k] <= '9') ++k;
    }
    return k < p_.size() && p_[k] == '}';
  }

  Expected<std::unique_ptr<Node>, std::string> Quantified(std::unique_ptr<Node> atom) {
    if (!QuantifierAt(i_)) return atom;
    uint32_t min = 0;
    std::optional<uint32_t> max;
    const char q = p_[i_++];
    if (q == '*') {
      min = 0;
    } else if (q == '+') {
      min = 1;
    } else if (q == '?') {
      max = 1;
    } else {
      auto n = Count();
      if (!n) return Fail("illegal repetition");
      min = *n;
      max = min;
      if (i_ < p_.size() && p_[i_] == ',') {
        ++i_;
        max.reset();
        if (i_ < p_.size() && p_[i_] != '}') {
          max = Count();
          if (!max) return Fail("illegal repetition");
        }
      }
      if (i_ >= p_.size() || p_[i_] != '}') return Fail("unclosed counted closure");
      ++i_;
      if (max && *max < min) return Fail("illegal repetition range");
    }
    if (i_ < p_.size() && p_[i_] == '?') {
      ++i_;  // lazy: the same set of whole matches
    } else if (i_ < p_.size() && p_[i_] == '+') {
      return Fail("possessive quantifiers are not supported");
    }
    if (QuantifierAt(i_)) return Fail("dangling meta character '" + std::string(1, p_[i_]) + "'");
    if (atom->kind != Node::kClass && atom->kind != Node::kConcat && atom->kind != Node::kAlt &&
        atom->kind != Node::kRepeat) {
      return atom;  // an assertion repeated is the assertion (Java accepts ^* as ^)
    }
    auto r = std::make_unique<Node>();
    r->kind = Node::kRepeat;
    r->min = min;
    r->max = max;
    r->children.push_back(std::move(atom));
    return r;
  }

  std::optional<uint32_t> Count() {
    if (i_ >= p_.size() || p_[i_] < '0' || p_[i_] > '9') return std::nullopt;
    uint32_t v = 0;
    while (i_ < p_.size() && p_[i_] >= '0' && p_[i_] <= '9') {
      v = v * 10 + static_cast<uint32_t>(p_[i_++] - '0');
      if (v > kMaxCount) return std::nullopt;
    }
    return v;
  }

  Expected<std::unique_ptr<Node>, std::string> Atom(int depth) {
    const char c = p_[i_];
    if (QuantifierAt(i_)) return Fail("dangling meta character '" + std::string(1, c) + "'");
    if (c == '(') {
      ++i_;
      if (i_ < p_.size() && p_[i_] == '?') {
        ++i_;
        if (i_ < p_.size() && p_[i_] == ':') {
          ++i_;
        } else if (i_ + 1 < p_.size() && p_[i_] == '<' &&
                   ((p_[i_ + 1] >= 'a' && p_[i_ + 1] <= 'z') || (p_[i_ + 1] >= 'A' && p_[i_ + 1] <= 'Z'))) {
          while (i_ < p_.size() && p_[i_] != '>') ++i_;
          if (i_ >= p_.size()) return Fail("named group without '>'");
          ++i_;
        } else {
          return Fail("look-around, atomic groups and inline flags are not supported");
        }
      }
      auto inner = Alternation(depth + 1);
      if (!inner.ok()) return inner;
      if (i_ >= p_.size() || p_[i_] != ')') return Fail("unclosed group");
      ++i_;
      return inner;
    }
    if (c == '^' || c == '$') {
      ++i_;
      auto n = std::make_unique<Node>();
      n->kind = c == '^' ? Node::kBegin : Node::kEnd;
      return n;
    }
    if (c == '.') {
      ++i_;
      return MakeClass(Dot(ecma_ ? PatternSyntax::kEcma : PatternSyntax::kJava));
    }
    if (c == '[') {
      ++i_;
      auto r = ClassBody();
      if (!r.ok()) return r.error();
      return MakeClass(std::move(*r));
    }
    if (c == '\\') {
      ++i_;
      if (i_ < p_.size() && (p_[i_] == 'b' || p_[i_] == 'B')) {
        return MakeAssertion(p_[i_++] == 'b' ? Node::kWordBoundary : Node::kNotWordBoundary);
      }
      auto e = Escape(false);
      if (!e.ok()) return e.error();
      return MakeClass(std::move(*e));
    }
    const uint32_t cp = DecodeOne(p_, i_);
    return MakeClass({{cp, cp}});
  }

  // After a backslash: the code points it stands for (`in_class`: inside [...]).
  Expected<std::vector<Range>, std::string> Escape(bool in_class) {
    if (i_ >= p_.size()) return Fail("unexpected end after '\\'");
    const char c = p_[i_++];
    auto one = [](uint32_t v) { return std::vector<Range>{{v, v}}; };
    const PatternSyntax syntax = ecma_ ? PatternSyntax::kEcma : PatternSyntax::kJava;
    switch (c) {
      case 'd': return Digits();
      case 'D': return Complement(Digits());
      case 'w': return Word();
      case 'W': return Complement(Word());
      case 's': return Space(syntax);
      case 'S': return Complement(Space(syntax));
      case 't': return one('\t');
      case 'n': return one('\n');
      case 'r': return one('\r');
      case 'f': return one('\f');
      case 'u': return HexDigits(4, "illegal Unicode escape");
      case 'x':
        if (ecma_ || i_ >= p_.size() || p_[i_] != '{') return HexDigits(2, "illegal hexadecimal escape");
        break;
      default: break;
    }
    if (ecma_) return EcmaEscape(c, in_class);
    switch (c) {
      case 'a': return one(7);
      case 'e': return one(27);
      case '0': {
        uint32_t v = 0;
        int digits = 0;
        while (digits < 3 && i_ < p_.size() && p_[i_] >= '0' && p_[i_] <= '7' && v * 8 + static_cast<uint32_t>(p_[i_] - '0') <= 0377) {
          v = v * 8 + static_cast<uint32_t>(p_[i_++] - '0');
          ++digits;
        }
        if (digits == 0) return Fail("illegal octal escape");
        return one(v);
      }
      case 'x': {  // \x{h...}: \xhh was read above
        ++i_;
        uint32_t v = 0;
        int digits = 0;
        while (i_ < p_.size() && IsHex(p_[i_]) && digits < 6) {
          v = v * 16 + HexValue(p_[i_++]);
          ++digits;
        }
        if (digits == 0 || i_ >= p_.size() || p_[i_] != '}' || v > kMaxCodePoint) return Fail("illegal hexadecimal escape");
        ++i_;
        return one(v);
      }
      default:
        break;
    }
    if (in_class && c == 'b') return Fail("the escape \\b is not supported in a character class");
    return Identity(c);
  }

  // ECMA's escapes past the shared ones (Escape above).
  Expected<std::vector<Range>, std::string> EcmaEscape(char c, bool in_class) {
    auto one = [](uint32_t v) { return std::vector<Range>{{v, v}}; };
    switch (c) {
      case 'v': return one(0x0B);
      case 'b':
        if (in_class) return one(0x08);
        break;
      case '0':
        if (i_ < p_.size() && p_[i_] >= '0' && p_[i_] <= '9') return Fail("octal escapes are not supported");
        return one(0);
      case 'c': {
        const char l = i_ < p_.size() ? p_[i_] : '\0';
        if (!((l >= 'a' && l <= 'z') || (l >= 'A' && l <= 'Z'))) return Fail("\\c must be followed by a letter");
        ++i_;
        return one(static_cast<uint32_t>(l) % 32);
      }
      default: break;
    }
    return Identity(c);
  }

  // `n` hex digits after \x or \u: the code point they give.
  Expected<std::vector<Range>, std::string> HexDigits(int n, const char* why) {
    if (i_ + static_cast<size_t>(n) > p_.size()) return Fail(why);
    uint32_t v = 0;
    for (int k = 0; k < n; ++k) {
      if (!IsHex(p_[i_])) return Fail(why);
      v = v * 16 + HexValue(p_[i_++]);
    }
    return std::vector<Range>{{v, v}};
  }

  // An escape that stands for its character (`\.`, `\/`), or a refusal for a letter or
  // digit that means something this matcher does not do.
  Expected<std::vector<Range>, std::string> Identity(char c) {
    if ((c >= '1' && c <= '9') || c == 'k') return Fail("back-references are not supported");
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      return Fail("the escape \\" + std::string(1, c) + " is not supported");
    }
    --i_;
    const uint32_t cp = DecodeOne(p_, i_);
    return std::vector<Range>{{cp, cp}};
  }

  // After '[': the class up to its ']'.
  Expected<std::vector<Range>, std::string> ClassBody() {
    bool negated = false;
    if (i_ < p_.size() && p_[i_] == '^') {
      negated = true;
      ++i_;
    }
    std::vector<Range> set;
    bool first = !ecma_;  // Java reads a leading ']' as a literal; ECMA closes the class
    while (true) {
      if (i_ >= p_.size()) return Fail("unclosed character class");
      if (p_[i_] == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      if (p_[i_] == '[' && !ecma_) return Fail("nested character classes are not supported");
      if (p_.compare(i_, 2, "&&") == 0 && !ecma_) return Fail("character class intersection is not supported");
      auto lo = ClassAtom();
      if (!lo.ok()) return lo.error();
      const bool single = lo->size() == 1 && (*lo)[0].lo == (*lo)[0].hi;
      if (single && i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        ++i_;
        if (p_[i_] == '[' && !ecma_) return Fail("nested character classes are not supported");
        auto hi = ClassAtom();
        if (!hi.ok()) return hi.error();
        if (hi->size() != 1 || (*hi)[0].lo != (*hi)[0].hi || (*hi)[0].lo < (*lo)[0].lo) {
          return Fail("illegal character range");
        }
        set.push_back({(*lo)[0].lo, (*hi)[0].lo});
        continue;
      }
      set.insert(set.end(), lo->begin(), lo->end());
    }
    return negated ? Complement(set) : Normalize(std::move(set));
  }

  Expected<std::vector<Range>, std::string> ClassAtom() {
    if (p_[i_] == '\\') {
      ++i_;
      return Escape(true);
    }
    const uint32_t cp = DecodeOne(p_, i_);
    return std::vector<Range>{{cp, cp}};
  }

  std::string_view p_;
  const bool ecma_;
  size_t i_ = 0;
};

class Emitter {
 public:
  Emitter(std::vector<Inst>& prog, std::vector<Range>& ranges) : prog_(prog), ranges_(ranges) {}

  bool Emit(const Node& n) {
    switch (n.kind) {
      case Node::kClass: {
        // A class repeated by {n,m} shares one copy of its ranges.
        auto [it, added] = stored_.try_emplace(&n, static_cast<uint32_t>(ranges_.size()));
        if (added) ranges_.insert(ranges_.end(), n.ranges.begin(), n.ranges.end());
        Inst in{Inst::kClass};
        in.x = it->second;
        in.y = static_cast<uint32_t>(n.ranges.size());
        return Push(in);
      }
      case Node::kBegin: return Push({Inst::kBegin});
      case Node::kEnd: return Push({Inst::kEnd});
      case Node::kWordBoundary: return Push({Inst::kWordBoundary});
      case Node::kNotWordBoundary: return Push({Inst::kNotWordBoundary});
      case Node::kConcat:
        for (const auto& c : n.children) {
          if (!Emit(*c)) return false;
        }
        return true;
      case Node::kAlt: {
        std::vector<size_t> jumps;
        for (size_t k = 0; k < n.children.size(); ++k) {
          size_t split = 0;
          if (k + 1 < n.children.size()) {
            split = prog_.size();
            if (!Push({Inst::kSplit})) return false;
            prog_[split].x = Here();
          }
          if (!Emit(*n.children[k])) return false;
          if (k + 1 < n.children.size()) {
            jumps.push_back(prog_.size());
            if (!Push({Inst::kJump})) return false;
            prog_[split].y = Here();
          }
        }
        for (size_t j : jumps) prog_[j].x = Here();
        return true;
      }
      case Node::kRepeat: {
        const Node& child = *n.children[0];
        for (uint32_t k = 0; k < n.min; ++k) {
          if (!Emit(child)) return false;
        }
        if (!n.max) {  // L: split L+1, out; child; jump L; out:
          const size_t loop = prog_.size();
          if (!Push({Inst::kSplit})) return false;
          prog_[loop].x = Here();
          if (!Emit(child)) return false;
          Inst back{Inst::kJump};
          back.x = static_cast<uint32_t>(loop);
          if (!Push(back)) return false;
          prog_[loop].y = Here();
          return true;
        }
        std::vector<size_t> splits;
        for (uint32_t k = n.min; k < *n.max; ++k) {
          splits.push_back(prog_.size());
          if (!Push({Inst::kSplit})) return false;
          prog_[splits.back()].x = Here();
          if (!Emit(child)) return false;
        }
        for (size_t s : splits) prog_[s].y = Here();
        return true;
      }
    }
    return false;
  }

 private:
  uint32_t Here() const { return static_cast<uint32_t>(prog_.size()); }
  bool Push(Inst in) {
    if (prog_.size() >= kMaxInstructions) return false;
    prog_.push_back(in);
    return true;
  }

  std::vector<Inst>& prog_;
  std::vector<Range>& ranges_;
  std::map<const Node*, uint32_t> stored_;  // where each class's ranges start
};

// The threads alive at one position: a sparse set of instruction indexes.
class ThreadSet {
 public:
  explicit ThreadSet(size_t n) : dense_(n), sparse_(n) {}
  bool Contains(uint32_t pc) const { return sparse_[pc] < size_ && dense_[sparse_[pc]] == pc; }
  void Insert(uint32_t pc) {
    sparse_[pc] = static_cast<uint32_t>(size_);
    dense_[size_++] = pc;
  }
  void Clear() { size_ = 0; }
  size_t size() const { return size_; }
  uint32_t operator[](size_t k) const { return dense_[k]; }

 private:
  std::vector<uint32_t> dense_, sparse_;
  size_t size_ = 0;
};

// Where the matcher stands between two code points: what the assertions look at.
struct Position {
  bool at_begin = false;
  bool at_end = false;
  bool word_before = false;
  bool word_after = false;
};

}  // namespace

Expected<LinearPattern, std::string> LinearPattern::Compile(std::string_view pattern, PatternSyntax syntax) {
  if (pattern.size() > kMaxPatternBytes) {
    return Unexpected<std::string>{"longer than " + std::to_string(kMaxPatternBytes) + " bytes"};
  }
  Parser parser(pattern, syntax);
  auto tree = parser.Parse();
  if (!tree.ok()) return Unexpected<std::string>{tree.error()};
  LinearPattern out;
  Emitter emitter(out.prog_, out.ranges_);
  if (!emitter.Emit(**tree) || out.prog_.size() >= kMaxInstructions) {
    return Unexpected<std::string>{"more than " + std::to_string(kMaxInstructions) + " states once repetitions are expanded"};
  }
  out.prog_.push_back({Inst::kMatch});
  return out;
}

bool LinearPattern::FullMatch(std::string_view value) const { return Run(value, false); }
bool LinearPattern::Search(std::string_view value) const { return Run(value, true); }

bool LinearPattern::Run(std::string_view value, bool anywhere) const {
  ThreadSet current(prog_.size()), next(prog_.size());
  std::vector<uint32_t> stack;
  // Follows jumps, splits and assertions from pc, adding every state reached. Returns
  // true when the match state is among them.
  auto add = [&](ThreadSet& set, uint32_t start, const Position& at) {
    bool matched = false;
    stack.push_back(start);
    while (!stack.empty()) {
      const uint32_t pc = stack.back();
      stack.pop_back();
      if (set.Contains(pc)) continue;
      set.Insert(pc);
      const Inst& in = prog_[pc];
      switch (in.op) {
        case Inst::kJump: stack.push_back(in.x); break;
        case Inst::kSplit:
          stack.push_back(in.y);
          stack.push_back(in.x);
          break;
        case Inst::kBegin:
          if (at.at_begin) stack.push_back(pc + 1);
          break;
        case Inst::kEnd:
          if (at.at_end) stack.push_back(pc + 1);
          break;
        case Inst::kWordBoundary:
          if (at.word_before != at.word_after) stack.push_back(pc + 1);
          break;
        case Inst::kNotWordBoundary:
          if (at.word_before == at.word_after) stack.push_back(pc + 1);
          break;
        case Inst::kMatch: matched = true; break;
        case Inst::kClass: break;
      }
    }
    return matched;
  };
  // The code point at `i` without moving past it (none at the end).
  auto peek = [&](size_t i, uint32_t& cp) {
    if (i >= value.size()) return false;
    cp = DecodeOne(value, i);
    return true;
  };
  uint32_t ahead = 0;
  bool has_ahead = peek(0, ahead);
  Position at{true, value.empty(), false, has_ahead && IsWordChar(ahead)};
  if (add(current, 0, at) && anywhere) return true;
  size_t i = 0;
  while (i < value.size()) {
    if (current.size() == 0 && !anywhere) return false;
    const uint32_t cp = DecodeOne(value, i);
    has_ahead = peek(i, ahead);
    at = {false, i == value.size(), IsWordChar(cp), has_ahead && IsWordChar(ahead)};
    next.Clear();
    bool matched = false;
    for (size_t k = 0; k < current.size(); ++k) {
      const uint32_t pc = current[k];
      const Inst& in = prog_[pc];
      if (in.op != Inst::kClass) continue;
      // The ranges are sorted and disjoint: the last one starting at or below cp decides.
      const auto first = ranges_.begin() + in.x, last = first + in.y;
      auto after = std::upper_bound(first, last, cp, [](uint32_t c, const Range& r) { return c < r.lo; });
      if (after != first && cp <= std::prev(after)->hi) matched = add(next, pc + 1, at) || matched;
    }
    // Searching, a match may also start here.
    if (anywhere) matched = add(next, 0, at) || matched;
    std::swap(current, next);
    if (anywhere && matched) return true;
  }
  for (size_t k = 0; k < current.size(); ++k) {
    if (prog_[current[k]].op == Inst::kMatch) return true;
  }
  return false;
}

}  // namespace sluice
