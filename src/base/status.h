// Status and Result<T>: how every fallible call in sluice reports failure.
//
// Expected failures (bad input, missing files, I/O errors, corruption) are values,
// never exceptions; exceptions are reserved for broken invariants. Both types are
// [[nodiscard]] so a dropped error is a compile error under -Werror.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/expected.h"

namespace sluice {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,   // the caller's input is wrong; retrying will not help
  kNotFound,          // the named thing does not exist
  kAlreadyExists,     // the named thing exists and must not
  kCorruption,        // stored bytes failed a checksum or a structural check
  kIOError,           // the operating system refused an operation
  kNotSupported,      // e.g. a file written by a newer format version
  kOutOfRange,        // a position outside what is stored (e.g. below the trim point)
  kFailedPrecondition,// the object is in a state that forbids the call (e.g. failed log)
  kUnavailable,       // shutting down, or a resource is busy; may succeed later
  kInternal,          // a bug or an unexpected state
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  Status(StatusCode code, std::string message, int sys_errno)
      : code_(code), message_(std::move(message)), sys_errno_(sys_errno) {}

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status NotSupported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  // An I/O error from errno, naming the operation and the file: "open /x/y: No such file".
  static Status FromErrno(std::string_view what, std::string_view path, int err);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The errno behind an I/O error (FromErrno), else 0: test it, never the message.
  int sys_errno() const { return sys_errno_; }
  // "Corruption: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  int sys_errno_ = 0;
};

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = Status::Internal("Result constructed from OK status without a value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // On an error these abort (DieBadAccess), naming the status.
  T& value() & { return *Check(); }
  const T& value() const& { return *Check(); }
  T&& value() && { return std::move(*Check()); }
  T* operator->() { return Check(); }
  const T* operator->() const { return Check(); }
  T& operator*() & { return *Check(); }
  const T& operator*() const& { return *Check(); }

 private:
  T* Check() {
    if (!value_) DieBadAccess(("Result::value() called on " + status_.ToString()).c_str());
    return &*value_;
  }
  const T* Check() const {
    if (!value_) DieBadAccess(("Result::value() called on " + status_.ToString()).c_str());
    return &*value_;
  }

  Status status_;
  std::optional<T> value_;
};

}  // namespace sluice

namespace sluice::internal {
// What RETURN_IF_ERROR and ASSIGN_OR_RETURN return on failure: the Status of a Status or
// Result, the typed error of an Expected (which converts to any Expected<U, E>).
inline Status TakeError(Status&& s) { return std::move(s); }
template <typename T>
Status TakeError(Result<T>&& r) { return r.status(); }
template <typename T, typename E>
Unexpected<E> TakeError(Expected<T, E>&& e) { return Unexpected<E>{std::move(e).error()}; }
}  // namespace sluice::internal

#define SLUICE_CONCAT_INNER(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_INNER(a, b)

// Returns the error from the enclosing function if `expr` (a Status, a Result or an
// Expected) failed.
#define RETURN_IF_ERROR(expr)                                            \
  do {                                                                   \
    auto _st = (expr);                                                   \
    if (!_st.ok()) return ::sluice::internal::TakeError(std::move(_st)); \
  } while (0)

// ASSIGN_OR_RETURN(auto x, MakeX()); declares x from a Result or an Expected, or
// returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(SLUICE_CONCAT(_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)                           \
  auto tmp = (expr);                                                    \
  if (!tmp.ok()) return ::sluice::internal::TakeError(std::move(tmp)); \
  lhs = std::move(tmp).value()
