// Process-wide logging: logfmt lines on stderr ("ts=... level=info msg=... key=value"),
// so both people and log shippers can read them. Levels are printed as --log-level
// spells them (trace, debug, info, warn, error). Values that may hold spaces, quotes or
// control characters must go through LogfmtValue (base/logfmt.h).
#pragma once

#include <string>
#include <string_view>

#include "spdlog/common.h"

namespace CLI {
class App;
}

namespace sluice::cli {

// The levels --log-level takes, least severe first.
inline constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};

// The name a log line shows for `level`: one of kLogLevels ("error" also for critical),
// or "off".
std::string_view LevelName(spdlog::level::level_enum level);

// Adds --log-level to `app`, bound to `level` and checked against kLogLevels.
void AddLogLevelOption(CLI::App& app, std::string& level);

// Installs the stderr logger; `level` is one of kLogLevels (checked by the flag).
void SetUpLogging(const std::string& level);

}  // namespace sluice::cli
