// Helpers the providers share.
#pragma once

#include <string>
#include <string_view>

#include "stacks/resources.h"

namespace sluice::stacks::providers {

// The resource's name: its `name_property` if set, else the engine's chosen name.
std::string NameOf(const ResourceRequest& request, std::string_view name_property);
// The property as text ("" when absent), numbers and booleans as CloudFormation prints them.
std::string Text(const Json& properties, std::string_view name);
// The failure message CloudFormation shows for a service's error.
StackError HandlerError(std::string_view service, std::string_view message);
// Upper-case letters and digits, as IAM unique ids use.
std::string RandomId(size_t length);
// kNone when equal, else kReplacement if any of `replace_on` differs, else kInPlace.
UpdateKind ClassifyBy(const Json& before, const Json& after, std::initializer_list<std::string_view> replace_on);

}  // namespace sluice::stacks::providers
