#include <gtest/gtest.h>

#include <filesystem>

#include "engine_fixture.h"
#include "internal/ddl.h"
#include "testing_fixtures.h"

namespace sluice::query {
namespace {

constexpr std::string_view kTripsDdl =
    "CREATE EXTERNAL TABLE events.trips (TRIP_ID string, TAXI_ID int, fare double, ok boolean, "
    "polyline array<array<double>>, ts timestamp) "
    "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://lake/trips/'";

TEST_F(EngineTest, JsonLinesAndArraysAcrossNestedFoldersWithTypes) {
  Ok(kTripsDdl);
  Put("trips/2024/01/01/00/a", "{\"TRIP_ID\":\"T1\",\"TAXI_ID\":7,\"FARE\":1.5,\"ok\":true,\"polyline\":[[-8.6,41.1]],\"ts\":1700000000000}\n"
                               "{\"trip_id\":\"T2\",\"taxi_id\":\"8\",\"fare\":2,\"ok\":false,\"ts\":\"2024-01-31 12:00:00\"}\n");
  Put("trips/2024/01/01/01/b.json", "[{\"TRIP_ID\":\"T3\",\"TAXI_ID\":7},{\"TRIP_ID\":\"T4\",\"TAXI_ID\":9.5}]");
  EXPECT_EQ(One("SELECT count(*) FROM trips"), "4");
  const QueryResult r = Ok("SELECT trip_id, taxi_id, fare, ok, polyline, ts FROM events.trips ORDER BY trip_id");
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.columns[0].type, "varchar");
  EXPECT_EQ(r.columns[1].type, "integer");
  EXPECT_EQ(r.columns[2].type, "double");
  EXPECT_EQ(r.columns[3].type, "boolean");
  EXPECT_EQ(r.columns[4].type, "array");
  EXPECT_EQ(r.rows[0][1], "7");
  EXPECT_EQ(r.rows[0][2], "1.5");
  EXPECT_EQ(r.rows[0][3], "true");
  EXPECT_EQ(r.rows[0][4], "[[-8.6,41.1]]");
  EXPECT_EQ(r.rows[0][5], "2023-11-14 22:13:20.000");
  EXPECT_EQ(r.rows[1][1], "8");  // a numeric string converts
  EXPECT_EQ(r.rows[1][3], "false");
  EXPECT_EQ(r.rows[1][5], "2024-01-31 12:00:00.000");
  EXPECT_EQ(r.rows[3][1], std::nullopt);  // 9.5 is no int
  EXPECT_EQ(One("SELECT count(*) FROM trips WHERE \"$path\" = 's3://lake/trips/2024/01/01/01/b.json'"), "2");
  EXPECT_GT(r.bytes_scanned, 100u);
}

TEST_F(EngineTest, CompressedObjectsByMagicAndExtension) {
  Ok(kTripsDdl);
  const std::string lines = "{\"trip_id\":\"a\"}\n{\"trip_id\":\"b\"}\n";
  Put("trips/x.gz", testing::Gzip(lines));
  Put("trips/y", testing::Zip("inner.json", lines));
  Put("trips/z.snappy", testing::SnappyFramed(lines));
  EXPECT_EQ(One("SELECT count(DISTINCT \"$path\") || ':' || count(*) FROM trips"), "3:6");
}

TEST_F(EngineTest, HiddenAndUnderscoreKeysAreSkipped) {
  Ok(kTripsDdl);
  Put("trips/a", "{\"trip_id\":\"a\"}");
  Put("trips/_SUCCESS", "{\"trip_id\":\"x\"}");
  Put("trips/.hidden", "{\"trip_id\":\"x\"}");
  Put("trips/_tmp/b", "{\"trip_id\":\"x\"}");
  EXPECT_EQ(One("SELECT count(*) FROM trips"), "1");
}

TEST_F(EngineTest, MalformedLineFailsNamingObjectAndLine) {
  Ok(kTripsDdl);
  Put("trips/a", "{\"trip_id\":\"a\"}\n{\"trip_id\": oops}\n");
  const Status st = Fails("SELECT count(*) FROM trips");
  EXPECT_NE(st.message().find("s3://lake/trips/a, line 2"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("HIVE_BAD_DATA"), std::string::npos);
  // Also in a key the statement does not read, and in what looks like null or true.
  Put("trips/a", "{\"x\": nope}\n");
  EXPECT_NE(Fails("SELECT count(*) FROM trips").message().find("line 1"), std::string::npos);
  Put("trips/a", "{\"x\": tru}\n");
  EXPECT_NE(Fails("SELECT count(*) FROM trips").message().find("line 1"), std::string::npos);
}

TEST_F(EngineTest, MalformedLinesSkippedWithIgnoreMalformedJson) {
  Ok("CREATE EXTERNAL TABLE t (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
     "WITH SERDEPROPERTIES ('ignore.malformed.json'='true') STORED AS TEXTFILE LOCATION 's3://lake/t/'");
  Put("t/a", "{\"a\":1}\nnot json\n{\"a\":2} trailing\n[1,2]\n{\"a\":3}\n");
  EXPECT_EQ(One("SELECT sum(a) FROM t"), "4");
}

TEST_F(EngineTest, MalformedJsonArrayBothWays) {
  Ok(kTripsDdl);
  Put("trips/a.json", "[{\"trip_id\":\"a\"},{\"trip_id\":}]");
  EXPECT_NE(Fails("SELECT count(*) FROM trips").message().find("s3://lake/trips/a.json, line 1"), std::string::npos);
  Ok("CREATE EXTERNAL TABLE lenient (trip_id string) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
     "WITH SERDEPROPERTIES ('ignore.malformed.json'='TRUE') STORED AS TEXTFILE LOCATION 's3://lake/trips/'");
  Put("trips/b.json", "[{\"trip_id\":\"b\"},{\"trip_id\":\"c\"}]");
  EXPECT_EQ(One("SELECT group_concat(trip_id, ',') FROM lenient"), "a,b,c");
}

TEST_F(EngineTest, CaseSensitiveKeysAndMappings) {
  Ok("CREATE EXTERNAL TABLE t (a int, b int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
     "WITH SERDEPROPERTIES ('case.insensitive'='false', 'mapping.b'='Other') STORED AS TEXTFILE LOCATION 's3://lake/t/'");
  Put("t/a", "{\"A\":1,\"a\":2,\"Other\":3,\"other\":4}\n");
  const QueryResult r = Ok("SELECT a, b FROM t");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "2");
  EXPECT_EQ(r.rows[0][1], "3");
}

TEST_F(EngineTest, PartitionsNeedRepairAndArePruned) {
  Ok("CREATE EXTERNAL TABLE p (v int) PARTITIONED BY (context string, dt string) ROW FORMAT SERDE "
     "'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://lake/out/'");
  Put("out/context=w/dt=2024-01-01/a.json", "[{\"v\":1},{\"v\":2}]");
  Put("out/context=w/dt=2024-01-02/a.json", "[{\"v\":10}]");
  Put("out/stray.json", "[{\"v\":100}]");
  EXPECT_EQ(One("SELECT count(*) FROM p"), "0");  // nothing registered yet
  const QueryResult repaired = Ok("MSCK REPAIR TABLE p");
  ASSERT_EQ(repaired.rows.size(), 3u);
  EXPECT_EQ(repaired.rows[0][0], "Partitions not in metastore:\tp:context=w/dt=2024-01-01\tp:context=w/dt=2024-01-02");
  EXPECT_EQ(One("SELECT sum(v) FROM p"), "13");
  const QueryResult one = Ok("SELECT sum(v), min(dt) FROM p WHERE dt = '2024-01-02'");
  EXPECT_EQ(one.rows[0][0], "10");
  const QueryResult all = Ok("SELECT sum(v) FROM p");
  EXPECT_LT(one.bytes_scanned, all.bytes_scanned);  // the other partition was never read
  EXPECT_TRUE(Ok("MSCK REPAIR TABLE p").rows.empty());
}

TEST_F(EngineTest, EveryTypeConvertsAndReportsAthenasName) {
  Ok("CREATE EXTERNAL TABLE ty (s string, v varchar(5), c char(2), i int, b bigint, sm smallint, ti tinyint, "
     "d double, f float, de decimal(10,2), bo boolean, da date, ts timestamp, ar array<int>, "
     "m map<string,int>, st struct<x:int,y:string>) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
     "STORED AS TEXTFILE LOCATION 's3://lake/ty/'");
  Put("ty/a", R"({"s":{"n":1},"v":"abc","c":"xy","i":"12","b":9007199254740993,"sm":-3,"ti":7,"d":"2.5","f":1e2,)"
              R"("de":12.34,"bo":"TRUE","da":"2024-02-29","ts":"2024-02-29T10:11:12.5Z","ar":[1, 2],"m":{"k":1},)"
              R"("st":{"x":1,"y":"z"}})"
              "\n"
              R"({"i":true,"bo":1,"da":19782,"ar":"text","d":null})" "\n");
  const QueryResult r = Ok("SELECT * FROM ty");
  ASSERT_EQ(r.rows.size(), 2u);
  std::vector<std::string> types;
  for (const auto& c : r.columns) types.push_back(c.type);
  EXPECT_EQ(types, (std::vector<std::string>{"varchar", "varchar", "char", "integer", "bigint", "smallint", "tinyint",
                                             "double", "float", "decimal", "boolean", "date", "timestamp", "array",
                                             "map", "row"}));
  const std::vector<std::optional<std::string>> want = {
      "{\"n\":1}", "abc", "xy", "12", "9007199254740993", "-3", "7", "2.5", "100.0", "12.34", "true",
      "2024-02-29", "2024-02-29 10:11:12.500", "[1, 2]", "{\"k\":1}", "{\"x\":1,\"y\":\"z\"}"};
  EXPECT_EQ(r.rows[0], want);
  EXPECT_EQ(r.rows[1][3], "1");           // a JSON true in an int column
  EXPECT_EQ(r.rows[1][10], std::nullopt);  // 1 is no boolean
  EXPECT_EQ(r.rows[1][11], "2024-02-29");  // days since the epoch
  EXPECT_EQ(r.rows[1][13], "text");
  EXPECT_EQ(r.rows[1][7], std::nullopt);
  EXPECT_EQ(One("SELECT cardinality(ar) + cardinality(m) FROM ty WHERE s IS NOT NULL"), "3");
  EXPECT_EQ(One("SELECT json_extract_scalar(st, '$.y') FROM ty WHERE s IS NOT NULL"), "z");
}

TEST_F(EngineTest, AlterTableAddPartitionRegistersWithOrWithoutLocation) {
  Ok("CREATE EXTERNAL TABLE p (v int) PARTITIONED BY (dt string) ROW FORMAT SERDE "
     "'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://lake/out/'");
  Put("out/dt=a/x.json", "{\"v\":1}");
  Put("elsewhere/y.json", "{\"v\":20}");
  Ok("ALTER TABLE p ADD PARTITION (dt='a') PARTITION (dt='b') LOCATION 's3://lake/elsewhere/'");
  EXPECT_EQ(One("SELECT group_concat(x) FROM (SELECT dt || ':' || v AS x FROM p ORDER BY dt)"), "a:1,b:20");
  EXPECT_EQ(Fails("ALTER TABLE p ADD PARTITION (dt='a')").message(),
            "FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "
            "AlreadyExistsException(message:Partition already exists: dt=a/)");
  Ok("ALTER TABLE p ADD IF NOT EXISTS PARTITION (dt='a')");
  EXPECT_EQ(Fails("ALTER TABLE p ADD PARTITION (other='a')").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Fails("ALTER TABLE p DROP PARTITION (dt='a')").code(), StatusCode::kNotSupported);
}

TEST_F(EngineTest, PrestoFunctions) {
  EXPECT_EQ(One("SELECT from_unixtime(1700000000)"), "2023-11-14 22:13:20.000");
  EXPECT_EQ(One("SELECT date_format(from_unixtime(1700000000), '%Y-%m-%d %H:%i:%s')"), "2023-11-14 22:13:20");
  EXPECT_EQ(One("SELECT json_extract_scalar('{\"a\":{\"b\":5}}', '$.a.b')"), "5");
  EXPECT_EQ(One("SELECT json_extract_scalar('{\"a\":{\"b\":5}}', '$.a')"), "NULL");
  EXPECT_EQ(One("SELECT cardinality('[1,2,3]')"), "3");
  EXPECT_EQ(One("SELECT approx_distinct(x) FROM (SELECT 1 AS x UNION ALL SELECT 1 UNION ALL SELECT 2)"), "2");
}

TEST_F(EngineTest, DdlErrorsAsAthenaWordsThem) {
  EXPECT_EQ(Fails("CREATE DATABASE events").message(),
            "FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. Database events already exists");
  Ok("CREATE DATABASE IF NOT EXISTS events");
  EXPECT_EQ(Fails("DROP TABLE nope").message(), "FAILED: SemanticException [Error 10001]: Table not found events.nope");
  Ok("DROP TABLE IF EXISTS nope");
  Ok(kTripsDdl);
  EXPECT_EQ(Fails("DROP DATABASE events").message(),
            "FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "
            "InvalidOperationException(message:Database events is not empty. One or more tables exist.)");
  EXPECT_EQ(Fails("SELECT * FROM nope").message(), "line 1:15: Table 'awsdatacatalog.events.nope' does not exist");
  EXPECT_EQ(Fails("SELECT x FROM trips").message(), "line 1:8: Column 'x' cannot be resolved");
  EXPECT_EQ(Fails("SELECT *\nFROM trips WHER trip_id = 1").message(), "line 2:17: mismatched input 'trip_id'");
  EXPECT_EQ(Fails("SELECT * FROM trips WHERE").message(), "line 1:26: mismatched input '<EOF>'");
  EXPECT_EQ(Fails("CREATE EXTERNAL TABLE nodb.t (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
                  "STORED AS TEXTFILE LOCATION 's3://lake/x/'").message(),
            "FAILED: SemanticException [Error 10072]: Database does not exist: nodb");
}

TEST_F(EngineTest, ShowDescribeAndDrop) {
  Ok(kTripsDdl);
  EXPECT_EQ(One("SHOW DATABASES"), "events");
  EXPECT_EQ(One("SHOW TABLES IN events"), "trips");
  const QueryResult d = Ok("DESCRIBE trips");
  ASSERT_EQ(d.rows.size(), 6u);
  EXPECT_EQ(d.rows[0][0]->substr(0, 8), "trip_id ");
  Ok("DROP TABLE trips");
  EXPECT_TRUE(Ok("SHOW TABLES").rows.empty());
  Ok("DROP DATABASE events");
  EXPECT_TRUE(Ok("SHOW DATABASES").rows.empty());
}

TEST_F(EngineTest, TheCatalogSurvivesAReopen) {
  Ok(kTripsDdl);
  engine_.reset();
  catalog_.reset();
  catalog_ = catalog::Catalog::Open(dir_.File("catalog.db")).value();
  engine_ = std::make_unique<Engine>(*catalog_, *store_);
  Put("trips/a", "{\"trip_id\":\"a\"}");
  EXPECT_EQ(One("SELECT trip_id FROM events.trips"), "a");
}

TEST_F(EngineTest, ADatabaseNamedWithAKeywordIsUsableAsAQualifier) {
  Ok("CREATE DATABASE `select`");
  Ok("CREATE EXTERNAL TABLE `select`.`order` (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
     "STORED AS TEXTFILE LOCATION 's3://lake/kw/'");
  Put("kw/x", "{\"a\":1}\n{\"a\":2}\n");
  EXPECT_EQ(One("SELECT sum(a) FROM \"select\".\"order\""), "3");
  EXPECT_EQ(One("SELECT sum(t.a) FROM \"select\" . \"order\" AS t"), "3");
  EXPECT_EQ(One("SELECT count(*) FROM \"SELECT\".\"order\" WHERE a = 2"), "1");
  auto in_db = engine_->Execute("SELECT count(*) FROM \"order\"", {.database = "select"});
  ASSERT_TRUE(in_db.ok()) << in_db.status().ToString();
  EXPECT_EQ(in_db->rows[0][0], "2");
  EXPECT_EQ(Ok("SHOW TABLES IN `select`").rows.size(), 1u);
  // Names SQLite keeps as keywords but Presto does not reserve, unquoted as Athena takes them.
  Ok("CREATE DATABASE `default`");
  Ok("CREATE EXTERNAL TABLE default.limit (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
     "STORED AS TEXTFILE LOCATION 's3://lake/kw/'");
  EXPECT_EQ(One("SELECT sum(a) FROM default.limit"), "3");
  EXPECT_EQ(One("SELECT sum(limit.a) FROM default.limit JOIN \"select\".\"order\" o ON o.a = limit.a"), "3");
  // Keywords next to a number's point are left alone.
  EXPECT_EQ(One("SELECT sum(CASE WHEN a > 1 THEN .5 ELSE .25 END) FROM default.limit WHERE a >= 1. AND a < 3"),
            "0.75");
  // Positions in errors count in the statement as written, not as quoted for SQLite.
  EXPECT_EQ(Fails("SELECT a FROM default.limit WHERE ,").message(), "line 1:35: mismatched input ','");
  Ok("CREATE DATABASE main");
  Ok("CREATE EXTERNAL TABLE main.t (a int) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
     "STORED AS TEXTFILE LOCATION 's3://lake/kw/'");
  EXPECT_EQ(One("SELECT count(*) FROM main.t"), "2");
  Ok("DROP TABLE `select`.`order`");
  Ok("DROP DATABASE `select`");
}

TEST_F(EngineTest, DecimalsPrintTheirScaleAndSumExactly) {
  Ok("CREATE EXTERNAL TABLE money (id int, amount decimal(10,2), rate double) ROW FORMAT SERDE "
     "'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://lake/money/'");
  std::string lines;
  for (int i = 0; i < 10; ++i) lines += "{\"id\":" + std::to_string(i) + ",\"amount\":0.1,\"rate\":0.1}\n";
  lines += "{\"id\":10,\"amount\":\"1.10\"}\n{\"id\":11,\"amount\":1.005}\n{\"id\":12,\"amount\":-0.004}\n"
           "{\"id\":13,\"amount\":123456789.5}\n{\"id\":14,\"amount\":\"x\"}\n{\"id\":15,\"amount\":2e1}\n";
  Put("money/a", lines);
  // As Athena prints decimal(10,2): always two digits, half up, too many digits is NULL.
  const QueryResult r = Ok("SELECT amount FROM money WHERE id >= 9 ORDER BY id");
  EXPECT_EQ(r.columns[0], (ColumnInfo{"amount", "decimal", 10, 2}));
  const std::vector<std::vector<std::optional<std::string>>> want = {
      {"0.10"}, {"1.10"}, {"1.01"}, {"0.00"}, {std::nullopt}, {std::nullopt}, {"20.00"}};
  EXPECT_EQ(r.rows, want);
  // Doubles give 0.9999999999999999 for ten 0.1s; decimals add exactly, and
  // sum(decimal(10,2)) is decimal(38,2).
  EXPECT_EQ(One("SELECT sum(amount) FROM money WHERE id < 10"), "1.00");
  EXPECT_EQ(One("SELECT sum(rate) FROM money WHERE id < 10"), "1.0");  // doubles too, as their decimal text
  EXPECT_EQ(One("SELECT sum(amount) = 1 FROM money WHERE id < 10"), "1");
  EXPECT_EQ(One("SELECT sum(amount) FROM money WHERE id IN (10, 11, 12)"), "2.11");
  EXPECT_EQ(One("SELECT sum(id) FROM money"), "120");  // integers stay integers
  EXPECT_EQ(One("SELECT count(*) FROM money WHERE amount > 1.05"), "2");
  EXPECT_EQ(Fails("SELECT sum(x) FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1)").message(),
            "integer overflow");  // as SQLite's own sum
  EXPECT_EQ(One("SELECT sum(x) FROM (SELECT 1 AS x WHERE 0)"), "NULL");
}

TEST_F(EngineTest, DecimalArithmeticFollowsPrestoTypesExactly) {
  Ok("CREATE EXTERNAL TABLE ledger (id int, amount decimal(10,2), big decimal(38,2), rate double) ROW FORMAT "
     "SERDE 'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://lake/ledger/'");
  Put("ledger/a", "{\"id\":1,\"amount\":0.01,\"big\":\"123456789012345678901234567890123.45\",\"rate\":0.1}\n"
                  "{\"id\":2,\"amount\":0.02,\"big\":\"123456789012345678901234567890123.46\",\"rate\":0.2}\n"
                  "{\"id\":3,\"amount\":-1.50,\"big\":\"999999999999999999999999999999999999.99\"}\n"
                  "{\"id\":4,\"amount\":2}\n");
  const auto cols = [&](std::string_view sql) { return Ok(sql).columns[0]; };
  // Literals are decimals: 0.30000000000000004 as doubles.
  EXPECT_EQ(One("SELECT 0.1 + 0.2"), "0.3");
  EXPECT_EQ(cols("SELECT 0.1 + 0.2"), (ColumnInfo{"_col0", "decimal", 2, 1}));
  EXPECT_EQ(One("SELECT amount + amount FROM ledger WHERE id = 1"), "0.02");
  EXPECT_EQ(cols("SELECT amount + amount AS twice FROM ledger WHERE id = 1"), (ColumnInfo{"twice", "decimal", 11, 2}));
  EXPECT_EQ(One("SELECT amount * 1.5 FROM ledger WHERE id = 2"), "0.030");
  EXPECT_EQ(One("SELECT amount / 3 FROM ledger WHERE id = 2"), "0.01");  // 0.00666 half up
  EXPECT_EQ(One("SELECT -amount FROM ledger WHERE id = 3"), "1.50");
  EXPECT_EQ(One("SELECT rate + amount FROM ledger WHERE id = 1"), "0.11");  // with a double: a double
  EXPECT_EQ(cols("SELECT rate + amount FROM ledger WHERE id = 1").type, "double");
  // Large sums, exact where doubles keep 16 digits.
  EXPECT_EQ(One("SELECT sum(big) FROM ledger WHERE id < 3"), "246913578024691357802469135780246.91");
  EXPECT_EQ(cols("SELECT sum(big) FROM ledger WHERE id < 3"), (ColumnInfo{"_col0", "decimal", 38, 2}));
  EXPECT_EQ(One("SELECT big + 0.01 FROM ledger WHERE id = 2"), "123456789012345678901234567890123.47");
  // avg(decimal(10,2)) is decimal(10,2): (0.01 + 0.02) / 2 = 0.015, half up.
  EXPECT_EQ(One("SELECT avg(amount) FROM ledger WHERE id < 3"), "0.02");
  EXPECT_EQ(cols("SELECT avg(amount) FROM ledger"), (ColumnInfo{"_col0", "decimal", 10, 2}));
  EXPECT_EQ(One("SELECT avg(rate) FROM ledger"), "0.15");  // doubles stay doubles
  EXPECT_EQ(One("SELECT round(avg(big), 0) FROM ledger WHERE id < 3"), "123456789012345678901234567890123.00");
  EXPECT_EQ(One("SELECT round(amount) FROM ledger WHERE id = 3"), "-2");
  // Comparisons are exact and across scales.
  EXPECT_EQ(One("SELECT count(*) FROM ledger WHERE amount = 0.01"), "1");
  EXPECT_EQ(One("SELECT count(*) FROM ledger WHERE amount > 0.015"), "2");
  EXPECT_EQ(One("SELECT count(*) FROM ledger WHERE amount BETWEEN 0.01 AND 0.02"), "2");
  EXPECT_EQ(One("SELECT count(*) FROM ledger WHERE amount NOT IN (0.01, 2)"), "2");
  EXPECT_EQ(One("SELECT count(*) FROM ledger WHERE big > 123456789012345678901234567890123.45"), "2");
  const QueryResult ordered = Ok("SELECT amount FROM ledger ORDER BY amount DESC");
  const std::vector<std::vector<std::optional<std::string>>> want = {{"2.00"}, {"0.02"}, {"0.01"}, {"-1.50"}};
  EXPECT_EQ(ordered.rows, want);
  EXPECT_EQ(One("SELECT max(amount) - min(amount) FROM ledger"), "3.50");
  // Through a subquery's alias.
  EXPECT_EQ(One("SELECT sum(x * 2) FROM (SELECT amount AS x FROM ledger)"), "1.06");
  // Casts.
  EXPECT_EQ(One("SELECT CAST('1.005' AS decimal(10,2))"), "1.01");
  EXPECT_EQ(One("SELECT CAST(amount AS varchar) FROM ledger WHERE id = 4"), "2.00");
  EXPECT_EQ(One("SELECT CAST(amount AS double) FROM ledger WHERE id = 1"), "0.01");
  EXPECT_EQ(One("SELECT CAST(amount AS integer) FROM ledger WHERE id = 3"), "-2");
  // Athena's errors.
  EXPECT_EQ(Fails("SELECT sum(big) FROM ledger").message(), "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow");
  EXPECT_EQ(Fails("SELECT big * 1000 FROM ledger WHERE id = 3").message(),
            "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow");
  EXPECT_EQ(Fails("SELECT amount / 0 FROM ledger").message(), "DIVISION_BY_ZERO: Division by zero");
  EXPECT_EQ(Fails("SELECT CAST('abc' AS decimal(10,2))").message(),
            "INVALID_CAST_ARGUMENT: Cannot cast VARCHAR 'abc' to DECIMAL(10, 2). Value is not a number.");
  // Statements without decimals compute as before.
  EXPECT_EQ(One("SELECT 7 / 2"), "3");
  EXPECT_EQ(One("SELECT round(rate, 0) FROM ledger WHERE id = 2"), "0.0");
}

// Decimals under names no text shows are typed from the schema: every one of these
// computed on BLOBs with SQLite's own operators before, and silently gave wrong values.
TEST_F(EngineTest, DecimalsReExportedUnderOtherNamesStayExact) {
  Ok("CREATE EXTERNAL TABLE acct (id int, amount decimal(10,2), fee decimal(5,3)) ROW FORMAT SERDE "
     "'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://lake/acct/'");
  Put("acct/a", "{\"id\":1,\"amount\":0.1,\"fee\":0.005}\n{\"id\":2,\"amount\":2.5,\"fee\":1.25}\n"
                "{\"id\":3,\"amount\":-1,\"fee\":0.1}\n{\"id\":4,\"amount\":10,\"fee\":0}\n");
  const auto column = [&](std::string_view sql) {
    std::vector<std::string> out;
    for (const auto& row : Ok(sql).rows) out.push_back(row.at(0).value_or("NULL"));
    return out;
  };
  // A SELECT * CTE re-exported under other names, then added, compared, summed.
  EXPECT_EQ(One("WITH c(i, a, f) AS (SELECT * FROM acct) SELECT sum(a + f) FROM c"), "12.955");
  EXPECT_EQ(One("WITH c(i, a, f) AS (SELECT * FROM acct) SELECT count(*) FROM c WHERE a > 1"), "2");
  EXPECT_EQ(One("WITH c(i, a, f) AS (SELECT * FROM acct) SELECT a - f FROM c WHERE i = 2"), "1.250");
  // Implicit aliases, renamed twice through derived tables.
  EXPECT_EQ(One("SELECT c * 2 FROM (SELECT b c FROM (SELECT amount b FROM acct)) WHERE c < 0"), "-2.00");
  EXPECT_EQ(One("SELECT sum(x) FROM (SELECT s.* FROM (SELECT amount x FROM acct) s) WHERE x >= 0.1"), "12.60");
  // A join of derived tables with aliases.
  EXPECT_EQ(One("SELECT l.x + r.y FROM (SELECT id, amount x FROM acct) l JOIN (SELECT id, fee y FROM acct) r "
                "ON l.id = r.id WHERE l.id = 2"),
            "3.750");
  EXPECT_EQ(One("SELECT count(*) FROM (SELECT id, amount x FROM acct) l JOIN (SELECT id k, fee * 100 y FROM acct) r "
                "ON l.x = r.y"),
            "1");  // 10.00 = 10.000 across scales
  // IN, BETWEEN, simple CASE and IN over a subquery on it.
  EXPECT_EQ(One("SELECT count(*) FROM (SELECT amount q FROM acct) WHERE q IN (0.1, 10)"), "2");
  EXPECT_EQ(One("SELECT count(*) FROM (SELECT amount q FROM acct) WHERE q BETWEEN 0 AND 3"), "2");
  EXPECT_EQ(One("SELECT count(*) FROM (SELECT amount q FROM acct) WHERE q NOT BETWEEN 0 AND 3"), "2");
  EXPECT_EQ(One("SELECT CASE q WHEN 2.5 THEN 'yes' ELSE 'no' END FROM (SELECT amount q FROM acct WHERE id = 2)"),
            "yes");
  EXPECT_EQ(One("SELECT count(*) FROM acct WHERE amount IN (SELECT fee * 100 FROM acct)"), "1");
  EXPECT_EQ(One("SELECT group_concat(id) FROM acct WHERE id IN (SELECT amount / 5 FROM acct)"), "2");
  EXPECT_EQ(One("SELECT count(*) FROM acct WHERE id NOT IN (SELECT amount / 5 FROM acct)"), "3");
  EXPECT_EQ(One("SELECT count(*) FROM acct WHERE amount IS (SELECT 2.500)"), "1");
  // ORDER BY on it, and on an expression of it.
  EXPECT_EQ(column("SELECT i FROM (SELECT id i, amount q FROM acct) ORDER BY q DESC"),
            (std::vector<std::string>{"4", "2", "1", "3"}));
  EXPECT_EQ(column("SELECT i FROM (SELECT id i, amount q FROM acct) ORDER BY q * -1"),
            (std::vector<std::string>{"4", "2", "1", "3"}));
  // Where SQLite's own = would compare them and no rewrite can stand in: refused.
  const Status using_decimal = Fails("SELECT count(*) FROM acct a JOIN acct b USING (amount)");
  EXPECT_EQ(using_decimal.code(), StatusCode::kNotSupported);
  EXPECT_EQ(using_decimal.message(),
            "line 1:48: NOT_SUPPORTED: JOIN ... USING (amount) on a value that may be a decimal; join with ON instead");
  EXPECT_EQ(One("SELECT count(*) FROM acct a JOIN acct b ON a.amount = b.amount"), "4");
  EXPECT_EQ(One("SELECT count(*) FROM acct a JOIN acct b USING (id)"), "4");
  // A compound select's later arm under the first arm's name.
  EXPECT_EQ(column("SELECT v * 2 FROM (SELECT id v FROM acct WHERE id = 1 UNION ALL SELECT fee FROM acct "
                   "WHERE id = 2) ORDER BY 1"),
            (std::vector<std::string>{"2", "2.500"}));
}

TEST_F(EngineTest, DecimalDivisionNeedsNoMoreThanItsResultFits) {
  // 10^9 * 10^(10 + 10 - 9) does not fit 128 bits; the quotient fits decimal(38,10).
  EXPECT_EQ(One("SELECT CAST('12345678901234567890123456789.012345678' AS decimal(38,9)) / "
                "CAST(3 AS decimal(11,10))"),
            "4115226300411522630041152263.0041152260");
  EXPECT_EQ(Fails("SELECT CAST('99999999999999999999999999999999999999' AS decimal(38,0)) / 0.1").message(),
            "NUMERIC_VALUE_OUT_OF_RANGE: Decimal overflow");
}

TEST_F(EngineTest, PartitionsArePrunedOnATableWithDecimals) {
  Ok("CREATE EXTERNAL TABLE pm (v int, amount decimal(10,2)) PARTITIONED BY (dt string) ROW FORMAT SERDE "
     "'org.openx.data.jsonserde.JsonSerDe' STORED AS TEXTFILE LOCATION 's3://lake/pm/'");
  Put("pm/dt=2024-01-01/a.json", "[{\"v\":1,\"amount\":0.1},{\"v\":2,\"amount\":0.2}]");
  Put("pm/dt=2024-01-02/a.json", "[{\"v\":10,\"amount\":1.05}]");
  Ok("MSCK REPAIR TABLE pm");
  const QueryResult all = Ok("SELECT sum(amount) FROM pm");
  EXPECT_EQ(all.rows[0][0], "1.35");
  const QueryResult one = Ok("SELECT sum(amount + v), min(dt) FROM pm WHERE dt = '2024-01-02' AND amount > 1");
  EXPECT_EQ(one.rows[0][0], "11.05");
  EXPECT_EQ(one.rows[0][1], "2024-01-02");
  EXPECT_LT(one.bytes_scanned, all.bytes_scanned);  // the other partition was never read
  // Through a derived table that renames the decimal, too.
  const QueryResult renamed = Ok("SELECT sum(a) FROM (SELECT amount a, dt FROM pm) WHERE dt = '2024-01-01'");
  EXPECT_EQ(renamed.rows[0][0], "0.30");
  EXPECT_LT(renamed.bytes_scanned, all.bytes_scanned);
}

}  // namespace
}  // namespace sluice::query
