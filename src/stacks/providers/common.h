// Helpers the providers share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stacks/resources.h"

namespace sluice::stacks::providers {

// The resource's name: its `name_property` if set, else the engine's chosen name.
std::string NameOf(const ResourceRequest& request, std::string_view name_property);
// The property as text ("" when absent), numbers and booleans as CloudFormation prints them.
std::string Text(const Json& properties, std::string_view name);
// An integer property: nullopt when absent, INT64_MIN when it does not start with a number (out of every
// range, so the service refuses it with its own message).
std::optional<int64_t> IntOf(const Json& properties, std::string_view name);
// The failure message CloudFormation shows for a service's error.
StackError HandlerError(std::string_view service, std::string_view message);
// The same for a REST service's error with its HTTP status ("Service: Lambda, Status Code: 404").
StackError HandlerError(std::string_view service, int http_status, std::string_view message);
// Tags: [{Key, Value}, ...] as the property lists them.
using TagList = std::vector<std::pair<std::string, std::string>>;
TagList TagsOf(const Json& properties);
// The keys of `before` that `after` no longer has.
std::vector<std::string> RemovedTagKeys(const TagList& before, const TagList& after);
// Upper-case letters and digits, as IAM unique ids use.
std::string RandomId(size_t length);
// kNone when equal, else kReplacement if any of `replace_on` differs, else kInPlace.
UpdateKind ClassifyBy(const Json& before, const Json& after, std::initializer_list<std::string_view> replace_on);

}  // namespace sluice::stacks::providers
