#include "stacks/intrinsics.h"

#include <charconv>
#include <set>

#include "base/base64.h"
#include "stacks/references.h"

namespace sluice::stacks {
namespace {

constexpr int kMaxDepth = 64;

StackError Unresolved(const std::string& name) {
  return ValidationError("Template format error: Unresolved resource dependencies [" + name +
                         "] in the Resources block of the template");
}

std::vector<std::string> SplitText(std::string_view s, std::string_view delim) {
  std::vector<std::string> out;
  if (delim.empty()) {
    out.emplace_back(s);
    return out;
  }
  size_t start = 0;
  while (true) {
    const size_t at = s.find(delim, start);
    if (at == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      return out;
    }
    out.emplace_back(s.substr(start, at - start));
    start = at + delim.size();
  }
}

class Resolver {
 public:
  explicit Resolver(const EvalContext& ctx) : ctx_(ctx) {}

  // Resolves `v`; *no_value is set when it is AWS::NoValue (the caller drops it).
  StackResult<Json> Eval(const Json& v, bool* no_value, int depth) {
    if (depth > kMaxDepth) return ValidationError("Template error: intrinsic functions nest too deeply");
    if (v.is_array()) {
      Json out = Json::array();
      for (const Json& item : v) {
        bool drop = false;
        auto r = Eval(item, &drop, depth + 1);
        if (!r.ok()) return r;
        if (!drop) out.push_back(std::move(*r));
      }
      return out;
    }
    if (!v.is_object()) return v;
    if (v.size() == 1) {
      const auto first = v.begin();
      const std::string& key = first.key();
      const Json& arg = first.value();
      if (key == "Ref") return Ref(arg, no_value);
      if (key.rfind("Fn::", 0) == 0) return Function(key, arg, no_value, depth);
      if (key == "Condition" && arg.is_string()) {
        auto c = ConditionValue(arg.get<std::string>());
        if (!c.ok()) return c.error();
        return Json(*c);
      }
    }
    Json out = Json::object();
    for (const auto& item : v.items()) {
      bool drop = false;
      auto r = Eval(item.value(), &drop, depth + 1);
      if (!r.ok()) return r;
      if (!drop) out[item.key()] = std::move(*r);
    }
    return out;
  }

  StackResult<bool> ConditionValue(const std::string& name) {
    if (ctx_.conditions != nullptr) {
      auto it = ctx_.conditions->find(name);
      if (it != ctx_.conditions->end()) return it->second;
    }
    auto done = evaluated_.find(name);
    if (done != evaluated_.end()) return done->second;
    if (ctx_.tmpl == nullptr || !ctx_.tmpl->conditions.contains(name)) {
      return ValidationError("Template format error: Unresolved condition dependency " + name + " in Fn::If");
    }
    if (!in_progress_.insert(name).second) {
      return ValidationError("Template error: Circular dependency between conditions: [" + name + "]");
    }
    auto r = Eval(ctx_.tmpl->conditions[name], nullptr, 1);
    in_progress_.erase(name);
    if (!r.ok()) return r.error();
    if (!r->is_boolean()) {
      return ValidationError("Template format error: Conditions can only be boolean operations on parameters and other conditions");
    }
    evaluated_[name] = r->get<bool>();
    return r->get<bool>();
  }

 private:
  StackResult<Json> Ref(const Json& arg, bool* no_value) {
    if (!arg.is_string()) {
      return ValidationError("Template format error: Every Ref object must have a single String value.");
    }
    const std::string name = arg.get<std::string>();
    const PseudoParameters& p = ctx_.pseudo;
    if (name == "AWS::Region") return Json(p.region);
    if (name == "AWS::AccountId") return Json(p.account_id);
    if (name == "AWS::StackName") return Json(p.stack_name);
    if (name == "AWS::StackId") return Json(p.stack_id);
    if (name == "AWS::Partition") return Json(p.partition);
    if (name == "AWS::URLSuffix") return Json(p.url_suffix);
    if (name == "AWS::NotificationARNs") return Json::array();
    if (name == "AWS::NoValue") {
      if (no_value == nullptr) return ValidationError("Template error: AWS::NoValue cannot be used here");
      *no_value = true;
      return Json(nullptr);
    }
    if (ctx_.tmpl != nullptr) {
      if (const ParameterDecl* decl = ctx_.tmpl->FindParameter(name)) {
        if (ctx_.parameters == nullptr) return Unresolved(name);
        auto it = ctx_.parameters->find(name);
        if (it == ctx_.parameters->end()) {
          return ValidationError("Parameters: [" + name + "] must have values");
        }
        if (decl->is_list()) {
          Json list = Json::array();
          if (!it->second.empty()) {
            for (auto& item : SplitText(it->second, ",")) list.push_back(std::move(item));
          }
          return list;
        }
        return Json(it->second);
      }
      if (ctx_.tmpl->FindResource(name) != nullptr && ctx_.resource_ref) return ctx_.resource_ref(name);
    }
    return Unresolved(name);
  }

  StackResult<Json> GetAtt(const std::string& resource, const std::string& attribute) {
    if (ctx_.tmpl == nullptr || ctx_.tmpl->FindResource(resource) == nullptr || !ctx_.get_att) {
      return ValidationError("Template error: instance of Fn::GetAtt references undefined resource " + resource);
    }
    return ctx_.get_att(resource, attribute);
  }

  StackResult<std::string> Text(const Json& arg, std::string_view fn, int depth) {
    auto r = Eval(arg, nullptr, depth + 1);
    if (!r.ok()) return r.error();
    return ToText(*r, fn);
  }

  StackResult<Json> List(const Json& arg, std::string_view fn, int depth) {
    auto r = Eval(arg, nullptr, depth + 1);
    if (!r.ok()) return r.error();
    if (!r->is_array()) {
      return ValidationError("Template error: every " + std::string(fn) + " object requires a list of values");
    }
    return r;
  }

  StackResult<Json> Sub(const Json& arg, int depth) {
    std::string format;
    Json bound = Json::object();
    if (arg.is_string()) {
      format = arg.get<std::string>();
    } else if (arg.is_array() && arg.size() == 2 && arg[0].is_string() && arg[1].is_object()) {
      format = arg[0].get<std::string>();
      for (const auto& item : arg[1].items()) {
        auto r = Eval(item.value(), nullptr, depth + 1);
        if (!r.ok()) return r;
        bound[item.key()] = std::move(*r);
      }
    } else {
      return ValidationError("Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string");
    }
    auto pieces = ParseSubString(format);
    if (!pieces.ok()) return pieces.error();
    std::string out;
    for (const SubPiece& piece : *pieces) {
      if (!piece.is_variable) {
        out += piece.text;
        continue;
      }
      StackResult<Json> value = Json(nullptr);
      if (bound.contains(piece.text)) {
        value = bound[piece.text];
      } else if (const size_t dot = piece.text.find('.');
                 dot != std::string::npos && !IsPseudoParameter(piece.text)) {
        value = GetAtt(piece.text.substr(0, dot), piece.text.substr(dot + 1));
      } else {
        value = Ref(Json(piece.text), nullptr);
      }
      if (!value.ok()) return value;
      if (!value->is_string() && !value->is_number() && !value->is_boolean()) {
        return ValidationError("Template error: variable " + piece.text +
                               " in Fn::Sub expression does not resolve to a string");
      }
      auto text = ToText(*value, "Fn::Sub");
      if (!text.ok()) return text.error();
      out += *text;
    }
    return Json(out);
  }

  StackResult<Json> Function(const std::string& fn, const Json& arg, bool* no_value, int depth) {
    if (fn == "Fn::Sub") return Sub(arg, depth);
    if (fn == "Fn::GetAtt") {
      std::string resource, attribute;
      if (arg.is_string()) {
        const std::string s = arg.get<std::string>();
        const size_t dot = s.find('.');
        if (dot == std::string::npos) {
          return ValidationError("Template error: every Fn::GetAtt object requires two non-empty parameters");
        }
        resource = s.substr(0, dot);
        attribute = s.substr(dot + 1);
      } else if (arg.is_array() && arg.size() == 2 && arg[0].is_string()) {
        resource = arg[0].get<std::string>();
        auto a = Text(arg[1], fn, depth);
        if (!a.ok()) return a.error();
        attribute = *a;
      } else {
        return ValidationError("Template error: every Fn::GetAtt object requires two non-empty parameters");
      }
      return GetAtt(resource, attribute);
    }
    if (fn == "Fn::Join") {
      if (!arg.is_array() || arg.size() != 2 || !arg[0].is_string()) {
        return ValidationError("Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.");
      }
      auto list = List(arg[1], fn, depth);
      if (!list.ok()) return list;
      const std::string delim = arg[0].get<std::string>();
      std::string out;
      bool first = true;
      for (const Json& item : *list) {
        auto text = ToText(item, fn);
        if (!text.ok()) return text.error();
        if (!first) out += delim;
        out += *text;
        first = false;
      }
      return Json(out);
    }
    if (fn == "Fn::Select") {
      if (!arg.is_array() || arg.size() != 2) {
        return ValidationError("Template error: Fn::Select requires a list argument with two elements: an integer index and a list");
      }
      auto index_text = Text(arg[0], fn, depth);
      if (!index_text.ok()) return index_text.error();
      int64_t index = -1;
      auto [p, ec] = std::from_chars(index_text->data(), index_text->data() + index_text->size(), index);
      if (ec != std::errc() || p != index_text->data() + index_text->size() || index < 0) {
        return ValidationError("Template error: Fn::Select requires a list argument with two elements: an integer index and a list");
      }
      auto list = List(arg[1], fn, depth);
      if (!list.ok()) return list;
      if (static_cast<size_t>(index) >= list->size()) {
        return ValidationError("Template error: Fn::Select cannot select nonexistent value at index " +
                               std::to_string(index));
      }
      return (*list)[static_cast<size_t>(index)];
    }
    if (fn == "Fn::Split") {
      if (!arg.is_array() || arg.size() != 2 || !arg[0].is_string()) {
        return ValidationError("Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.");
      }
      auto text = Text(arg[1], fn, depth);
      if (!text.ok()) return text.error();
      Json out = Json::array();
      for (auto& s : SplitText(*text, arg[0].get<std::string>())) out.push_back(std::move(s));
      return out;
    }
    if (fn == "Fn::If") {
      if (!arg.is_array() || arg.size() != 3 || !arg[0].is_string()) {
        return ValidationError("Template error: Fn::If requires a list argument with three elements");
      }
      auto c = ConditionValue(arg[0].get<std::string>());
      if (!c.ok()) return c.error();
      return Eval(arg[*c ? 1 : 2], no_value, depth + 1);
    }
    if (fn == "Fn::Equals") {
      if (!arg.is_array() || arg.size() != 2) {
        return ValidationError("Template error: Fn::Equals requires a list argument with two elements");
      }
      auto a = Eval(arg[0], nullptr, depth + 1);
      if (!a.ok()) return a;
      auto b = Eval(arg[1], nullptr, depth + 1);
      if (!b.ok()) return b;
      auto ta = ToText(*a, fn);
      auto tb = ToText(*b, fn);
      if (ta.ok() && tb.ok()) return Json(*ta == *tb);
      return Json(*a == *b);
    }
    if (fn == "Fn::And" || fn == "Fn::Or") {
      if (!arg.is_array() || arg.size() < 2 || arg.size() > 10) {
        return ValidationError("Template error: " + fn + " requires a list argument with 2 to 10 elements");
      }
      bool result = fn == "Fn::And";
      for (const Json& item : arg) {
        auto r = Eval(item, nullptr, depth + 1);
        if (!r.ok()) return r;
        if (!r->is_boolean()) {
          return ValidationError("Template error: every " + fn + " member must be a condition");
        }
        result = fn == "Fn::And" ? (result && r->get<bool>()) : (result || r->get<bool>());
      }
      return Json(result);
    }
    if (fn == "Fn::Not") {
      if (!arg.is_array() || arg.size() != 1) {
        return ValidationError("Template error: Fn::Not requires a list argument with one element");
      }
      auto r = Eval(arg[0], nullptr, depth + 1);
      if (!r.ok()) return r;
      if (!r->is_boolean()) return ValidationError("Template error: Fn::Not requires a condition");
      return Json(!r->get<bool>());
    }
    if (fn == "Fn::FindInMap") {
      if (!arg.is_array() || arg.size() != 3) {
        return ValidationError("Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value");
      }
      std::string keys[3];
      for (int i = 0; i < 3; ++i) {
        auto t = Text(arg[i], fn, depth);
        if (!t.ok()) return t.error();
        keys[i] = *t;
      }
      const Json* maps = ctx_.tmpl != nullptr ? &ctx_.tmpl->mappings : nullptr;
      if (maps == nullptr || !maps->contains(keys[0]) || !(*maps)[keys[0]].contains(keys[1]) ||
          !(*maps)[keys[0]][keys[1]].contains(keys[2])) {
        return ValidationError("Template error: Unable to get mapping for " + keys[0] + "::" + keys[1] +
                               "::" + keys[2]);
      }
      return (*maps)[keys[0]][keys[1]][keys[2]];
    }
    if (fn == "Fn::Base64") {
      auto t = Text(arg, fn, depth);
      if (!t.ok()) return t.error();
      return Json(Base64Encode(*t));
    }
    if (fn == "Fn::GetAZs") {
      auto t = Text(arg, fn, depth);
      if (!t.ok()) return t.error();
      const std::string region = t->empty() ? ctx_.pseudo.region : *t;
      return Json::array({region + "a", region + "b", region + "c"});
    }
    if (fn == "Fn::ImportValue") {
      auto t = Text(arg, fn, depth);
      if (!t.ok()) return t.error();
      if (!ctx_.import_value) {
        return ValidationError("No export named " + *t + " found.");
      }
      auto v = ctx_.import_value(*t);
      if (!v.ok()) return v.error();
      return Json(*v);
    }
    return ValidationError("Template error: Encountered unsupported function: " + fn +
                           " Supported functions are: [Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, "
                           "Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, "
                           "Condition, Fn::And, Fn::Or, Fn::Sub]");
  }

  const EvalContext& ctx_;
  std::map<std::string, bool> evaluated_;
  std::set<std::string> in_progress_;
};

}  // namespace

StackResult<std::string> ToText(const Json& v, std::string_view where) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number()) return v.dump();
  return ValidationError("Template error: every " + std::string(where) +
                         " value must resolve to a string, not " + v.dump());
}

StackResult<Json> Resolve(const Json& value, const EvalContext& ctx) {
  Resolver r(ctx);
  bool no_value = false;
  auto out = r.Eval(value, &no_value, 0);
  if (!out.ok()) return out;
  if (no_value) return Json(nullptr);
  return out;
}

StackResult<std::map<std::string, bool>> EvaluateConditions(const EvalContext& ctx) {
  std::map<std::string, bool> out;
  if (ctx.tmpl == nullptr) return out;
  EvalContext plain = ctx;
  plain.conditions = nullptr;
  Resolver r(plain);
  for (const auto& item : ctx.tmpl->conditions.items()) {
    auto v = r.ConditionValue(item.key());
    if (!v.ok()) return v.error();
    out[item.key()] = *v;
  }
  return out;
}

}  // namespace sluice::stacks
