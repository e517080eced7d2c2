// Presto/Athena function names SQLite lacks, registered on each query connection:
// approx_distinct(x) (exact here), date_format(ts, mysql_format), from_unixtime(secs),
// json_extract_scalar(json, path), cardinality(array_or_map_json); and sum(x) replaced
// by one that adds decimals exactly (each REAL taken as its shortest decimal text).
#pragma once

struct sqlite3;

namespace sluice::query {

int RegisterPrestoFunctions(sqlite3* db);

}  // namespace sluice::query
