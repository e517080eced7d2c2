#include "aws/json_text.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::aws {
namespace {

TEST(JsonText, EscapesQuotesBackslashesAndControls) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\nd\x01\xc3\xa9");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\xc3\xa9\"");
}

TEST(JsonText, FindsSpecialsAtEveryPositionOfLongStrings) {
  for (size_t len = 1; len < 40; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (const char special : {'"', '\\', '\n', '\x1f'}) {
        std::string in(len, 'x');
        in[at] = special;
        std::string out, expected = "\"";
        AppendJsonString(&out, in);
        for (const char c : in) {
          if (c == '"') expected += "\\\"";
          else if (c == '\\') expected += "\\\\";
          else if (c == '\n') expected += "\\n";
          else if (c == '\x1f') expected += "\\u001f";
          else expected.push_back(c);
        }
        expected += "\"";
        ASSERT_EQ(out, expected) << "length " << len << " at " << at;
      }
    }
  }
  std::string utf8;
  for (int i = 0; i < 10; ++i) utf8 += "\xc3\xa9\xe2\x82\xac";
  std::string out;
  AppendJsonString(&out, utf8);
  EXPECT_EQ(out, "\"" + utf8 + "\"") << "UTF-8 passes through";
}

}  // namespace
}  // namespace sluice::aws
