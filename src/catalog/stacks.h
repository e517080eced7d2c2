// The CloudFormation stacks' rows: one record per stack (a JSON document the stacks
// module owns: template, parameters, resources, outputs, status), the stack's events in
// order, and change sets. The catalog stores the documents as text and knows nothing
// of their fields; docs/formats/catalog.md lists the tables.
//
// Durability and threading: as catalog.h (each call is one SQLite transaction).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"

namespace sluice::catalog {

struct StackRow {
  std::string stack_id;  // the stack's ARN
  std::string name;
  bool deleted = false;  // DELETE_COMPLETE: kept for DescribeStacks by id and ListStacks
  std::string record;    // JSON, owned by the stacks module
  int64_t updated_ms = 0;
};

struct ChangeSetRow {
  std::string change_set_id;  // the change set's ARN
  std::string stack_id;
  std::string name;
  std::string record;  // JSON, owned by the stacks module
};

// Inserts or replaces the stack's row.
Status PutStack(Catalog& catalog, const StackRow& row);
// Every stack, deleted ones included, in the order they were first written.
Result<std::vector<StackRow>> LoadStacks(Catalog& catalog);

// Appends events with sequence numbers first_seq, first_seq + 1, ...
Status AppendStackEvents(Catalog& catalog, const std::string& stack_id, int64_t first_seq,
                         const std::vector<std::string>& events);
// The stack's events, oldest first.
Result<std::vector<std::string>> LoadStackEvents(Catalog& catalog, const std::string& stack_id);

Status PutChangeSet(Catalog& catalog, const ChangeSetRow& row);
Status DeleteChangeSet(Catalog& catalog, const std::string& change_set_id);
Result<std::vector<ChangeSetRow>> LoadChangeSets(Catalog& catalog);

}  // namespace sluice::catalog
