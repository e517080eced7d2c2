// The Kinesis errors the stream module reports: one enumerator per AWS `__type` (the
// client's table, aws/kinesis_errors.h), so the front end maps them without guessing.
// Messages are AWS's wording.
#pragma once

#include <string>
#include <string_view>

#include "aws/kinesis_errors.h"
#include "base/expected.h"
#include "base/status.h"

namespace sluice::stream {

// The one table of Kinesis error types, shared with the client (aws/kinesis_errors.h):
// the server reports with the same enumerators the client parses answers into.
using ErrorType = aws::KinesisErrorCode;
using Error = sluice::Error<ErrorType>;

template <typename T>
using KResult = Expected<T, Error>;

inline Error MakeError(ErrorType type, std::string message) { return Error{type, std::move(message)}; }
// Storage failures surface as InternalFailure; the detail goes to the log, not the client.
Error InternalError(const Status& st);

}  // namespace sluice::stream
