#include "awsproto/value.h"

namespace sluice::awsproto {

Value::~Value() = default;

const Value* Value::Get(std::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return v.is_null() ? nullptr : &v;
  }
  return nullptr;
}

}  // namespace sluice::awsproto
