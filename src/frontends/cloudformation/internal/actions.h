// One function per CloudFormation action: read the form parameters, call the stack
// manager, write the XML result (the inside of <ActionResult>).
#pragma once

#include <string>

#include "awsproto/query_protocol.h"
#include "stacks/stacks.h"

namespace sluice::objects {
class ObjectStore;
}

namespace sluice::frontends::cloudformation {

inline constexpr awsproto::QueryProtocol kProtocol{"http://cloudformation.amazonaws.com/doc/2010-05-15/",
                                                   "2010-05-15"};

struct ActionOutcome {
  stacks::StackStatus status = Done{};  // an error, or:
  std::string result_xml;
  bool with_result = true;  // false: the answer has no <ActionResult> (DeleteStack, ...)
};

struct ActionContext {
  stacks::StackManager& stacks;
  objects::ObjectStore* objects;
};

// Runs `q.action()`; unknown actions are reported by the caller (nullopt).
std::optional<ActionOutcome> RunAction(const ActionContext& ctx, const awsproto::QueryParams& q);

// The template a request names: TemplateBody, or TemplateURL read from sluice's S3.
stacks::StackResult<std::optional<std::string>> TemplateOf(const ActionContext& ctx, const awsproto::QueryParams& q);

}  // namespace sluice::frontends::cloudformation
