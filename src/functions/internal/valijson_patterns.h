// valijson (Debian's 1.0) checks `pattern`, `patternProperties` and `format` with the C++
// standard library's pattern engine, which backtracks on the record's text and reads no
// ECMA-262 of its own; the version has no hook for another engine. So the members that
// do it are explicitly specialized here, for the adapters record_schema.cc validates
// with (NlohmannJsonAdapter; StdStringAdapter, which propertyNames uses for names), to
// match with base/linear_pattern.h (ECMA dialect, found anywhere in the value, linear
// time) and check formats with schema_formats.h.
//
// Include this header right after the valijson headers and before any validation, in
// the one translation unit that validates (record_schema.cc): an explicit
// specialization must be seen before the first use that would instantiate the member.
// The patterns are compiled when the schema is (RecordSchema::Parse) and found through
// ActivePatterns(), which Validate sets on its thread for the validation's duration.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/adapters/std_string_adapter.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validation_visitor.hpp>

#include "base/linear_pattern.h"
#include "internal/schema_formats.h"

namespace sluice::functions::internal {

// A schema's patterns, compiled (ECMA dialect), by their text.
using CompiledPatterns = std::map<std::string, LinearPattern, std::less<>>;

// The patterns of the schema being validated on this thread (null: none).
inline const CompiledPatterns*& ActivePatterns() {
  thread_local const CompiledPatterns* active = nullptr;
  return active;
}

// Whether `pattern` is found in `text`. A pattern the schema did not compile cannot
// match (RecordSchema::Parse compiles every one, so this does not happen).
inline bool PatternFound(std::string_view pattern, std::string_view text) {
  const CompiledPatterns* patterns = ActivePatterns();
  if (patterns == nullptr) return false;
  const auto it = patterns->find(pattern);
  return it != patterns->end() && it->second.Search(text);
}

// The bodies the specializations below share across both adapters.
template <typename Adapter>
bool CheckPattern(const Adapter& target, bool strict, const std::vector<std::string>& context,
                  valijson::ValidationResults* results, const valijson::constraints::PatternConstraint& c) {
  if ((strict && !target.isString()) || !target.maybeString()) return true;
  const std::string pattern = c.getPattern<std::string::allocator_type>();
  if (PatternFound(pattern, target.asString())) return true;
  if (results != nullptr) results->pushError(context, "Failed to match the pattern '" + pattern + "'.");
  return false;
}

template <typename Adapter>
bool CheckFormat(const Adapter& target, const std::vector<std::string>& context, valijson::ValidationResults* results,
                 const valijson::constraints::FormatConstraint& c) {
  if (!target.isString()) return true;  // format applies to strings only
  const std::string& format = c.getFormat();
  if (FormatValid(format, target.asString())) return true;
  if (results != nullptr) results->pushError(context, "String is not a valid " + format + ".");
  return false;
}

}  // namespace sluice::functions::internal

namespace valijson {

template <>
inline bool ValidationVisitor<adapters::NlohmannJsonAdapter>::visit(const PatternConstraint& c) {
  return sluice::functions::internal::CheckPattern(m_target, m_strictTypes, m_context, m_results, c);
}

template <>
inline bool ValidationVisitor<adapters::StdStringAdapter>::visit(const PatternConstraint& c) {
  return sluice::functions::internal::CheckPattern(m_target, m_strictTypes, m_context, m_results, c);
}

template <>
inline bool ValidationVisitor<adapters::NlohmannJsonAdapter>::visit(const FormatConstraint& c) {
  return sluice::functions::internal::CheckFormat(m_target, m_context, m_results, c);
}

template <>
inline bool ValidationVisitor<adapters::StdStringAdapter>::visit(const FormatConstraint& c) {
  return sluice::functions::internal::CheckFormat(m_target, m_context, m_results, c);
}

// patternProperties: what valijson's functor does, with PatternFound for the names.
// (ValidationVisitor<StdStringAdapter> keeps valijson's: a string is never an object, so
// its visit(PropertiesConstraint) returns before any pattern is looked at.)
template <>
struct ValidationVisitor<adapters::NlohmannJsonAdapter>::ValidatePatternPropertySubschemas {
  using Object = adapters::NlohmannJsonAdapter::Object;

  // The last parameter is valijson's cache of compiled patterns: unused here, only handed
  // on to the validators of the matching properties' values (its type stays deduced).
  template <typename Cache>
  ValidatePatternPropertySubschemas(const Object& object, const std::vector<std::string>& context,
                                    bool continue_on_success, bool continue_on_failure, bool continue_if_unmatched,
                                    bool strict_types, ValidationResults* results,
                                    std::set<std::string>* properties_matched, bool* validated, Cache& cache)
      : object_(object),
        context_(context),
        continue_on_success_(continue_on_success),
        continue_on_failure_(continue_on_failure),
        continue_if_unmatched_(continue_if_unmatched),
        strict_types_(strict_types),
        results_(results),
        properties_matched_(properties_matched),
        validated_(validated),
        cache_(&cache),
        // A lambda, not a member template: clang 16 substitutes the enclosing class's
        // argument for a member template's parameter in this explicit specialization.
        validate_(+[](void* c, const adapters::NlohmannJsonAdapter& value, std::vector<std::string> context,
                      bool strict_types, ValidationResults* results, const Subschema& subschema) {
          ValidationVisitor<adapters::NlohmannJsonAdapter> validator(value, std::move(context), strict_types,
                                                                     results, *static_cast<std::remove_reference_t<decltype(cache)>*>(c));
          return validator.validateSchema(subschema);
        }) {}

  template <typename StringType>
  bool operator()(const StringType& pattern_property, const Subschema* subschema) const {
    const std::string pattern(pattern_property.c_str());
    bool match_found = false;
    for (const adapters::NlohmannJsonAdapter::ObjectMember m : object_) {
      if (!sluice::functions::internal::PatternFound(pattern, m.first)) continue;
      match_found = true;
      if (properties_matched_ != nullptr) properties_matched_->insert(m.first);
      std::vector<std::string> context = context_;
      context.push_back("[" + m.first + "]");
      if (validate_(cache_, m.second, context, strict_types_, results_, *subschema)) continue;
      if (results_ != nullptr) {
        results_->pushError(context_, "Failed to validate against schema associated with pattern '" + pattern + "'.");
      }
      if (validated_ != nullptr) *validated_ = false;
      if (!continue_on_failure_) return false;
    }
    if (!match_found && !continue_if_unmatched_) return false;
    return continue_on_success_;
  }

 private:
  using Validate = bool (*)(void* cache, const adapters::NlohmannJsonAdapter& value, std::vector<std::string> context,
                            bool strict_types, ValidationResults* results, const Subschema& subschema);

  const Object& object_;
  const std::vector<std::string>& context_;
  const bool continue_on_success_;
  const bool continue_on_failure_;
  const bool continue_if_unmatched_;
  const bool strict_types_;
  ValidationResults* const results_;
  std::set<std::string>* const properties_matched_;
  bool* const validated_;
  void* const cache_;
  const Validate validate_;
};

}  // namespace valijson
