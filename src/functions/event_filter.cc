#include "internal/event_filter.h"

#include <cmath>

namespace sluice::functions::internal {
namespace {

using nlohmann::json;

Status Invalid(std::string why) { return Status::InvalidArgument(std::move(why)); }

bool IsLiteral(const json& v) {
  return v.is_string() || v.is_number() || v.is_boolean() || v.is_null();
}

Status CheckNumericOperands(const json& arr) {
  if (!arr.is_array() || arr.empty() || arr.size() % 2 != 0 || arr.size() > 4) {
    return Invalid("numeric takes one or two (operator, number) pairs");
  }
  for (size_t i = 0; i < arr.size(); i += 2) {
    if (!arr[i].is_string() || !arr[i + 1].is_number()) {
      return Invalid("numeric takes (operator, number) pairs");
    }
    const std::string op = arr[i].get<std::string>();
    if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") {
      return Invalid("unknown numeric operator " + op);
    }
  }
  return Status::OK();
}

Status CheckMatcher(const json& m) {
  if (IsLiteral(m)) return Status::OK();
  if (!m.is_object() || m.size() != 1) return Invalid("a matcher is a value or a one-key object");
  const auto first = m.begin();
  const std::string& key = first.key();
  const json& arg = first.value();
  if (key == "prefix" || key == "suffix" || key == "equals-ignore-case") {
    if (!arg.is_string()) return Invalid(key + " takes a string");
    return Status::OK();
  }
  if (key == "exists") {
    if (!arg.is_boolean()) return Invalid("exists takes true or false");
    return Status::OK();
  }
  if (key == "numeric") return CheckNumericOperands(arg);
  if (key == "anything-but") {
    if (IsLiteral(arg)) return Status::OK();
    if (arg.is_array()) {
      if (arg.empty()) return Invalid("anything-but takes a non-empty list");
      for (const json& v : arg) {
        if (!IsLiteral(v)) return Invalid("anything-but lists values");
      }
      return Status::OK();
    }
    if (arg.is_object() && arg.size() == 1 &&
        (arg.contains("prefix") || arg.contains("suffix")) && arg.begin()->is_string()) {
      return Status::OK();
    }
    return Invalid("anything-but takes a value, a list of values, or a prefix/suffix");
  }
  if (key == "wildcard" || key == "cidr") {
    return Status::NotSupported("the '" + key + "' filter operator is not supported by sluice");
  }
  return Invalid("unknown filter operator " + key);
}

Status CheckPattern(const json& p, int depth) {
  if (depth > 32) return Invalid("pattern nested too deeply");
  if (!p.is_object() || p.empty()) return Invalid("a pattern is a non-empty object");
  for (auto it = p.begin(); it != p.end(); ++it) {
    const std::string& key = it.key();
    const json& value = it.value();
    if (key == "$or") return Status::NotSupported("the '$or' filter operator is not supported by sluice");
    if (value.is_object()) {
      RETURN_IF_ERROR(CheckPattern(value, depth + 1));
      continue;
    }
    if (!value.is_array() || value.empty()) {
      return Invalid("the value of " + key + " must be an object or a non-empty array");
    }
    for (const json& m : value) RETURN_IF_ERROR(CheckMatcher(m));
  }
  return Status::OK();
}

bool LiteralEquals(const json& pattern, const json& v) {
  if (pattern.is_number() && v.is_number()) return pattern.get<double>() == v.get<double>();
  return pattern == v;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool NumericMatches(const json& ops, double x) {
  for (size_t i = 0; i < ops.size(); i += 2) {
    const std::string op = ops[i].get<std::string>();
    const double bound = ops[i + 1].get<double>();
    const bool ok = op == "=" ? x == bound : op == "<" ? x < bound : op == "<=" ? x <= bound
                  : op == ">" ? x > bound : x >= bound;
    if (!ok) return false;
  }
  return true;
}

// One matcher against one present, non-array value.
bool MatchOne(const json& m, const json& v) {
  if (IsLiteral(m)) return LiteralEquals(m, v);
  const auto first = m.begin();
  const std::string& key = first.key();
  const json& arg = first.value();
  if (key == "prefix") return v.is_string() && v.get_ref<const std::string&>().starts_with(arg.get_ref<const std::string&>());
  if (key == "suffix") return v.is_string() && EndsWith(v.get_ref<const std::string&>(), arg.get_ref<const std::string&>());
  if (key == "equals-ignore-case") {
    return v.is_string() && EqualsIgnoreCase(v.get_ref<const std::string&>(), arg.get_ref<const std::string&>());
  }
  if (key == "numeric") return v.is_number() && NumericMatches(arg, v.get<double>());
  if (key == "exists") return arg.get<bool>();  // the value is present
  // anything-but
  if (IsLiteral(arg)) return !LiteralEquals(arg, v);
  if (arg.is_array()) {
    for (const json& x : arg) {
      if (LiteralEquals(x, v)) return false;
    }
    return true;
  }
  if (!v.is_string()) return true;
  const std::string& s = v.get_ref<const std::string&>();
  if (arg.contains("prefix")) return !s.starts_with(arg["prefix"].get_ref<const std::string&>());
  return !EndsWith(s, arg["suffix"].get_ref<const std::string&>());
}

bool MatchLeaf(const json& matchers, const json* v) {
  for (const json& m : matchers) {
    if (m.is_object() && m.contains("exists")) {
      if (m["exists"].get<bool>() == (v != nullptr)) return true;
      continue;
    }
    if (v == nullptr) continue;
    if (v->is_array()) {
      for (const json& e : *v) {
        if (!e.is_array() && !e.is_object() && MatchOne(m, e)) return true;
      }
      continue;
    }
    if (v->is_object()) continue;
    if (MatchOne(m, *v)) return true;
  }
  return false;
}

bool MatchObject(const json& pattern, const json* event) {
  for (auto it = pattern.begin(); it != pattern.end(); ++it) {
    const std::string& key = it.key();
    const json& value = it.value();
    const json* field = nullptr;
    if (event != nullptr && event->is_object()) {
      const auto it = event->find(key);
      if (it != event->end()) field = &*it;
    }
    if (value.is_object()) {
      if (!MatchObject(value, field)) return false;
      continue;
    }
    if (!MatchLeaf(value, field)) return false;
  }
  return true;
}

// Whether `data` nests arrays/objects deeper than `limit` (strings skipped): such input is
// not parsed, so destroying its tree cannot exhaust the stack.
bool NestsDeeperThan(std::string_view data, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

constexpr int kMaxDataDepth = 128;

}  // namespace

Result<EventFilter> EventFilter::Parse(std::string_view pattern) {
  if (NestsDeeperThan(pattern, kMaxDataDepth)) return Invalid("pattern nested too deeply");
  json p = json::parse(pattern, nullptr, /*allow_exceptions=*/false);
  if (p.is_discarded()) return Invalid("the pattern is not JSON");
  RETURN_IF_ERROR(CheckPattern(p, 0));
  EventFilter f;
  f.pattern_ = std::move(p);
  return f;
}

bool EventFilter::Matches(const json& event) const { return MatchObject(pattern_, &event); }

Result<FilterSet> FilterSet::Parse(const std::vector<std::string>& patterns) {
  FilterSet set;
  for (const std::string& p : patterns) {
    ASSIGN_OR_RETURN(EventFilter f, EventFilter::Parse(p));
    set.filters_.push_back(std::move(f));
  }
  return set;
}

bool FilterSet::MatchesRecord(std::string_view partition_key, std::string_view sequence_number,
                              int64_t arrival_ms, std::string_view data) const {
  if (filters_.empty()) return true;
  json event = {{"kinesisSchemaVersion", "1.0"},
                {"partitionKey", partition_key},
                {"sequenceNumber", sequence_number},
                {"approximateArrivalTimestamp", static_cast<double>(arrival_ms) / 1000.0}};
  if (!NestsDeeperThan(data, kMaxDataDepth)) {
    json parsed = json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) event["data"] = std::move(parsed);
  }
  for (const EventFilter& f : filters_) {
    if (f.Matches(event)) return true;
  }
  return false;
}

}  // namespace sluice::functions::internal
