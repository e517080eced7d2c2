// The order resources are created and deleted in: a resource depends on every resource
// it names through Ref, Fn::GetAtt, an Fn::Sub variable, or DependsOn.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "stacks/errors.h"
#include "stacks/template.h"

namespace sluice::stacks {

// The logical ids `resource` depends on (resources of `t` only; parameters and pseudo
// parameters are not dependencies). Requires a template ParseTemplate accepted.
std::set<std::string> DependenciesOf(const Template& t, const ResourceDecl& resource);

// Resources in creation waves: every resource of wave k depends only on resources of
// earlier waves, so the resources of one wave can be created in parallel. Within a wave,
// template order. Deletion runs the waves in reverse. A cycle is ValidationError
// "Circular dependency between resources: [A, B]" naming the resources on cycles.
StackResult<std::vector<std::vector<std::string>>> CreationWaves(const Template& t);

}  // namespace sluice::stacks
