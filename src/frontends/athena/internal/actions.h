// Internal to the Athena front end: the actions behind AthenaService.
#pragma once

#include <span>
#include <string_view>

#include "awsproto/json_rpc.h"
#include "awsproto/schema.h"
#include "query/query.h"

namespace sluice::frontends::athena {

using awsproto::ActionCall;
using awsproto::ActionDone;

class Actions {
 public:
  Actions(query::Engine& engine, query::Executions& executions) : engine_(engine), executions_(executions) {}

  struct Action {
    std::string_view name;
    std::span<const awsproto::FieldSpec> fields;
    void (Actions::*run)(ActionCall& call, ActionDone done);
  };
  // nullptr for an unknown action name.
  static const Action* Find(std::string_view name);

  void StartQueryExecution(ActionCall& c, ActionDone done);
  void GetQueryExecution(ActionCall& c, ActionDone done);
  void BatchGetQueryExecution(ActionCall& c, ActionDone done);
  void GetQueryResults(ActionCall& c, ActionDone done);
  void StopQueryExecution(ActionCall& c, ActionDone done);
  void ListQueryExecutions(ActionCall& c, ActionDone done);
  void GetDatabase(ActionCall& c, ActionDone done);
  void ListDatabases(ActionCall& c, ActionDone done);
  void GetTableMetadata(ActionCall& c, ActionDone done);
  void ListTableMetadata(ActionCall& c, ActionDone done);

 private:
  query::Engine& engine_;
  query::Executions& executions_;
};

}  // namespace sluice::frontends::athena
