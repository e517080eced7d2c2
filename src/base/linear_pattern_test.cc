#include "base/linear_pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

// Java's dialect, the whole value (CloudFormation's AllowedPattern).
bool Matches(std::string_view pattern, std::string_view value) {
  auto p = LinearPattern::Compile(pattern, PatternSyntax::kJava);
  EXPECT_TRUE(p.ok()) << pattern << ": " << (p.ok() ? "" : p.error());
  return p.ok() && p->FullMatch(value);
}

std::string Refusal(std::string_view pattern, PatternSyntax syntax = PatternSyntax::kJava) {
  auto p = LinearPattern::Compile(pattern, syntax);
  EXPECT_FALSE(p.ok()) << pattern;
  return p.ok() ? "" : p.error();
}

// ECMA's dialect, anywhere in the value (JSON Schema's pattern).
bool Found(std::string_view pattern, std::string_view value) {
  auto p = LinearPattern::Compile(pattern, PatternSyntax::kEcma);
  EXPECT_TRUE(p.ok()) << pattern << ": " << (p.ok() ? "" : p.error());
  return p.ok() && p->Search(value);
}

TEST(LinearPatternTest, TheWholeValueMustMatch) {
  EXPECT_TRUE(Matches("[a-z]+", "abc"));
  EXPECT_FALSE(Matches("[a-z]+", "abc1"));
  EXPECT_FALSE(Matches("[a-z]+", "1abc"));
  EXPECT_FALSE(Matches("[a-z]+", ""));
  EXPECT_TRUE(Matches("[a-z]*", ""));
  EXPECT_TRUE(Matches("^[a-z0-9.-]*$", "my.bucket-1"));
  EXPECT_FALSE(Matches("^[a-z0-9.-]*$", "My_Bucket"));
}

TEST(LinearPatternTest, PatternsTheQuickStartsUse) {
  const char* cidr = R"((\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d{1,2}))";
  EXPECT_TRUE(Matches(cidr, "10.0.0.0/16"));
  EXPECT_FALSE(Matches(cidr, "10.0.0/16"));
  EXPECT_FALSE(Matches(cidr, "1000.0.0.0/16"));
  EXPECT_TRUE(Matches(R"(^db\.[tr]\d+[a-z0-9]*\.[a-z0-9]*$)", "db.r5.large"));
  EXPECT_FALSE(Matches(R"(^db\.[tr]\d+[a-z0-9]*\.[a-z0-9]*$)", "db.m5.large"));
  EXPECT_TRUE(Matches(R"([\w-_]*)", "admin_pass-1"));
  EXPECT_TRUE(Matches("[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*", "arn:aws:x"));
  EXPECT_TRUE(Matches("(dev|prod)(-[0-9]{2,3})?", "prod-123"));
  EXPECT_FALSE(Matches("(dev|prod)(-[0-9]{2,3})?", "prod-1234"));
  EXPECT_TRUE(Matches("(?:ab)+?c", "ababc"));
  EXPECT_TRUE(Matches("(?<stage>dev|prod)", "dev"));
}

TEST(LinearPatternTest, ClassesEscapesAndDot) {
  EXPECT_TRUE(Matches(R"([^\s,]+)", "a-b"));
  EXPECT_FALSE(Matches(R"([^\s,]+)", "a b"));
  EXPECT_TRUE(Matches(R"([]a]+)", "]a]"));
  EXPECT_TRUE(Matches(R"([a\-z]+)", "-a-z"));
  EXPECT_FALSE(Matches(R"([a\-z]+)", "b"));
  EXPECT_TRUE(Matches(R"(\x41\u0042\0103\t)", "ABC\t"));
  EXPECT_TRUE(Matches(R"(\D\W\S)", "a$x"));
  EXPECT_FALSE(Matches(".", "\n"));
  EXPECT_TRUE(Matches("..", "\xc3\xa9\xe2\x82\xac"));  // two code points: é €
  EXPECT_TRUE(Matches("[\xc3\xa0-\xc3\xbf]", "\xc3\xa9"));
  EXPECT_TRUE(Matches("a{0}b{2,}c{1,2}", "bbbcc"));
  EXPECT_TRUE(Matches("a}]", "a}]"));
}

TEST(LinearPatternTest, WhatNeedsBacktrackingIsRefusedWithAReason) {
  EXPECT_NE(Refusal(R"((a)\1)").find("back-references"), std::string::npos);
  EXPECT_NE(Refusal("(?=a)a").find("look-around"), std::string::npos);
  EXPECT_NE(Refusal("a++").find("possessive"), std::string::npos);
  EXPECT_NE(Refusal(R"(\Aword)").find("\\A"), std::string::npos);
  EXPECT_NE(Refusal(R"(\p{Alpha})").find("\\p"), std::string::npos);
  EXPECT_NE(Refusal("[a-z&&[^b]]").find("intersection"), std::string::npos);
  EXPECT_NE(Refusal("(a").find("unclosed group"), std::string::npos);
  EXPECT_NE(Refusal("a)").find("unmatched"), std::string::npos);
  EXPECT_NE(Refusal("*a").find("dangling"), std::string::npos);
  EXPECT_NE(Refusal("[z-a]").find("illegal character range"), std::string::npos);
  EXPECT_NE(Refusal("a{2,1}").find("illegal repetition range"), std::string::npos);
  EXPECT_NE(Refusal("[ab").find("unclosed character class"), std::string::npos);
  EXPECT_NE(Refusal("(a{1000}){1000}").find("states"), std::string::npos);
  EXPECT_NE(Refusal(std::string(65, '(') + std::string(65, ')')).find("nested too deeply"), std::string::npos);
}

TEST(LinearPatternTest, WordBoundariesLookAtBothSides) {
  EXPECT_TRUE(Matches(R"(\bab\b)", "ab"));
  EXPECT_TRUE(Matches(R"(a\Bb)", "ab"));
  EXPECT_FALSE(Matches(R"(a\bb)", "ab"));
  EXPECT_TRUE(Matches(R"(a\b-)", "a-"));
  EXPECT_TRUE(Found(R"(\bcat\b)", "a cat sat"));
  EXPECT_FALSE(Found(R"(\bcat\b)", "concatenate"));
  EXPECT_TRUE(Found(R"(\Bcat\B)", "concatenate"));
  EXPECT_FALSE(Found(R"(\b)", ""));
  EXPECT_TRUE(Found(R"(\B)", ""));
}

TEST(LinearPatternTest, SearchFindsThePatternAnywhereUnlessAnchored) {
  EXPECT_TRUE(Found("b+", "abbbc"));
  EXPECT_FALSE(Found("^b+", "abbbc"));
  EXPECT_FALSE(Found("b+$", "abbbc"));
  EXPECT_TRUE(Found("^a.*c$", "abbbc"));
  EXPECT_TRUE(Found("", "anything"));
  EXPECT_TRUE(Found("x*", ""));
  EXPECT_FALSE(Found("x", ""));
  EXPECT_TRUE(Found("^[0-9]{4}-[0-9]{2}$", "2026-12"));
  EXPECT_FALSE(Found("^[0-9]{4}-[0-9]{2}$", "2026-123"));
  EXPECT_TRUE(Found("(cat|dog)s?", "hotdogs"));
}

TEST(LinearPatternTest, BytesThatAreNotUtf8AreOneCodePointEach) {
  // Found by fuzz/stack_template: "\xf4\x96\x96\x96" decoded to a value past U+10FFFF,
  // which not even [^] matched, so a search found "a" that [^]*(?:a)[^]* did not.
  auto whole = [](std::string_view pattern, std::string_view value) {
    auto p = LinearPattern::Compile(pattern, PatternSyntax::kEcma);
    EXPECT_TRUE(p.ok()) << pattern;
    return p.ok() && p->FullMatch(value);
  };
  EXPECT_TRUE(Found("a", "xa\xf4\x96\x96\x96"));
  EXPECT_TRUE(whole("[^]*(?:a)[^]*", "xa\xf4\x96\x96\x96"));
  EXPECT_TRUE(whole("[^]{4}", "\xf4\x96\x96\x96")) << "past U+10FFFF";
  EXPECT_TRUE(whole("[^]{3}", "\xed\xa0\x80")) << "a surrogate";
  EXPECT_TRUE(whole("[^]{2}", "\xc0\xaf")) << "an overlong '/'";
  EXPECT_FALSE(Matches("/", "\xc0\xaf")) << "an overlong form is not the character it spells";
  EXPECT_TRUE(Matches("[\\x{80}-\\x{ff}]{2}", "\xc0\xaf")) << "each byte is its own value";
  EXPECT_TRUE(Matches(".", "\xf0\x9f\x98\x80")) << "a well-formed sequence stays one code point";
}

TEST(LinearPatternTest, EcmaReadsItsOwnEscapesAndClasses) {
  EXPECT_TRUE(Found("^[]$", "") == false);          // [] matches nothing
  EXPECT_FALSE(Found("[]", "anything"));
  EXPECT_TRUE(Found("^[^]+$", "a\nb"));             // [^] matches anything, newlines too
  EXPECT_FALSE(Found("^.+$", "a\nb"));
  EXPECT_TRUE(Found("^.$", "\xc2\x85"));          // U+0085 is no line terminator in ECMA
  EXPECT_FALSE(Matches(".", "\xc2\x85"));         // but is in Java
  EXPECT_TRUE(Found(R"(^\s$)", "\xc2\xa0"));       // U+00A0 is ECMA white space
  EXPECT_FALSE(Matches(R"(\s)", "\xc2\xa0"));
  EXPECT_TRUE(Found(R"(^\v\cJ\0[\b]$)", std::string("\x0b\n\0\x08", 4)));
  EXPECT_TRUE(Found(R"(^a{,2}$)", "a{,2}"));          // no valid count: literal braces
  EXPECT_TRUE(Found(R"(^x{$)", "x{"));
  EXPECT_TRUE(Found(R"(^a{2}$)", "aa"));
  EXPECT_TRUE(Found(R"(^[[a]+$)", "[a["));            // '[' is literal in an ECMA class
  EXPECT_TRUE(Found(R"(^\/\x41\u00e9$)", "/A\xc3\xa9"));
  EXPECT_TRUE(Found(R"(^(?<year>\d{4})$)", "2026"));
}

TEST(LinearPatternTest, EcmaRefusesWhatItCannotMatchWithAReason) {
  constexpr auto kEcma = PatternSyntax::kEcma;
  EXPECT_NE(Refusal("(?=a)a", kEcma).find("look-around"), std::string::npos);
  EXPECT_NE(Refusal("(?<=a)b", kEcma).find("look-around"), std::string::npos);
  EXPECT_NE(Refusal(R"((a)\1)", kEcma).find("back-references"), std::string::npos);
  EXPECT_NE(Refusal(R"(\p{L})", kEcma).find("\\p"), std::string::npos);
  EXPECT_NE(Refusal(R"(\a)", kEcma).find("\\a"), std::string::npos);  // Java's bell, a letter in ECMA
  EXPECT_NE(Refusal(R"(\01)", kEcma).find("octal"), std::string::npos);
  EXPECT_NE(Refusal(R"(\u{41})", kEcma).find("Unicode escape"), std::string::npos);
  EXPECT_NE(Refusal(R"(\c1)", kEcma).find("\\c"), std::string::npos);
}

// The classic catastrophic cases for a backtracking matcher finish at once here: the
// work is bounded by pattern size times value size.
TEST(LinearPatternTest, NestedQuantifiersStayLinear) {
  const std::string value = std::string(20000, 'a') + "!";
  EXPECT_FALSE(Matches("(a+)+$", value));
  EXPECT_FALSE(Matches("(a|aa)*", value));
  EXPECT_FALSE(Matches("(a*)*b", value));
  EXPECT_TRUE(Matches("(a*)*!", value));
}

// A class repeated by a count is stored once, and a value of AWS's longest parameter
// length (4096) runs through the largest program allowed.
TEST(LinearPatternTest, RepeatedWideClassesStayCheap) {
  std::string wide = "[^";
  for (char c = 'a'; c <= 'z'; c += 2) wide += c;
  wide += "]";
  EXPECT_TRUE(Matches(wide + "{1,2400}", std::string(2400, 'b')));
  EXPECT_FALSE(Matches(wide + "{1,2400}", std::string(2401, 'b')));
  EXPECT_FALSE(Matches(wide + "{1,2400}", std::string(4096, 'b')));
  EXPECT_NE(Refusal(wide + "{5001}").find("5000 states"), std::string::npos);
}

}  // namespace
}  // namespace sluice
