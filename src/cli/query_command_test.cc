#include "cli/query_command.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

const QueryRows kRows = {{"T1", "7"}, {std::nullopt, "12345"}, {"naïve \"q\"", "0"}};

TEST(QueryFormat, TableIsAlignedWithNullShown) {
  EXPECT_EQ(FormatRows({"trip_id", "n"}, kRows, QueryFormat::kTable),
            "trip_id   | n\n"
            "----------+------\n"
            "T1        | 7\n"
            "NULL      | 12345\n"
            "naïve \"q\" | 0\n");
}

TEST(QueryFormat, CsvHasAHeaderAndQuotesEveryValue) {
  EXPECT_EQ(FormatRows({"trip_id", "n"}, kRows, QueryFormat::kCsv),
            "\"trip_id\",\"n\"\n\"T1\",\"7\"\n,\"12345\"\n\"naïve \"\"q\"\"\",\"0\"\n");
}

TEST(QueryFormat, JsonIsAnArrayOfObjects) {
  EXPECT_EQ(FormatRows({"a"}, {{"x"}, {std::nullopt}}, QueryFormat::kJson),
            "[\n  {\n    \"a\": \"x\"\n  },\n  {\n    \"a\": null\n  }\n]\n");
}

TEST(QueryErrors, PositionIsShownUnderTheStatement) {
  EXPECT_EQ(PointAtPosition("SELECT *\nFROM nope", "line 2:6: Table 'awsdatacatalog.default.nope' does not exist"),
            "  FROM nope\n       ^\n");
  EXPECT_EQ(PointAtPosition("SELECT 1", "no position here"), "");
  EXPECT_EQ(PointAtPosition("SELECT 1", "line 9:1: beyond"), "");
}

}  // namespace
}  // namespace sluice::cli
