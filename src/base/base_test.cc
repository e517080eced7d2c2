#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "base/crc32c.h"
#include "base/file_slice.h"
#include "base/named_type.h"
#include "base/status.h"

namespace sluice {
namespace {

TEST(FileSlice, ReadsOnlyItsRangeAndClosesTheDescriptor) {
  std::string path = ::testing::TempDir() + "sluice-file-slice-XXXXXX";
  const int fd = ::mkstemp(path.data());
  ASSERT_GE(fd, 0);
  ::unlink(path.c_str());
  ASSERT_EQ(::write(fd, "0123456789", 10), 10);
  {
    const FileSlice slice(fd, 3, 4);  // "3456"
    char buf[16] = {};
    EXPECT_EQ(slice.ReadAt(0, buf, sizeof buf), 4);
    EXPECT_EQ(std::string(buf, 4), "3456");
    EXPECT_EQ(slice.ReadAt(2, buf, 1), 1);
    EXPECT_EQ(buf[0], '5');
    EXPECT_EQ(slice.ReadAt(4, buf, sizeof buf), 0);
  }
  EXPECT_EQ(::fcntl(fd, F_GETFD), -1);  // closed with the slice
}

TEST(Crc32c, MatchesStandardCheckValue) {
  EXPECT_EQ(crc32c::Value("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c::Value(""), 0u);
}

TEST(Crc32c, MatchesRfc3720Vectors) {
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c::Value(zeros), 0x8A9136AAu);
  std::string ones(32, '\xFF');
  EXPECT_EQ(crc32c::Value(ones), 0x62A8AB43u);
  std::string inc(32, '\0');
  for (int i = 0; i < 32; ++i) inc[i] = static_cast<char>(i);
  EXPECT_EQ(crc32c::Value(inc), 0x46DD794Eu);
}

TEST(Crc32c, ExtendEqualsWholeValueAtEverySplit) {
  std::string s;
  for (int i = 0; i < 1000; ++i) s.push_back(static_cast<char>(i * 7 + 3));
  const uint32_t whole = crc32c::Value(s);
  for (size_t cut = 0; cut <= s.size(); cut += 37) {
    uint32_t c = crc32c::Extend(0, s.data(), cut);
    c = crc32c::Extend(c, s.data() + cut, s.size() - cut);
    EXPECT_EQ(c, whole) << "cut at " << cut;
  }
}

TEST(Crc32c, LongInputsMatchByteAtATimeComputation) {
  std::string s;
  uint32_t x = 7;
  for (int i = 0; i < 200'000; ++i) {
    x = x * 1664525u + 1013904223u;
    s.push_back(static_cast<char>(x >> 24));
  }
  for (const size_t len : {12288u, 12289u, 24576u, 40000u, 200000u}) {
    // Seven-byte pieces never reach the three-lane path; the whole input does.
    uint32_t pieces = 0;
    for (size_t i = 0; i < len; i += 7) pieces = crc32c::Extend(pieces, s.data() + i, std::min<size_t>(7, len - i));
    EXPECT_EQ(crc32c::Value(s.data(), len), pieces) << len;
  }
  // And from a non-zero starting value.
  const uint32_t head = crc32c::Value(s.data(), 100);
  EXPECT_EQ(crc32c::Extend(head, s.data() + 100, 150000), crc32c::Value(s.data(), 150100));
}

TEST(Status, CarriesCodeAndMessage) {
  Status s = Status::Corruption("bad crc in 00000000000000000000.log at 4096");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.ToString(), "Corruption: bad crc in 00000000000000000000.log at 4096");
  EXPECT_EQ(s.WithContext("open log").message(),
            "open log: bad crc in 00000000000000000000.log at 4096");
  EXPECT_TRUE(Status::OK().ok());
  EXPECT_EQ(Status::FromErrno("open", "/x", 2).message(), "open /x: No such file or directory");
}

TEST(Status, KeepsTheErrnoThroughContextSoNobodyMatchesMessages) {
  const Status s = Status::FromErrno("open", "/x", ENOENT).WithContext("catalog");
  EXPECT_EQ(s.sys_errno(), ENOENT);
  EXPECT_EQ(Status::IOError("no errno").sys_errno(), 0);
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(Result, PropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), StatusCode::kInvalidArgument);
  Result<int> from_ok_status = Status::OK();
  EXPECT_EQ(from_ok_status.status().code(), StatusCode::kInternal);
}

enum class Fruit { kApple, kPear };
using FruitError = Error<Fruit>;

Expected<int, FruitError> Peel(int x) {
  if (x < 0) return FruitError{Fruit::kPear, "negative", EDOM};
  return x + 1;
}

Expected<Done, FruitError> PeelTwice(int x, int* out) {
  ASSIGN_OR_RETURN(const int once, Peel(x));
  ASSIGN_OR_RETURN(*out, Peel(once));
  RETURN_IF_ERROR(Peel(*out));
  return Done{};
}

TEST(Expected, MacrosPropagateTypedErrorsWithTheirErrno) {
  int out = 0;
  EXPECT_TRUE(PeelTwice(1, &out).ok());
  EXPECT_EQ(out, 3);
  const auto bad = PeelTwice(-5, &out);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Fruit::kPear);
  EXPECT_EQ(bad.error().message, "negative");
  EXPECT_EQ(bad.error().sys_errno, EDOM);
}

TEST(ResultDeathTest, ValueOfAnErrorAbortsNamingTheStatus) {
  const Result<int> r = Status::NotFound("no stream x");
  EXPECT_DEATH((void)r.value(), "Result::value\\(\\) called on NotFound: no stream x");
}

TEST(ExpectedDeathTest, ValueOfAnErrorAndErrorOfAValueAbort) {
  const Expected<int, FruitError> e = FruitError{Fruit::kApple, "x"};
  EXPECT_DEATH((void)e.value(), "Expected::value\\(\\) called on an error");
  const Expected<int, FruitError> v = 3;
  EXPECT_DEATH((void)v.error(), "Expected::error\\(\\) called on a value");
}

TEST(NamedType, ComparesByValueOnly) {
  using Offset = NamedType<uint64_t, struct OffsetTag>;
  EXPECT_LT(Offset(1), Offset(2));
  EXPECT_EQ(Offset(7), Offset(7));
  EXPECT_EQ(std::hash<Offset>{}(Offset(7)), std::hash<uint64_t>{}(7));
}

}  // namespace
}  // namespace sluice

#include "base/base64.h"

namespace sluice {
namespace {

TEST(Base64, RoundTripsEveryLengthAndByte) {
  std::string s;
  for (int i = 0; i < 300; ++i) {
    const std::string enc = Base64Encode(s);
    EXPECT_EQ(enc.size() % 4, 0u);
    EXPECT_EQ(Base64DecodedSize(enc), s.size());
    const auto dec = Base64Decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, s);
    s.push_back(static_cast<char>(i * 37 + 11));
  }
}

TEST(Base64, EncodeAppendKeepsWhatTheBufferHeld) {
  std::string out = "{\"Data\":\"";
  Base64EncodeAppend("foob", out);
  Base64EncodeAppend("", out);
  Base64EncodeAppend("fo", out);
  EXPECT_EQ(out, "{\"Data\":\"Zm9vYg==Zm8=");
}

TEST(Base64, VectorEncoderMatchesThePortableOneAtEveryLengthAndOffset) {
  std::string data;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245u + 12345u;
    data.push_back(static_cast<char>(x >> 24));
  }
  for (size_t off = 0; off < 5; ++off) {
    for (size_t len = 0; len + off <= 700; ++len) {
      const std::string_view in(data.data() + off, len);
      std::string fast = "prefix", portable = "prefix";
      Base64EncodeAppend(in, fast);
      Base64EncodeAppendPortable(in, portable);
      ASSERT_EQ(fast, portable) << "offset " << off << " length " << len;
    }
  }
  const std::string big = data + data + data;
  EXPECT_EQ(Base64Decode(Base64Encode(big)), big);
}

TEST(Base64, MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, AcceptsMissingPaddingButRejectsGarbage) {
  EXPECT_EQ(Base64Decode("Zm9vYg"), "foob");
  EXPECT_EQ(Base64Decode("Zm8"), "fo");
  EXPECT_FALSE(Base64Decode("Z"));
  EXPECT_FALSE(Base64Decode("Zm9v!"));
  EXPECT_FALSE(Base64Decode("Zm9v YmFy"));
  EXPECT_FALSE(Base64Decode("Zg=a"));
  EXPECT_FALSE(Base64Decode("Zg==="));
  EXPECT_FALSE(Base64Decode("Zh=="));  // non-zero trailing bits
  EXPECT_FALSE(Base64Decode("Zm9=Zm9v"));
}

TEST(Base64, RejectsEveryByteOutsideTheAlphabetAtEveryPlaceOfAQuantum) {
  // The decoder looks each place up in its own table: each must refuse what is not base64.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int c = 0; c < 256; ++c) {
    const bool valid = alphabet.find(static_cast<char>(c)) != std::string::npos;
    for (size_t place = 0; place < 4; ++place) {
      std::string text = "Zm9vYmFy";  // two whole quanta, so the main loop sees both
      text[place] = static_cast<char>(c);
      EXPECT_EQ(Base64Decode(text).has_value(), valid) << c << " at " << place;
    }
  }
  EXPECT_EQ(Base64Decode("/+9vYmFy"), std::string("\xff\xef\x6f") + "bar");
}

}  // namespace
}  // namespace sluice

#include <pthread.h>

#include <array>
#include <atomic>

#include "base/work_pool.h"

namespace sluice {
namespace {

TEST(WorkPool, RunsEveryPostedJobBeforeItsDestructorReturns) {
  std::atomic<int> ran{0};
  {
    WorkPool pool(3);
    for (int i = 0; i < 1000; ++i) pool.Post([&ran] { ran.fetch_add(1); });
  }
  EXPECT_EQ(ran.load(), 1000);
}

TEST(WorkPool, OneThreadRunsJobsInPostingOrder) {
  std::vector<int> order;
  {
    WorkPool pool(1);
    for (int i = 0; i < 100; ++i) pool.Post([&order, i] { order.push_back(i); });
  }
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], i);
}

// The calling thread's name, as top and perf read it.
std::string ThreadName() {
  std::array<char, 16> buf{};
  EXPECT_EQ(pthread_getname_np(pthread_self(), buf.data(), buf.size()), 0);
  return buf.data();
}

TEST(WorkPool, ItsThreadsCarryItsNameCutToLinuxsFifteenBytes) {
  std::string short_name, long_name;
  {
    WorkPool pool(1, "s3");
    pool.Post([&short_name] { short_name = ThreadName(); });
  }
  {
    WorkPool pool(1, "a-name-longer-than-fifteen-bytes");
    pool.Post([&long_name] { long_name = ThreadName(); });
  }
  EXPECT_EQ(short_name, "s3");
  EXPECT_EQ(long_name, "a-name-longer-t");
}

}  // namespace
}  // namespace sluice
