// The version, written once: project(VERSION) in the top-level CMakeLists.txt, passed
// in as SLUICE_VERSION.
#pragma once

#include <string_view>

namespace sluice::cli {
inline constexpr std::string_view kVersion = SLUICE_VERSION;
}  // namespace sluice::cli
