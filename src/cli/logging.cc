#include "cli/logging.h"

#include <CLI/CLI.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace sluice::cli {
namespace {

// %L: the level as --log-level spells it (spdlog's own %l says "warning").
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string_view name = LevelName(msg.level);
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelFlag>(); }
};

spdlog::level::level_enum LevelFromName(std::string_view name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "warn") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  return spdlog::level::info;
}

}  // namespace

std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return kLogLevels[0];
    case spdlog::level::debug: return kLogLevels[1];
    case spdlog::level::info: return kLogLevels[2];
    case spdlog::level::warn: return kLogLevels[3];
    case spdlog::level::err:
    case spdlog::level::critical: return kLogLevels[4];
    default: return "off";
  }
}

void AddLogLevelOption(CLI::App& app, std::string& level) {
  app.add_option("--log-level", level, "trace, debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember(std::vector<std::string>(std::begin(kLogLevels), std::end(kLogLevels))));
}

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("sluice");
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<LevelFlag>('L').set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%L %v");
  logger->set_formatter(std::move(formatter));
  logger->set_level(LevelFromName(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace sluice::cli
