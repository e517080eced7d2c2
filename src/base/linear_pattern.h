// LinearPattern: a regular expression compiled once to a Thompson NFA and run as a set
// of states (Pike's simulation without captures): time O(pattern × value), memory
// O(pattern), no recursion and no backtracking on the value, which is request input.
// Two dialects share it: Java's, as CloudFormation reads a parameter's AllowedPattern
// (matched against the whole value), and ECMA-262's, as JSON Schema reads `pattern` and
// `patternProperties` (found anywhere in the value unless anchored).
//
// Supported in both: literals, `.`, classes `[a-z_]`/`[^...]` (escapes and \d \w \s
// inside), \d \D \w \W \s \S, \b \B (word boundaries, ASCII word characters),
// \t \n \r \f \xhh \uhhhh and escaped metacharacters, groups `(...)`, `(?:...)`,
// `(?<name>...)`, alternation, `? * + {n} {n,} {n,m}` and their lazy forms (laziness does
// not change whether a value matches), `^` and `$` (the value's start and end).
//   Java only: \e \a \0ooo \x{h...}, `[]...]` (a leading `]` is literal), `.` excluding
//   U+0085 as well.
//   ECMA only: \v \cX \0 (NUL), `[\b]` (backspace), `[]` (matches nothing) and `[^]`
//   (anything), \s with Unicode's spaces, a `{` that starts no valid count is literal.
// Refused with a reason (they need backtracking or are not worth it): back-references,
// look-around, possessive quantifiers, \A \z \Z \G, \p{...}, class intersection, inline
// flags, and in ECMA the escapes of letters it gives no meaning to. Classes match code
// points of the UTF-8 value; a byte that is not valid UTF-8 counts as one code point of
// its own value.
//
// Limits: a pattern of at most 4096 bytes, nesting of at most 64 groups, and at most
// 5000 NFA instructions after counted repetitions are expanded: matching a 4096-byte
// value then takes at most about 20 million state steps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"

namespace sluice {

enum class PatternSyntax : uint8_t { kJava, kEcma };

class LinearPattern {
 public:
  // The reason a pattern cannot be compiled, e.g. "unclosed group near index 3".
  static Expected<LinearPattern, std::string> Compile(std::string_view pattern, PatternSyntax syntax);

  // True when the whole of `value` matches (Java's String.matches). Thread-safe (const,
  // no shared state).
  bool FullMatch(std::string_view value) const;
  // True when some part of `value` matches (ECMA's RegExp.prototype.test, JSON Schema's
  // `pattern`). Thread-safe.
  bool Search(std::string_view value) const;

  struct Range {
    uint32_t lo, hi;
  };
  struct Inst {
    enum Op : uint8_t { kClass, kSplit, kJump, kBegin, kEnd, kWordBoundary, kNotWordBoundary, kMatch } op;
    uint32_t x = 0, y = 0;  // kSplit: both targets; kJump: x; kClass: first range, count
  };

 private:
  bool Run(std::string_view value, bool anywhere) const;

  std::vector<Inst> prog_;
  std::vector<Range> ranges_;
};

}  // namespace sluice
