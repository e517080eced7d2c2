#include "cli/alarm_actions.h"

#include <chrono>
#include <future>
#include <memory>

namespace sluice::cli {

Status FunctionAlarmActions::InvokeAsync(const std::string& function, std::string payload) {
  // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
  std::string name = function, qualifier;
  size_t colons = 0, seventh = std::string::npos;
  for (size_t i = 0; i < function.size(); ++i) {
    if (function[i] == ':' && ++colons == 7) seventh = i;
  }
  if (seventh != std::string::npos) {
    name = function.substr(0, seventh);
    qualifier = function.substr(seventh + 1);
  }
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> queued = done->get_future();
  functions_.Invoke(name, qualifier, functions::InvocationType::kEvent, std::move(payload),
                    [done](functions::LambdaResult<functions::InvokeResult> r) {
                      done->set_value(r.ok() ? Status::OK()
                                             : Status::Unavailable(std::string(functions::LambdaErrorName(r.error().code)) +
                                                                   ": " + r.error().message));
                    });
  // An Event invocation completes as soon as it is queued.
  if (queued.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    return Status::Unavailable("the function's invocation queue did not answer");
  }
  return queued.get();
}

}  // namespace sluice::cli
