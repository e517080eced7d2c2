// Process-wide logging: logfmt lines on stderr ("ts=... level=info msg=... key=value"),
// so both people and log shippers can read them.
#pragma once

#include <string>

#include "base/status.h"

namespace sluice::cli {

// level: trace, debug, info, warn, error.
Status SetUpLogging(const std::string& level);

}  // namespace sluice::cli
