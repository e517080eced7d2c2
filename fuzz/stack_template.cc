// CloudFormation templates (src/stacks): ParseTemplate on JSON and YAML bodies, then
// parameters with their defaults, conditions and the intrinsics of every resource and
// output; and AllowedPattern (base/linear_pattern.h, both its dialects) on its own. The
// last input byte picks the part (odd: a pattern), so a template ending in a newline is a
// template.
// Invariants, templates: no crash or sanitizer report; a refused template has a
// ValidationError message; an accepted one has unique logical ids, each with a type, and
// creation waves that hold every resource once, after what it depends on; resolving
// never leaves an error without a message.
// Invariants, patterns (pattern, then value, cut by ConsumeRandomLengthString): a value
// quoted as a pattern matches itself; a pattern that compiles matches the same values as
// (?:P) and P|P, and whatever it matches (?:P)+ matches too; in the ECMA dialect, P is
// found in a value exactly when [^]*(?:P)[^]* matches the whole of it.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "check.h"
#include "base/linear_pattern.h"
#include "stacks/graph.h"
#include "stacks/intrinsics.h"
#include "stacks/parameters.h"
#include "stacks/template.h"

namespace stacks = sluice::stacks;

namespace {

constexpr size_t kMaxValue = 256;  // matching costs pattern size times value size

void CheckError(const stacks::StackError& e) {
  FUZZ_CHECK(e.code == stacks::StackErrorType::kValidationError);
  FUZZ_CHECK(!e.message.empty());
}

std::optional<bool> Matches(const std::string& pattern, const std::string& value,
                            sluice::PatternSyntax syntax = sluice::PatternSyntax::kJava, bool search = false) {
  auto p = sluice::LinearPattern::Compile(pattern, syntax);
  if (!p.ok()) {
    FUZZ_CHECK(!p.error().empty());
    return std::nullopt;
  }
  return search ? p->Search(value) : p->FullMatch(value);
}

void FuzzPattern(FuzzedDataProvider& in) {
  const std::string pattern = in.ConsumeRandomLengthString(512);
  const std::string value = in.ConsumeRandomLengthString(kMaxValue);
  bool ascii = true;
  std::string quoted;
  static const char* kHex = "0123456789abcdef";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    ascii = ascii && u < 0x80;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      quoted += c;
    } else {
      quoted += "\\x";
      quoted += kHex[u >> 4];
      quoted += kHex[u & 15];
    }
  }
  if (ascii) FUZZ_CHECK(Matches(quoted, value) == std::optional<bool>(true));
  const auto direct = Matches(pattern, value);
  if (!direct) return;
  if (auto grouped = Matches("(?:" + pattern + ")", value)) FUZZ_CHECK(*grouped == *direct);
  if (auto twice = Matches(pattern + "|" + pattern, value)) FUZZ_CHECK(*twice == *direct);
  if (*direct) {
    if (auto plus = Matches("(?:" + pattern + ")+", value)) FUZZ_CHECK(*plus);
  }
  constexpr auto kEcma = sluice::PatternSyntax::kEcma;
  if (const auto found = Matches(pattern, value, kEcma, true)) {
    if (auto whole = Matches("[^]*(?:" + pattern + ")[^]*", value, kEcma)) FUZZ_CHECK(*whole == *found);
  }
}

void FuzzTemplate(const std::string& body) {
  auto t = stacks::ParseTemplate(body);
  if (!t.ok()) {
    CheckError(t.error());
    return;
  }
  std::set<std::string> ids;
  for (const auto& r : t->resources) {
    FUZZ_CHECK(!r.type.empty());
    FUZZ_CHECK(ids.insert(r.logical_id).second);
  }
  auto waves = stacks::CreationWaves(*t);
  FUZZ_CHECK(waves.ok());
  std::map<std::string, size_t> wave_of;
  for (size_t w = 0; w < waves->size(); ++w) {
    for (const auto& id : (*waves)[w]) FUZZ_CHECK(wave_of.emplace(id, w).second);
  }
  FUZZ_CHECK(wave_of.size() == ids.size());
  for (const auto& r : t->resources) {
    for (const auto& dep : stacks::DependenciesOf(*t, r)) {
      FUZZ_CHECK(wave_of.count(dep) == 1);
      FUZZ_CHECK(wave_of[dep] < wave_of[r.logical_id]);
    }
  }

  auto params = stacks::ResolveParameters(*t, {}, nullptr);
  if (!params.ok()) {
    CheckError(params.error());
    return;
  }
  stacks::EvalContext ctx;
  ctx.tmpl = &*t;
  ctx.parameters = &*params;
  ctx.pseudo.stack_name = "fuzz";
  ctx.pseudo.stack_id = "arn:aws:cloudformation:us-east-1:000000000000:stack/fuzz/id";
  ctx.resource_ref = [](const std::string& id) -> stacks::StackResult<stacks::Json> { return stacks::Json("ref-" + id); };
  ctx.get_att = [](const std::string& id, const std::string& att) -> stacks::StackResult<stacks::Json> {
    return stacks::Json(id + "." + att);
  };
  ctx.import_value = [](const std::string& name) -> stacks::StackResult<std::string> { return "import-" + name; };
  auto conditions = stacks::EvaluateConditions(ctx);
  if (!conditions.ok()) {
    CheckError(conditions.error());
    return;
  }
  ctx.conditions = &*conditions;
  for (const auto& r : t->resources) {
    auto v = stacks::Resolve(r.properties, ctx);
    if (!v.ok()) CheckError(v.error());
  }
  for (const auto& o : t->outputs) {
    auto v = stacks::Resolve(o.value, ctx);
    if (!v.ok()) {
      CheckError(v.error());
    } else {
      auto text = stacks::ToText(*v, "Outputs");
      if (!text.ok()) CheckError(text.error());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  if (in.ConsumeBool()) {
    FuzzPattern(in);
  } else {
    FuzzTemplate(in.ConsumeRemainingBytesAsString());
  }
  return 0;
}
