#include "delivery/timestamp_format.h"

#include <gtest/gtest.h>

#include <string>

#include "delivery/utc_time.h"

namespace sluice::delivery {
namespace {

constexpr int64_t kAug27 = 1535365805123;  // 2018-08-27T10:30:05.123Z

// ---- calendar ---------------------------------------------------------------

TEST(UtcTime, FieldsOfKnownInstants) {
  UtcTime t = ToUtc(kAug27);
  EXPECT_EQ(t.year, 2018);
  EXPECT_EQ(t.month, 8);
  EXPECT_EQ(t.day, 27);
  EXPECT_EQ(t.hour, 10);
  EXPECT_EQ(t.minute, 30);
  EXPECT_EQ(t.second, 5);
  EXPECT_EQ(t.millis, 123);
  UtcTime leap = ToUtc(1709251199999);  // 2024-02-29T23:59:59.999Z
  EXPECT_EQ(leap.month, 2);
  EXPECT_EQ(leap.day, 29);
  EXPECT_EQ(leap.millis, 999);
  UtcTime y2k = ToUtc(946684800000);
  EXPECT_EQ(y2k.year, 2000);
  EXPECT_EQ(y2k.month, 1);
  EXPECT_EQ(y2k.day, 1);
}

TEST(UtcTime, BeforeTheEpoch) {
  UtcTime t = ToUtc(-1);
  EXPECT_EQ(t.year, 1969);
  EXPECT_EQ(t.month, 12);
  EXPECT_EQ(t.day, 31);
  EXPECT_EQ(t.hour, 23);
  EXPECT_EQ(t.second, 59);
  EXPECT_EQ(t.millis, 999);
  UtcTime old = ToUtc(-2203891200000);  // 1900-03-01: 1900 is not a leap year
  EXPECT_EQ(old.year, 1900);
  EXPECT_EQ(old.month, 3);
  EXPECT_EQ(old.day, 1);
}

// ---- Java DateTimeFormatter patterns ---------------------------------------------

std::string Fmt(std::string_view pattern, int64_t ms = kAug27) {
  auto r = FormatTimestamp(pattern, ToUtc(ms), "Prefix");
  EXPECT_TRUE(r.ok()) << pattern << ": " << r.status().ToString();
  return r.ok() ? *r : "";
}

TEST(TimestampPattern, TheLettersFirehoseUsersWrite) {
  EXPECT_EQ(Fmt("yyyy/MM/dd/HH/"), "2018/08/27/10/");
  EXPECT_EQ(Fmt("yyyy-MM-dd HH:mm:ss.SSS"), "2018-08-27 10:30:05.123");
  EXPECT_EQ(Fmt("yy"), "18");
  EXPECT_EQ(Fmt("uuuu"), "2018");
  EXPECT_EQ(Fmt("y"), "2018");
  EXPECT_EQ(Fmt("M/d/H/m/s"), "8/27/10/30/5");
  EXPECT_EQ(Fmt("MMM MMMM MMMMM"), "Aug August A");
  EXPECT_EQ(Fmt("S SS SSSS"), "1 12 1230");
}

TEST(TimestampPattern, QuotedText) {
  EXPECT_EQ(Fmt("'year='yyyy'/month='MM"), "year=2018/month=08");
  EXPECT_EQ(Fmt("yyyy'-'MM'-'dd"), "2018-08-27");
  EXPECT_EQ(Fmt("''yyyy''"), "'2018'");
  EXPECT_EQ(Fmt("'it''s' HH"), "it's 10");
  EXPECT_EQ(Fmt("'HH mm'"), "HH mm");
}

TEST(TimestampPattern, PadsAndTruncatesAroundTheYear) {
  EXPECT_EQ(Fmt("yy", 946684800000), "00");
  EXPECT_EQ(Fmt("yyyyy"), "02018");
  EXPECT_EQ(Fmt("HH:mm", 946684800000), "00:00");
}

TEST(TimestampPattern, RefusesWhatIsNotAJavaPatternLetter) {
  for (std::string_view p : {"yyyy-bb", "ii", "T", "yyyy/MM/dd'T'HH f"}) {
    auto r = FormatTimestamp(p, ToUtc(kAug27), "ErrorOutputPrefix");
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().message(),
              "Invalid conversion character used in the value of the expression in "
              "ErrorOutputPrefix")
        << p;
  }
}

TEST(TimestampPattern, RefusesJavaLettersSluiceDoesNotImplementByName) {
  auto r = FormatTimestamp("yyyy EEE", ToUtc(kAug27), "Prefix");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "unsupported timestamp pattern 'EEE': not implemented (sluice supports y u M d H m s "
            "S and quoted text)");
  auto dd = FormatTimestamp("ddd", ToUtc(kAug27), "Prefix");
  ASSERT_FALSE(dd.ok());
  EXPECT_EQ(dd.status().message(),
            "unsupported timestamp pattern 'ddd': too many pattern letters (sluice supports y u M "
            "d H m s S and quoted text)");
  auto quote = FormatTimestamp("yyyy'abc", ToUtc(kAug27), "Prefix");
  ASSERT_FALSE(quote.ok());
  EXPECT_EQ(quote.status().message(), "unclosed quote in timestamp pattern 'yyyy'abc'");
  auto optional = FormatTimestamp("yyyy[MM]", ToUtc(kAug27), "Prefix");
  ASSERT_FALSE(optional.ok());
  EXPECT_EQ(optional.status().message(),
            "unsupported timestamp pattern character '[' (optional sections and reserved "
            "characters)");
}

}  // namespace
}  // namespace sluice::delivery
