// The error vocabulary of every module: Error<Code> (a typed code, a message, the errno
// behind it where there is one) and Expected<T, E> (a T or an E). Each module has its
// own code enum that maps 1:1 to the names its API uses (stream: the Kinesis `__type`
// names; objects: S3's error codes) and aliases Error<ThatEnum>; Result<T> (status.h)
// is the same idea for the generic StatusCode. value() on an error aborts, as
// Abseil's StatusOr does, instead of being undefined.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace sluice {

// Aborts with `what`: for value() on an error and other broken invariants.
[[noreturn]] void DieBadAccess(const char* what);

template <typename Code>
struct Error {
  Code code;
  std::string message;
  int sys_errno = 0;  // the errno of a failed system call behind the error, else 0
};

template <typename E>
struct Unexpected {
  E error;
};
template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename T, typename E>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Expected(Unexpected<E> u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT
  Expected(E error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  // On an error these abort (DieBadAccess).
  T& value() & { return *Check(std::get_if<0>(&v_)); }
  const T& value() const& { return *Check(std::get_if<0>(&v_)); }
  T&& value() && { return std::move(*Check(std::get_if<0>(&v_))); }
  T* operator->() { return Check(std::get_if<0>(&v_)); }
  const T* operator->() const { return Check(std::get_if<0>(&v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  // On a value these abort.
  const E& error() const& { return *CheckError(std::get_if<1>(&v_)); }
  E&& error() && { return std::move(*CheckError(std::get_if<1>(&v_))); }

 private:
  template <typename P>
  static P* Check(P* p) {
    if (p == nullptr) DieBadAccess("Expected::value() called on an error");
    return p;
  }
  template <typename P>
  static P* CheckError(P* p) {
    if (p == nullptr) DieBadAccess("Expected::error() called on a value");
    return p;
  }

  std::variant<T, E> v_;
};

// For calls that return nothing on success.
struct Done {};

}  // namespace sluice
