// Amazon Athena over AWS JSON 1.1: `POST /` with `X-Amz-Target: AmazonAthena.<Action>`,
// signed for service "athena". The query-execution actions (Start, Get, GetResults,
// Stop, List) over query::Executions, and the catalog reads Athena clients use
// (GetDatabase, ListDatabases, GetTableMetadata, ListTableMetadata) over query::Engine.
//
// Threading: thread-safe. Every action runs on the service's own small pool (catalog
// reads are SQLite; statements themselves run on the Executions pool), never on an I/O
// thread. Lifetime: the engine and executions must outlive the service.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "awsproto/pooled_json_service.h"
#include "query/query.h"

namespace sluice::frontends::athena {

// Athena's largest request is a StartQueryExecution with a 256 KiB query string.
inline constexpr uint64_t kAthenaMaxRequestBytes = 1ull << 20;

class Actions;

class AthenaService final : public awsproto::PooledJsonService {
 public:
  AthenaService(query::Engine& engine, query::Executions& executions);
  ~AthenaService() override;

  std::string_view Name() const override { return "athena"; }
  std::span<const std::string_view> SigningNames() const override;
  std::span<const std::string_view> TargetPrefixes() const override;

 private:
  std::optional<Action> FindAction(std::string_view name) override;

  std::unique_ptr<Actions> actions_;
};

}  // namespace sluice::frontends::athena
