// NamedType<T, Tag>: a strong typedef so an offset cannot be passed where a byte
// position or a shard id is expected. Comparable, hashable, explicit to build.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <ostream>

namespace sluice {

template <typename T, typename Tag>
class NamedType {
 public:
  using value_type = T;
  constexpr NamedType() = default;
  constexpr explicit NamedType(T v) : v_(v) {}
  constexpr T value() const { return v_; }
  constexpr auto operator<=>(const NamedType&) const = default;
  friend std::ostream& operator<<(std::ostream& os, const NamedType& n) { return os << n.v_; }

 private:
  T v_{};
};

}  // namespace sluice

template <typename T, typename Tag>
struct std::hash<sluice::NamedType<T, Tag>> {
  std::size_t operator()(const sluice::NamedType<T, Tag>& n) const noexcept {
    return std::hash<T>{}(n.value());
  }
};
