// What the mapping benchmarks share (mappings_bench, functions/iterator_age_bench): a
// fresh data dir with a catalog, a stream "ingress", a bucket "lake", and an Invoker
// that resolves every function to the built-in write_to_s3 writing into "lake".
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "functions/event_source_mappings.h"
#include "objects/local_store.h"
#include "stream/stream_manager.h"

namespace sluice::bench {

// Resolves every name to a write_to_s3 built-in; the mapping never calls Invoke for it.
class BuiltinOnly final : public functions::Invoker {
 public:
  Expected<functions::InvokeOutcome, functions::InvokeError> Invoke(const functions::InvokeRequest&) override {
    return functions::InvokeError{functions::InvokeErrorType::kService, "not a built-in"};
  }
  Expected<functions::ResolvedFunction, functions::InvokeError> Resolve(std::string_view) override {
    return functions::ResolvedFunction{"writer", "arn:aws:lambda:us-east-1:000000000000:function:writer",
                                       "sluice.builtin.write_to_s3", "arn:aws:iam::000000000000:role/r",
                                       {{"OUTPUT_BUCKET", "lake"}}};
  }
};

inline int Die(const char* bench, const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", bench, what.c_str());
  return 1;
}

struct Pipeline {
  std::filesystem::path dir;
  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<stream::StreamManager> streams;
  std::unique_ptr<objects::LocalObjectStore> store;
  BuiltinOnly invoker;

  // Under a fresh temporary folder `<name>-<pid>`: empty on success, else what failed.
  std::string Open(const std::string& name, int shards) {
    dir = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "objects");
    auto c = catalog::Catalog::Open((dir / "catalog.db").string());
    if (!c.ok()) return c.status().ToString();
    catalog = std::move(*c);
    stream::StreamManagerOptions so;
    so.dir = (dir / "streams").string();
    auto s = stream::StreamManager::Open(so, *catalog);
    if (!s.ok()) return s.status().ToString();
    streams = std::move(*s);
    auto o = objects::LocalObjectStore::Open({.dir = (dir / "objects").string()});
    if (!o.ok()) return o.error().message;
    store = std::move(*o);
    if (!store->CreateBucket("lake").ok()) return "cannot create the bucket";
    if (!streams->CreateStream("ingress", shards, "PROVISIONED", {}).ok()) return "cannot create the stream";
    return "";
  }

  // A mapping of "writer" on "ingress" from TRIM_HORIZON.
  functions::MappingInput Mapping(int64_t batch_size) const {
    functions::MappingInput in;
    in.function_name = "writer";
    in.event_source_arn = streams->ArnFor("ingress");
    in.starting_position = "TRIM_HORIZON";
    in.batch_size = batch_size;
    return in;
  }

  void Close() {
    (void)streams->Close();
    std::filesystem::remove_all(dir);
  }
};

}  // namespace sluice::bench
