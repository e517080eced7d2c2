#include "cli/env_flags.h"

#include <CLI/CLI.hpp>

#include <vector>

namespace sluice::cli {

std::string EnvNameFor(const CLI::Option& option, std::string_view prefix) {
  const std::vector<std::string>& names = option.get_lnames();
  if (names.empty()) return {};
  std::string out(prefix);
  for (const char c : names.front()) {
    out += c == '-' ? '_' : (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

void ApplyEnvironment(CLI::App& command, std::string_view prefix, const aws::EnvLookup& env) {
  // The command's own flags, and its parents' while it lets their flags follow it.
  std::vector<CLI::Option*> options = command.get_options();
  for (CLI::App* app = &command; app->get_fallthrough() && app->get_parent() != nullptr;) {
    app = app->get_parent();
    const std::vector<CLI::Option*> more = app->get_options();
    options.insert(options.end(), more.begin(), more.end());
  }
  for (CLI::Option* opt : options) {
    // Help and --version are not configurable: no variable may trigger them.
    if (opt->count() > 0 || !opt->get_configurable()) continue;
    const std::string name = EnvNameFor(*opt, prefix);
    if (name.empty()) continue;
    const std::optional<std::string> value = env(name);
    if (!value || value->empty()) continue;
    try {
      opt->add_result(*value);
      opt->run_callback();
    } catch (const CLI::ParseError& e) {
      throw CLI::ValidationError(name + "=" + *value + ": " + e.what());
    }
  }
}

void ReadFlagsFromEnvironment(CLI::App& command, std::string prefix, aws::EnvLookup env) {
  command.callback([&command, prefix = std::move(prefix), env = std::move(env)] {
    ApplyEnvironment(command, prefix, env);
  });
}

}  // namespace sluice::cli
