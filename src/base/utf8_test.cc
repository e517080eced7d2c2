#include "base/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(Utf8, AcceptsEveryWellFormedLengthAtItsBounds) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii \x7f"));
  EXPECT_TRUE(IsValidUtf8("\xc2\x80 \xdf\xbf"));                      // U+0080, U+07FF
  EXPECT_TRUE(IsValidUtf8("\xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80"));  // U+0800, U+D7FF, U+E000
  EXPECT_TRUE(IsValidUtf8("\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"));      // U+10000, U+10FFFF
  EXPECT_EQ(Utf8MultiByteLength("\xc3\xa9", 0), 2u);
  EXPECT_EQ(Utf8MultiByteLength("x\xe2\x82\xac", 1), 3u);
  EXPECT_EQ(Utf8MultiByteLength("\xf0\x9f\x98\x80", 0), 4u);
  EXPECT_EQ(Utf8MultiByteLength("a", 0), 0u) << "ASCII is not a multi-byte sequence";
}

TEST(Utf8, RefusesOverlongsSurrogatesAndBeyondU10FFFF) {
  for (const std::string bad : {"\x80", "\xbf", "\xc0\xaf", "\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf",
                                "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff",
                                "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xc3\x28", "\xe2\x28\xac"}) {
    EXPECT_FALSE(IsValidUtf8(bad)) << testing::PrintToString(bad);
    EXPECT_FALSE(IsValidUtf8("ok " + bad + " ok")) << testing::PrintToString(bad);
    EXPECT_EQ(Utf8MultiByteLength(bad, 0), 0u) << testing::PrintToString(bad);
  }
}

}  // namespace
}  // namespace sluice
