// query_bench: COUNT(*) and a GROUP BY over generated taxi trips as JSON lines, stored
// uncompressed and as GZIP in a local object store under --dir, through query::Engine
// (the path the Athena API takes, without HTTP). Prints seconds and MB/s of JSON
// scanned (1 MB = 10^6 bytes) and the CPU seconds used for each. run.sh adds DuckDB's figures when it is there.
//
//   query_bench --dir DIR [--mb 256] [--objects 16] [--threads 2] [--reuse 1]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <sys/resource.h>
#include <string>

#include "catalog/catalog.h"
#include "objects/local_store.h"
#include "query/query.h"
#include "query/testing_fixtures.h"

namespace {

// One trip as the pipeline's JSON lines carry it (about 600 bytes).
void Trip(std::mt19937_64& rng, uint64_t n, std::string& out) {
  static constexpr const char* kCalls[] = {"A", "B", "C"};
  const char* call = kCalls[rng() % 3];
  char head[320];
  std::snprintf(head, sizeof head,
                "{\"TRIP_ID\":\"%llu\",\"CALL_TYPE\":\"%s\",\"ORIGIN_CALL\":%s,\"ORIGIN_STAND\":\"%d\","
                "\"TAXI_ID\":%d,\"TIMESTAMP\":%lld,\"DAY_TYPE\":\"A\",\"MISSING_DATA\":\"False\",\"POLYLINE\":\"[",
                static_cast<unsigned long long>(n), call, call[0] == 'A' ? "\"31508\"" : "null",
                static_cast<int>(rng() % 63), 20000000 + static_cast<int>(rng() % 450),
                1372636800LL + static_cast<long long>(rng() % 31536000));
  out += head;
  double lon = -8.61, lat = 41.15;
  const int points = 10 + static_cast<int>(rng() % 30);
  for (int i = 0; i < points; ++i) {
    char p[48];
    lon += static_cast<double>(rng() % 200) * 1e-6 - 1e-4;
    lat += static_cast<double>(rng() % 200) * 1e-6 - 1e-4;
    std::snprintf(p, sizeof p, "%s[%.6f,%.6f]", i ? "," : "", lon, lat);
    out += p;
  }
  char tail[64];
  std::snprintf(tail, sizeof tail, "]\",\"EVENT_ID\":\"e%llu\"}\n", static_cast<unsigned long long>(n));
  out += tail;
}

// CPU seconds this process has used (user + system, all threads).
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double Time(sluice::query::Engine& engine, const std::string& sql, std::string& answer) {
  const auto start = std::chrono::steady_clock::now();
  auto r = engine.Execute(sql, {.database = "events"});
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", sql.c_str(), r.status().ToString().c_str());
    std::exit(1);
  }
  answer = r->rows.empty() || !r->rows[0][0] ? "" : *r->rows[0][0];
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  uint64_t mb = 256;
  int objects = 16;
  int threads = 2;
  bool reuse = false;  // --reuse 1: query what an earlier run left in --dir (e.g. under perf)
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--reuse")) reuse = std::atoi(argv[i + 1]) != 0;
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--mb")) mb = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--objects")) objects = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: query_bench --dir DIR [--mb 256] [--objects 16] [--threads 2] [--reuse 1]\n");
    return 2;
  }
  reuse = reuse && std::filesystem::exists(dir + "/catalog.db");
  if (!reuse) std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/data");
  auto catalog = sluice::catalog::Catalog::Open(dir + "/catalog.db");
  auto store = sluice::objects::LocalObjectStore::Open({.dir = dir + "/data", .sync = false});
  if (!catalog.ok() || !store.ok()) return 1;
  uint64_t n = 0, json_bytes = 0;
  if (reuse) {
    json_bytes = std::filesystem::file_size(dir + "/trips.json");
  } else {
    (void)(*store)->CreateBucket("lake");
    std::mt19937_64 rng(42);
    const uint64_t per_object = mb * 1'000'000 / static_cast<uint64_t>(objects);
    std::FILE* lines_out = std::fopen((dir + "/trips.json").c_str(), "wb");
    for (int o = 0; o < objects; ++o) {
      std::string body;
      while (body.size() < per_object) Trip(rng, n++, body);
      json_bytes += body.size();
      char key[64];
      std::snprintf(key, sizeof key, "plain/part-%04d.json", o);
      (void)(*store)->Put("lake", key, body, {});
      std::snprintf(key, sizeof key, "gzip/part-%04d.json.gz", o);
      (void)(*store)->Put("lake", key, sluice::query::testing::Gzip(body), {});
      if (lines_out != nullptr) std::fwrite(body.data(), 1, body.size(), lines_out);
    }
    if (lines_out != nullptr) std::fclose(lines_out);
  }
  sluice::query::Engine engine(**catalog, **store, {.scan_threads = threads, .read_ahead = 2 * threads});
  std::string ignored;
  if (!reuse) Time(engine, "CREATE DATABASE events", ignored);
  for (const char* t : {"plain", "gzip"}) {
    if (reuse) break;
    Time(engine,
         std::string("CREATE EXTERNAL TABLE ") + t + " (trip_id string, call_type string, taxi_id int, "
         "`timestamp` int, polyline string) ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' "
         "STORED AS TEXTFILE LOCATION 's3://lake/" + t + "/'",
         ignored);
  }
  std::printf("trips %llu, JSON %.1f MB in %d objects, scan threads %d\n", static_cast<unsigned long long>(n),
              static_cast<double>(json_bytes) / 1e6, objects, threads);
  for (const char* t : {"plain", "gzip"}) {
    for (const std::string& q : {std::string("SELECT count(*) FROM ") + t,
                                std::string("SELECT call_type, count(*), avg(taxi_id) FROM ") + t +
                                    " GROUP BY call_type ORDER BY call_type"}) {
      std::string answer;
      const double cpu = CpuSeconds();
      const double s = Time(engine, q, answer);
      std::printf("%-6s %-9s %7.3f s %8.1f MB/s  %6.2f CPU s  (%s)\n", t,
                  q.find("GROUP") != std::string::npos ? "group-by" : "count", s,
                  static_cast<double>(json_bytes) / 1e6 / s, CpuSeconds() - cpu, answer.c_str());
    }
  }
  return 0;
}
