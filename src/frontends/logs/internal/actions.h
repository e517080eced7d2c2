// Internal to the Logs front end: the actions behind LogsService.
#pragma once

#include <span>
#include <string_view>

#include "awsproto/json_rpc.h"
#include "awsproto/schema.h"
#include "functions/logs.h"

namespace sluice::frontends::logs {

using awsproto::ActionCall;
using awsproto::ActionDone;

class Actions {
 public:
  explicit Actions(functions::LogStore& store) : store_(store) {}

  struct Action {
    std::string_view name;
    std::span<const awsproto::FieldSpec> fields;
    void (Actions::*run)(ActionCall& call, ActionDone done);
  };
  // nullptr for an unknown action name.
  static const Action* Find(std::string_view name);

  void CreateLogGroup(ActionCall& c, ActionDone done);
  void DeleteLogGroup(ActionCall& c, ActionDone done);
  void DescribeLogGroups(ActionCall& c, ActionDone done);
  void DescribeLogStreams(ActionCall& c, ActionDone done);
  void GetLogEvents(ActionCall& c, ActionDone done);
  void FilterLogEvents(ActionCall& c, ActionDone done);
  void PutRetentionPolicy(ActionCall& c, ActionDone done);
  void DeleteRetentionPolicy(ActionCall& c, ActionDone done);
  void StartLiveTail(ActionCall& c, ActionDone done);

 private:
  functions::LogStore& store_;
};

}  // namespace sluice::frontends::logs
