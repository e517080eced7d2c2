#include "cli/env_flags.h"

#include <CLI/CLI.hpp>

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
  for (CLI::Option* opt : command.get_options()) {
    if (opt->count() > 0 || opt == command.get_help_ptr() || opt == command.get_help_all_ptr()) continue;
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
