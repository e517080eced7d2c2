// The functions module as the alarms' AlarmActions: an alarm's Lambda action invokes the
// function asynchronously (InvocationType Event), as CloudWatch does through the
// lambda.alarms.cloudwatch.amazonaws.com principal.
#pragma once

#include "functions/functions.h"
#include "metrics/alarms.h"

namespace sluice::cli {

class FunctionAlarmActions final : public metrics::AlarmActions {
 public:
  explicit FunctionAlarmActions(functions::FunctionManager& functions) : functions_(functions) {}
  // Queues the invocation; a function that does not exist (or refuses the event) is the
  // error returned, which the alarm's history records as a failed action.
  Status InvokeAsync(const std::string& function, std::string payload) override;

 private:
  functions::FunctionManager& functions_;
};

}  // namespace sluice::cli
