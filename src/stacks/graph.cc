#include "stacks/graph.h"

#include <map>

#include "stacks/references.h"

namespace sluice::stacks {

std::set<std::string> DependenciesOf(const Template& t, const ResourceDecl& resource) {
  std::set<std::string> deps(resource.depends_on.begin(), resource.depends_on.end());
  auto refs = CollectReferences(resource.properties);
  if (refs.ok()) {
    for (const std::string& n : refs->refs) {
      if (t.FindResource(n) != nullptr) deps.insert(n);
    }
    for (const std::string& n : refs->get_atts) {
      if (t.FindResource(n) != nullptr) deps.insert(n);
    }
  }
  deps.erase(resource.logical_id);  // a self-reference is reported as a cycle below
  return deps;
}

StackResult<std::vector<std::vector<std::string>>> CreationWaves(const Template& t) {
  std::map<std::string, std::set<std::string>> pending;
  for (const ResourceDecl& r : t.resources) {
    std::set<std::string> deps = DependenciesOf(t, r);
    // A resource naming itself is the smallest cycle.
    auto refs = CollectReferences(r.properties);
    bool self = false;
    for (const std::string& d : r.depends_on) self = self || d == r.logical_id;
    if (refs.ok()) self = self || refs->refs.count(r.logical_id) || refs->get_atts.count(r.logical_id);
    if (self) deps.insert(r.logical_id);
    pending.emplace(r.logical_id, std::move(deps));
  }
  std::vector<std::vector<std::string>> waves;
  std::set<std::string> done;
  while (done.size() < t.resources.size()) {
    std::vector<std::string> wave;
    for (const ResourceDecl& r : t.resources) {
      if (done.count(r.logical_id)) continue;
      bool ready = true;
      for (const std::string& d : pending[r.logical_id]) {
        if (!done.count(d)) {
          ready = false;
          break;
        }
      }
      if (ready) wave.push_back(r.logical_id);
    }
    if (wave.empty()) break;
    for (const std::string& id : wave) done.insert(id);
    waves.push_back(std::move(wave));
  }
  if (done.size() == t.resources.size()) return waves;

  // What is left holds at least one cycle. Peel off resources that only wait on the
  // cycle (nothing depends on them among the rest) so the message names the cycle.
  std::set<std::string> rest;
  for (const ResourceDecl& r : t.resources) {
    if (!done.count(r.logical_id)) rest.insert(r.logical_id);
  }
  bool changed = true;
  while (changed) {
    changed = false;
    for (auto it = rest.begin(); it != rest.end();) {
      bool needed = false;
      for (const std::string& other : rest) {
        if (pending[other].count(*it)) {
          needed = true;
          break;
        }
      }
      if (!needed) {
        it = rest.erase(it);
        changed = true;
      } else {
        ++it;
      }
    }
  }
  std::string names;
  for (const ResourceDecl& r : t.resources) {
    if (!rest.count(r.logical_id)) continue;
    if (!names.empty()) names += ", ";
    names += r.logical_id;
  }
  return ValidationError("Circular dependency between resources: [" + names + "]");
}

}  // namespace sluice::stacks
