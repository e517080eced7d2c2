// The runtime clients sluice writes under its data dir at start: their source is
// embedded in the binary at build time (runtime_clients/*.py, *.js).
#pragma once

#include <string_view>

namespace sluice::functions {

std::string_view PythonRuntimeClient();
std::string_view NodeRuntimeClient();

}  // namespace sluice::functions
