#include "aws/crypto.h"

#include <gtest/gtest.h>

#include "aws/json_text.h"

namespace sluice::aws {
namespace {

TEST(Crypto, Sha256OfKnownInputs) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacSha256MatchesRfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Md5OfKnownInput) { EXPECT_EQ(HexEncode(Md5("abc")), "900150983cd24fb0d6963f7d28e17f72"); }

TEST(Crypto, Md5StreamMatchesOneShotForAnySplit) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 7);
  for (size_t cut : {size_t{0}, size_t{1}, size_t{63}, size_t{64}, size_t{65}, size_t{999}, size_t{1000}}) {
    Md5Stream s;
    s.Update(std::string_view(data).substr(0, cut));
    s.Update(std::string_view(data).substr(cut));
    EXPECT_EQ(s.Finish(), Md5(data)) << cut;
  }
  Md5Stream s;
  EXPECT_EQ(HexEncode(s.Finish()), "d41d8cd98f00b204e9800998ecf8427e");  // empty input
  s.Update("abc");  // starts over after Finish
  EXPECT_EQ(HexEncode(s.Finish()), "900150983cd24fb0d6963f7d28e17f72");
}

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
