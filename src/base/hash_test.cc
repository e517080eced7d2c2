#include "base/hash.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sluice {
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

TEST(Crypto, OneShotDigestsReuseTheirThreadsContextWithoutCarryingStateOver) {
  // Alternating algorithms and lengths on one thread's context, and on several threads:
  // each answer is its input's alone.
  const auto check = [] {
    for (int i = 0; i < 50; ++i) {
      EXPECT_EQ(HexEncode(Md5("abc")), "900150983cd24fb0d6963f7d28e17f72");
      EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      EXPECT_EQ(HexEncode(Md5("")), "d41d8cd98f00b204e9800998ecf8427e");
      EXPECT_EQ(HexEncode(Md5(std::string(1000, 'a'))), "cabe45dcc9ae5b66ba86600cca6b8ba8");
      EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
  };
  check();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(check);
  for (std::thread& t : threads) t.join();
}

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

}  // namespace
}  // namespace sluice
