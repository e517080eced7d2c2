#include "base/logfmt.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(Logfmt, SafeValuesStayBare) {
  EXPECT_EQ(LogfmtValue("info"), "info");
  EXPECT_EQ(LogfmtValue("http://127.0.0.1:4566"), "http://127.0.0.1:4566");
  EXPECT_EQ(LogfmtValue("./sluice-data/x_y-z.1"), "./sluice-data/x_y-z.1");
  EXPECT_EQ(LogfmtValue("Zürich"), "Zürich");  // UTF-8 passes through
}

TEST(Logfmt, EmptyValueIsTwoQuotes) { EXPECT_EQ(LogfmtValue(""), "\"\""); }

TEST(Logfmt, SpaceQuoteEqualsAndBackslashAreQuotedAndEscaped) {
  EXPECT_EQ(LogfmtValue("a\"b c"), R"("a\"b c")");
  EXPECT_EQ(LogfmtValue("a b"), R"("a b")");
  EXPECT_EQ(LogfmtValue("k=v"), R"("k=v")");
  EXPECT_EQ(LogfmtValue(R"(C:\dir)"), R"("C:\\dir")");
}

TEST(Logfmt, ControlCharactersAreEscaped) {
  EXPECT_EQ(LogfmtValue("line1\nline2"), R"("line1\nline2")");
  EXPECT_EQ(LogfmtValue("a\rb\tc"), R"("a\rb\tc")");
  EXPECT_EQ(LogfmtValue(std::string_view("a\0b\x1b\x7f", 5)), R"("a\u0000b\u001b\u007f")");
}

TEST(Logfmt, AForgedFieldStaysInsideItsValue) {
  std::string line;
  AppendLogfmt(line, "msg", "listening");
  AppendLogfmt(line, "data_dir", "x\" level=error y=\"");
  EXPECT_EQ(line, R"(msg=listening data_dir="x\" level=error y=\"")");
}

}  // namespace
}  // namespace sluice
