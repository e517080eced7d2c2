#include "internal/ddl.h"

#include <gtest/gtest.h>

namespace sluice::query {
namespace {

// The reference's DDL, verbatim.
constexpr std::string_view kReferenceTable = R"sql(CREATE EXTERNAL TABLE IF NOT EXISTS events.taxi_trajectories (
  TRIP_ID string,
  CALL_TYPE string,
  ORIGIN_CALL string,
  ORIGIN_STAND string,
  TAXI_ID int,
  TIMESTAMP int,
  DAY_TYPE string,
  MISSING_DATA string,
  POLYLINE string,
  EVENT_ID string
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS TEXTFILE
LOCATION 's3://streaming-pipeline-dev-output/context=firehose_delivery/';)sql";

TEST(Ddl, ReferenceTableParses) {
  auto st = ParseStatement(kReferenceTable);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  const auto& c = std::get<CreateTable>(*st);
  EXPECT_TRUE(c.if_not_exists);
  EXPECT_EQ(c.table.database, "events");
  EXPECT_EQ(c.table.name, "taxi_trajectories");
  ASSERT_EQ(c.row.columns.size(), 10u);
  EXPECT_EQ(c.row.columns[0].name, "trip_id");
  EXPECT_EQ(c.row.columns[5].name, "timestamp");
  EXPECT_EQ(c.row.columns[5].type, "int");
  EXPECT_EQ(c.row.location, "s3://streaming-pipeline-dev-output/context=firehose_delivery/");
  EXPECT_EQ(c.row.serde, "org.openx.data.jsonserde.JsonSerDe");
}

TEST(Ddl, EveryTypePartitionsAndProperties) {
  auto st = ParseStatement(
      "create external table t (a string, b varchar(10), c char(3), d int, e bigint, f smallint, g tinyint, "
      "h double, i float, j decimal(10,2), k boolean, l date, m timestamp, n array<struct<x:int,y:string>>, "
      "o map<string,array<double>>, `p` struct<q:int>) PARTITIONED BY (dt string, hr int) "
      "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' WITH SERDEPROPERTIES ('ignore.malformed.json'='true', "
      "'mapping.a'='A_Key') STORED AS TEXTFILE LOCATION 's3://b/p' TBLPROPERTIES ('classification'='json')");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  const auto& c = std::get<CreateTable>(*st);
  ASSERT_EQ(c.row.columns.size(), 16u);
  EXPECT_EQ(c.row.columns[1].type, "varchar(10)");
  EXPECT_EQ(c.row.columns[9].type, "decimal(10,2)");
  EXPECT_EQ(c.row.columns[13].type, "array<struct<x:int,y:string>>");
  EXPECT_EQ(c.row.columns[14].type, "map<string,array<double>>");
  EXPECT_EQ(c.row.columns[15].name, "p");
  ASSERT_EQ(c.row.partition_keys.size(), 2u);
  EXPECT_EQ(c.row.location, "s3://b/p/");
  EXPECT_EQ(c.row.serde_properties.size(), 2u);
  EXPECT_EQ(c.row.table_properties[0].first, "classification");
}

TEST(Ddl, OtherStatements) {
  EXPECT_TRUE(std::get<CreateDatabase>(*ParseStatement("CREATE DATABASE IF NOT EXISTS events")).if_not_exists);
  EXPECT_TRUE(std::get<DropDatabase>(*ParseStatement("drop database events cascade;")).cascade);
  EXPECT_TRUE(std::get<DropTable>(*ParseStatement("DROP TABLE IF EXISTS events.t")).if_exists);
  EXPECT_EQ(std::get<ShowTables>(*ParseStatement("SHOW TABLES IN events")).database, "events");
  EXPECT_EQ(std::get<ShowDatabases>(*ParseStatement("SHOW DATABASES LIKE 'ev*'")).like, "ev*");
  EXPECT_EQ(std::get<Describe>(*ParseStatement("DESCRIBE events.t")).table.name, "t");
  EXPECT_EQ(std::get<RepairTable>(*ParseStatement("MSCK REPAIR TABLE t")).table.name, "t");
  EXPECT_EQ(std::get<SelectStatement>(*ParseStatement("  SELECT 1;  ")).sql, "  SELECT 1");
}

TEST(Ddl, BadInputNamesThePosition) {
  auto st = ParseStatement("CREATE TABEL x");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().message(), "line 1:8: mismatched input 'TABEL'. Expecting: 'DATABASE', 'EXTERNAL', 'SCHEMA', 'TABLE'");
  st = ParseStatement("CREATE EXTERNAL TABLE t (a string,\n  b notatype) ROW FORMAT SERDE 'x'");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().message(), "line 2:5: mismatched input 'notatype'. Expecting: <type>");
  st = ParseStatement("CREATE EXTERNAL TABLE t (a string) STORED AS TEXTFILE");
  EXPECT_EQ(st.status().message(), "line 1:36: mismatched input 'STORED'. Expecting: 'ROW'");
  st = ParseStatement("FROB x");
  EXPECT_EQ(st.status().message(),
            "line 1:1: mismatched input 'FROB'. Expecting: 'CREATE', 'DESCRIBE', 'DROP', 'MSCK', 'SELECT', 'SHOW', 'WITH'");
  EXPECT_EQ(ParseStatement("DROP TABLE t extra").status().message(), "line 1:14: mismatched input 'extra'. Expecting: <EOF>");
  EXPECT_EQ(ParseStatement("CREATE DATABASE 'x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseStatement("").status().code(), StatusCode::kInvalidArgument);
}

TEST(Ddl, UnsupportedFormsAreRefused) {
  EXPECT_EQ(ParseStatement("CREATE EXTERNAL TABLE t (a int) ROW FORMAT DELIMITED FIELDS TERMINATED BY ','")
                .status().code(), StatusCode::kNotSupported);
  EXPECT_EQ(ParseStatement("CREATE EXTERNAL TABLE t (a int) ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe' "
                           "STORED AS TEXTFILE LOCATION 's3://b/'").status().code(), StatusCode::kNotSupported);
  EXPECT_EQ(ParseStatement("CREATE EXTERNAL TABLE t (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                           "STORED AS PARQUET LOCATION 's3://b/'").status().code(), StatusCode::kNotSupported);
  EXPECT_EQ(ParseStatement("CREATE EXTERNAL TABLE t (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                           "STORED AS TEXTFILE LOCATION '/local/path'").status().code(), StatusCode::kNotSupported);
  EXPECT_EQ(ParseStatement("INSERT INTO t VALUES (1)").status().code(), StatusCode::kNotSupported);
  std::string deep = "CREATE EXTERNAL TABLE t (a ";
  for (int i = 0; i < 100; ++i) deep += "array<";
  EXPECT_EQ(ParseStatement(deep).status().code(), StatusCode::kNotSupported);
}

TEST(Ddl, SplitsScriptsOutsideQuotesAndComments) {
  const auto parts = SplitStatements("CREATE DATABASE a; -- x;y\nSELECT ';' ;\n\n;SELECT 2");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1], "-- x;y\nSELECT ';'");
}

}  // namespace
}  // namespace sluice::query
