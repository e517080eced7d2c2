// Expected<T, E>: a value or a typed error, for calls whose callers branch on the
// kind of failure (retry a throttle, give up on a bad request), which a Status code
// cannot express. Convert to Status at module boundaries that only report.
#pragma once

#include <utility>
#include <variant>

namespace sluice::aws {

// For calls that return nothing but may fail.
struct Unit {
  bool operator==(const Unit&) const = default;
};

template <typename T, typename E>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Expected(E error) : v_(std::in_place_index<1>, std::move(error)) {}   // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const E& error() const { return std::get<1>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

 private:
  std::variant<T, E> v_;
};

}  // namespace sluice::aws
