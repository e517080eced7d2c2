// AllowedPattern: a parameter's regular expression, in the Java syntax CloudFormation
// reads, matched against the whole value. Compiled once to a Thompson NFA and run as a
// set of states (Pike's simulation without captures): time O(pattern × value), memory
// O(pattern), no recursion and no backtracking on the value, which is request input.
//
// Supported: literals, `.`, classes `[a-z_]`/`[^...]` (escapes and \d \w \s inside),
// \d \D \w \W \s \S, \t \n \r \f \e \a \0oo \xhh \uhhhh and escaped metacharacters,
// groups `(...)`, `(?:...)`, `(?<name>...)`, alternation, `? * + {n} {n,} {n,m}` and
// their lazy forms (laziness does not change what a whole match accepts), `^` and `$`.
// Refused with a reason (they need backtracking or are not worth it): back-references,
// look-around, possessive quantifiers, \b \B \A \z \Z \G, \p{...}, class intersection,
// inline flags. Classes match code points of the UTF-8 value; a byte that is not valid
// UTF-8 counts as one code point of its own value.
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

namespace sluice::stacks {

class AllowedPattern {
 public:
  // The reason a pattern cannot be compiled, e.g. "unbalanced parenthesis at 3".
  static Expected<AllowedPattern, std::string> Compile(std::string_view pattern);

  // True when the whole of `value` matches. Thread-safe (const, no shared state).
  bool FullMatch(std::string_view value) const;

  struct Range {
    uint32_t lo, hi;
  };
  struct Inst {
    enum Op : uint8_t { kClass, kSplit, kJump, kBegin, kEnd, kMatch } op;
    uint32_t x = 0, y = 0;  // kSplit: both targets; kJump: x; kClass: first range, count
  };

 private:
  std::vector<Inst> prog_;
  std::vector<Range> ranges_;
};

}  // namespace sluice::stacks
