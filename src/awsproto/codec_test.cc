#include "awsproto/codec.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <string_view>

#include <gtest/gtest.h>

namespace sluice::awsproto {
namespace {

std::string Hex(std::string_view s) {
  static const char* k = "0123456789abcdef";
  std::string out;
  for (const char c : s) {
    out.push_back(k[static_cast<unsigned char>(c) >> 4]);
    out.push_back(k[static_cast<unsigned char>(c) & 15]);
  }
  return out;
}

// Hex digits to bytes; spaces between bytes are for reading and are skipped.
std::string Unhex(std::string_view h) {
  std::string digits;
  for (const char c : h) {
    if (c != ' ') digits.push_back(c);
  }
  std::string out;
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

const Value& Item(const Value& array, size_t index) {
  for (const Value& v : array.items()) {
    if (index-- == 0) return v;
  }
  static const Value kNone{};
  return kNone;
}

TEST(JsonBody, ParsesEveryKindAndKeepsMemberOrder) {
  auto p = ParseJsonBody(R"({"S":"a\"b","I":-3,"D":1.5,"B":true,"N":null,"A":[1,"x"],"M":{"k":"v"}})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Value& r = (*p)->root();
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ((*r.members().begin()).key, "S");
  EXPECT_EQ(r.Get("S")->s(), "a\"b");
  EXPECT_EQ(r.Get("I")->i, -3);
  EXPECT_EQ(r.Get("D")->d, 1.5);
  EXPECT_TRUE(r.Get("B")->b);
  EXPECT_EQ(r.Get("N"), nullptr) << "null members read as absent";
  EXPECT_EQ(Item(*r.Get("A"), 1).s(), "x");
  EXPECT_EQ(r.Get("M")->Get("k")->s(), "v");
}

// Found by fuzz/cbor_codec after the flat tree landed: a body short enough to live
// inside its std::string (no heap buffer) was moved into the ParsedBody with its bytes
// copied, so every view in the tree pointed at the parser's dead stack frame. The views
// must point into the body the ParsedBody owns (ASan, scripts/sanitize, also reports
// the stale read).
bool Within(std::string_view part, std::string_view whole) {
  return std::less_equal<>()(whole.data(), part.data()) &&
         std::less_equal<>()(part.data() + part.size(), whole.data() + whole.size());
}

TEST(JsonBody, ShortBodiesKeepTheirViewsValid) {
  for (const char* text : {R"({"A":"b"})", "{}", R"(["x"])"}) {
    auto p = ParseJsonBody(text);
    ASSERT_TRUE(p.ok()) << text;
    const Value& r = (*p)->root();
    if (const Value* a = r.Get("A")) {
      EXPECT_EQ(a->s(), "b");
      EXPECT_TRUE(Within(a->s(), (*p)->body())) << text;
    }
  }
  std::string cbor = "\xa1\x61K\x61v";  // {"K": "v"}
  auto c = ParseCborBody(cbor);
  ASSERT_TRUE(c.ok());
  ASSERT_NE((*c)->root().Get("K"), nullptr);
  EXPECT_EQ((*c)->root().Get("K")->s(), "v");
  EXPECT_TRUE(Within((*c)->root().Get("K")->s(), (*c)->body()));
}

TEST(JsonBody, MalformedIsInvalidArgument) {
  EXPECT_FALSE(ParseJsonBody("{").ok());
  EXPECT_FALSE(ParseJsonBody("{\"a\":}").ok());
  EXPECT_FALSE(ParseJsonBody("").ok());
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_FALSE(ParseJsonBody(deep).ok());
}

TEST(CborBody, DecodesTheShapesAwsSdksSend) {
  // {"StreamName":"s","Data":h'0102',"Timestamp":1(1787036486712),"N":-2,"F":1.5,"T":true}
  std::string b = Unhex("a6") + Unhex("6a") + "StreamName" + Unhex("61") + "s" + Unhex("64") + "Data" +
                  Unhex("420102") + Unhex("69") + "Timestamp" + Unhex("c11b000001a013accc38") +
                  Unhex("61") + "N" + Unhex("21") + Unhex("61") + "F" + Unhex("f93e00") + Unhex("61") + "T" +
                  Unhex("f5");
  auto p = ParseCborBody(b);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Value& r = (*p)->root();
  EXPECT_EQ(r.Get("StreamName")->s(), "s");
  EXPECT_EQ(r.Get("Data")->kind, Value::Kind::kBytes);
  EXPECT_EQ(r.Get("Data")->s(), std::string("\x01\x02", 2));
  EXPECT_EQ(r.Get("Timestamp")->kind, Value::Kind::kTimestampMs);
  EXPECT_EQ(r.Get("Timestamp")->i, 1787036486712);
  EXPECT_EQ(r.Get("N")->i, -2);
  EXPECT_EQ(r.Get("F")->d, 1.5);
  EXPECT_TRUE(r.Get("T")->b);
}

TEST(CborBody, DecodesIndefiniteLengthContainersAndStrings) {
  // {_ "a": [_ 1, 2], "b": (_ "x", "yz")}
  const std::string b = Unhex("bf6161") + Unhex("9f0102ff") + Unhex("6162") + Unhex("7f6178627a79ff") + Unhex("ff");
  auto p = ParseCborBody(b);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->root().Get("a")->size(), 2u);
  EXPECT_EQ((*p)->root().Get("b")->s(), "xzy");
}

TEST(JsonBody, UnescapesInPlaceAndChecksUtf8) {
  auto p = ParseJsonBody(R"({"a":"x\u00e9\ud83d\ude00\n\/y","b":"été"})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->root().Get("a")->s(), "x\xc3\xa9\xf0\x9f\x98\x80\n/y");
  EXPECT_EQ((*p)->root().Get("b")->s(), "\xc3\xa9t\xc3\xa9");
  EXPECT_FALSE(ParseJsonBody("[\"\xc3\"]").ok()) << "truncated UTF-8";
  EXPECT_FALSE(ParseJsonBody("[\"\xed\xa0\x80\"]").ok()) << "UTF-8 surrogate";
  EXPECT_FALSE(ParseJsonBody("[\"\xc0\xaf\"]").ok()) << "overlong";
  EXPECT_FALSE(ParseJsonBody(R"(["\ud800"])").ok()) << "lone high surrogate";
  EXPECT_FALSE(ParseJsonBody(R"(["\udc00"])").ok()) << "lone low surrogate";
  EXPECT_FALSE(ParseJsonBody("[\"a\tb\"]").ok()) << "raw control character";
  EXPECT_FALSE(ParseJsonBody(R"(["\x"])").ok());
}

TEST(JsonBody, NumbersFollowTheGrammarAndBigOnesStayNumbers) {
  auto p = ParseJsonBody(R"([0,-7,9223372036854775807,9223372036854775808,1e999,-2.5e-3,1E2])");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Value& a = (*p)->root();
  EXPECT_EQ(Item(a, 1).i, -7);
  EXPECT_EQ(Item(a, 2).i, INT64_MAX);
  EXPECT_EQ(Item(a, 3).kind, Value::Kind::kDouble);
  EXPECT_EQ(Item(a, 4).d, INFINITY) << "overflow is infinite, for the schema check to refuse";
  EXPECT_EQ(Item(a, 5).d, -2.5e-3);
  EXPECT_EQ(Item(a, 6).d, 100.0);
  for (const char* bad : {"[01]", "[1.]", "[.5]", "[+1]", "[1e]", "[-]", "[NaN]", "[Infinity]", "[0x1]"}) {
    EXPECT_FALSE(ParseJsonBody(bad).ok()) << bad;
  }
}

TEST(CborBody, IndefiniteLengthOnAnIntegerOrTagIsMalformed) {
  // Additional information 31 means "indefinite length": only strings, arrays and maps
  // have one.
  EXPECT_TRUE(ParseCborBody(Unhex("a1616100")).ok()) << "control: {a: 0} parses";
  EXPECT_FALSE(ParseCborBody(Unhex("a161611f")).ok()) << "major 0, info 31";
  EXPECT_FALSE(ParseCborBody(Unhex("a161613f")).ok()) << "major 1, info 31";
  EXPECT_FALSE(ParseCborBody(Unhex("a16161df00")).ok()) << "major 6, info 31";
  EXPECT_FALSE(ParseCborBody(Unhex("a16161ff")).ok()) << "a break outside a container";
}

TEST(CborBody, NonFiniteTimeStaysADoubleAndHugeTimesSaturate) {
  // {"T": 1(NaN), "U": 1(1e300), "V": 1(-1e300)}
  const std::string b = Unhex("a36154c1f97e00") + Unhex("6155c1fb7e37e43c8800759c") + Unhex("6156c1fbfe37e43c8800759c");
  auto p = ParseCborBody(b);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->root().Get("T")->kind, Value::Kind::kDouble);
  EXPECT_TRUE(std::isnan((*p)->root().Get("T")->d));
  EXPECT_EQ((*p)->root().Get("U")->kind, Value::Kind::kTimestampMs);
  EXPECT_EQ((*p)->root().Get("U")->i, INT64_MAX);
  EXPECT_EQ((*p)->root().Get("V")->i, INT64_MIN);
}

TEST(CborBody, RejectsTruncationTrailingBytesAndLies) {
  EXPECT_FALSE(ParseCborBody(Unhex("a1")).ok());
  EXPECT_FALSE(ParseCborBody(Unhex("a0a0")).ok());
  EXPECT_FALSE(ParseCborBody(Unhex("5a ffffffff")).ok());
  EXPECT_FALSE(ParseCborBody(Unhex("9b00000000ffffffff")).ok()) << "array count beyond the body";
  EXPECT_FALSE(ParseCborBody(Unhex("a10102")).ok()) << "non-text map key";
}

TEST(CborBody, TextThatIsNotUtf8IsMalformed) {
  // Byte strings may hold anything; text strings (map keys too) must be UTF-8, as in JSON,
  // so that what a CBOR client sends can be answered to a JSON client.
  EXPECT_TRUE(ParseCborBody(Unhex("a1 61 6b 42 ff fe")).ok()) << "bytes";
  EXPECT_TRUE(ParseCborBody(Unhex("a1 61 6b 62 c3 a9")).ok()) << "e-acute";
  for (const char* bad : {"a1 61 6b 61 ff",          // a byte that never starts a sequence
                          "a1 61 6b 61 c3",          // a truncated sequence
                          "a1 61 6b 63 ed a0 80",    // a surrogate
                          "a1 61 6b 62 c0 af",       // an overlong '/'
                          "a1 61 ff 61 76",          // in a map key
                          "a1 61 6b 7f 61 c3 ff"}) {  // in an indefinite-length string
    auto r = ParseCborBody(Unhex(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), "malformed CBOR: text string is not UTF-8") << bad;
  }
}

TEST(BodyWriter, WritesCompactJsonWithEscapes) {
  BodyWriter w(BodyEncoding::kJson);
  w.BeginMap().Key("a").String("x\"\n\x01").Key("b").BeginArray().Int(1).Int(-2).End()
      .Key("c").Bytes("foo").Key("d").Bool(false).Key("t").TimestampMs(1700000000123)
      .Key("u").TimestampMs(1700000000000).Key("e").BeginMap().End().End();
  EXPECT_EQ(w.Take(), R"({"a":"x\"\n\u0001","b":[1,-2],"c":"Zm9v","d":false,"t":1700000000.123,"u":1700000000,"e":{}})");
}

TEST(BodyWriter, TimestampsBefore1970AreJsonNumbers) {
  // Found by fuzz/json_codec: -100 ms was written as "0.-100", which is not JSON.
  BodyWriter w(BodyEncoding::kJson);
  w.BeginArray().TimestampMs(-100).TimestampMs(-1500).TimestampMs(-2000).TimestampMs(INT64_MIN).End();
  const std::string json = w.Take();
  EXPECT_EQ(json, "[-0.100,-1.500,-2,-9223372036854775.808]");
  EXPECT_TRUE(ParseJsonBody(json).ok());
}

TEST(BodyWriter, PlainStringsNeedNoEscapingAndMatchString) {
  BodyWriter a(BodyEncoding::kJson), b(BodyEncoding::kJson);
  a.BeginArray().PlainString("4900123").PlainString("shardId-000000000001").End();
  b.BeginArray().String("4900123").String("shardId-000000000001").End();
  EXPECT_EQ(a.Take(), b.Take());
}

TEST(BodyWriter, CborRoundTripsThroughTheDecoder) {
  BodyWriter w(BodyEncoding::kCbor);
  w.BeginMap().Key("Data").Bytes(std::string("\0\xff", 2)).Key("T").TimestampMs(1787036486712)
      .Key("L").BeginArray().Int(-1).Int(1000000).String("s").End().End();
  const std::string enc = w.Take();
  EXPECT_EQ(Hex(enc.substr(0, 1)), "bf") << "indefinite-length map, as AWS sends";
  auto p = ParseCborBody(enc);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Value& r = (*p)->root();
  EXPECT_EQ(r.Get("Data")->s(), std::string("\0\xff", 2));
  EXPECT_EQ(r.Get("T")->kind, Value::Kind::kTimestampMs);
  EXPECT_EQ(r.Get("T")->i, 1787036486712);
  EXPECT_EQ(Item(*r.Get("L"), 0).i, -1);
  EXPECT_EQ(Item(*r.Get("L"), 1).i, 1000000);
}

}  // namespace
}  // namespace sluice::awsproto
