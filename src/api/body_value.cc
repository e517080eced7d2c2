#include "api/body_value.h"

namespace sluice::api {

Value::~Value() = default;

const Value* Value::Get(std::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return v.is_null() ? nullptr : &v;
  }
  return nullptr;
}

}  // namespace sluice::api
