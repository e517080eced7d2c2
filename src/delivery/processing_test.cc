#include "delivery/processing.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::delivery {
namespace {

TEST(AppendDelimiterToRecord, EndsEachRecordWithANewline) {
  std::string out;
  AppendDelimiterToRecord(out, "{\"a\":1}");
  AppendDelimiterToRecord(out, "");
  AppendDelimiterToRecord(out, "x\n");
  EXPECT_EQ(out, "{\"a\":1}\n\nx\n\n");
}

std::string Joined(const std::vector<std::string_view>& pieces) {
  std::string s;
  for (std::string_view p : pieces) s += p;
  return s;
}

TEST(DelimitRecords, DelimiterBetweenRecordsNotAfterTheLast) {
  std::vector<std::string_view> records = {"a", "b", "c"};
  EXPECT_EQ(Joined(DelimitRecords(records)), "a\nb\nc");
  EXPECT_EQ(DelimitRecords(records).size(), 5u);
  std::vector<std::string_view> one = {"{\"k\":1}"};
  EXPECT_EQ(Joined(DelimitRecords(one)), "{\"k\":1}");
  EXPECT_TRUE(DelimitRecords({}).empty());
}

TEST(DelimitRecords, EmptyRecordsKeepTheirDelimiters) {
  std::vector<std::string_view> records = {"", "a", "", ""};
  EXPECT_EQ(Joined(DelimitRecords(records)), "\na\n\n");
}

TEST(DelimitRecords, ViewsPointIntoTheRecords) {
  const std::string r1 = "first", r2 = "second";
  std::vector<std::string_view> records = {r1, r2};
  auto pieces = DelimitRecords(records);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0].data(), r1.data());
  EXPECT_EQ(pieces[2].data(), r2.data());
}

}  // namespace
}  // namespace sluice::delivery
