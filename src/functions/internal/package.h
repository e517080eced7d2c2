// Code packages: a zip unpacked into a directory of its own. Entries that would land
// outside it (absolute paths, "..", paths through a symlink) refuse the whole package,
// and the unpacked size is bounded by Lambda's limit. Blocks on disk I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "functions/functions.h"

namespace sluice::functions {

// Lambda's limit on a function's unzipped code.
inline constexpr uint64_t kMaxUnzippedBytes = 262'144'000;

// Unpacks `zip` into `dir` (created; must not exist). On failure `dir` is removed.
LambdaResult<Done> UnpackZip(std::string_view zip, const std::string& dir);

// The base64 of the package's SHA-256, as Lambda reports CodeSha256.
std::string CodeSha256(std::string_view zip);

// Removes a directory tree; errors are ignored (best effort clean-up).
void RemoveTree(const std::string& dir);

}  // namespace sluice::functions
