#include "cli/usage.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <string_view>
#include <vector>

namespace sluice::cli {
namespace {

// The command the error concerns: the deepest subcommand the parser entered, and the
// words that name it ("sluice gen taxi").
CLI::App* Concerned(CLI::App& app, std::string* path) {
  *path = "sluice";
  CLI::App* cur = &app;
  for (std::vector<CLI::App*> subs = cur->get_subcommands(); !subs.empty(); subs = cur->get_subcommands()) {
    cur = subs.front();
    *path += " " + cur->get_name();
  }
  return cur;
}

std::vector<CLI::App*> Subcommands(CLI::App& cmd) {
  return cmd.get_subcommands([](CLI::App* sub) { return !sub->get_name().empty(); });
}

// "--csv" -> "CSV": the value's placeholder in a usage line.
std::string Placeholder(const CLI::Option& opt) {
  std::string out;
  for (const char c : opt.get_name()) {
    if (c == '-') {
      if (!out.empty()) out += '_';
    } else {
      out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
  }
  return out;
}

std::string Usage(CLI::App& cmd, const std::string& path) {
  std::string out = "usage: " + path;
  if (cmd.get_parent() == nullptr) out += " [--log-level LEVEL]";
  const std::vector<CLI::App*> subs = Subcommands(cmd);
  if (!subs.empty()) {
    out += " COMMAND [FLAGS]\ncommands:\n";
    for (CLI::App* sub : subs) {
      std::string name = sub->get_name();
      name.resize(std::max<size_t>(name.size() + 2, 10), ' ');
      out += "  " + name + sub->get_description() + "\n";
    }
    out += "Run '" + path + " COMMAND --help' for a command's flags.\n";
    return out;
  }
  for (const CLI::Option* opt : cmd.get_options([](const CLI::Option* o) { return o->get_required(); })) {
    out += " " + opt->get_name() + " " + Placeholder(*opt);
  }
  out += " [FLAGS]\nRun '" + path + " --help' for the flags.\n";
  return out;
}

std::string Quoted(std::string_view arg) { return "'" + std::string(arg) + "'"; }

std::string Describe(CLI::App& app, CLI::App& cmd, const CLI::ParseError& error) {
  const std::vector<std::string> extras = app.remaining(true);
  const bool has_subs = !Subcommands(cmd).empty();
  const bool extras_or_missing = dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr ||
                                 dynamic_cast<const CLI::RequiredError*>(&error) != nullptr;
  if (extras_or_missing && !extras.empty()) {
    const std::string& first = extras.front();
    if (first.starts_with("-")) return "unknown flag " + Quoted(first);
    return (has_subs && cmd.get_subcommands().empty() ? "unknown command " : "unexpected argument ") +
           Quoted(first);
  }
  if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) {
    if (has_subs && cmd.get_subcommands().empty()) return "missing command";
    std::string missing;
    int n = 0;
    for (const CLI::Option* opt :
         cmd.get_options([](const CLI::Option* o) { return o->get_required() && o->count() == 0; })) {
      missing += (n++ > 0 ? ", " : "") + opt->get_name();
    }
    if (n > 0) return (n == 1 ? "missing required flag " : "missing required flags ") + missing;
  }
  if (dynamic_cast<const CLI::ConversionError*>(&error) != nullptr) return "bad value: " + std::string(error.what());
  return error.what();
}

}  // namespace

UsageError DescribeUsageError(CLI::App& app, const CLI::ParseError& error) {
  std::string path;
  CLI::App& cmd = *Concerned(app, &path);
  return {path + ": " + Describe(app, cmd, error), Usage(cmd, path)};
}

int ExitForParseError(CLI::App& app, const CLI::ParseError& error, std::FILE* err) {
  if (dynamic_cast<const CLI::RuntimeError*>(&error) != nullptr) return error.get_exit_code();
  if (dynamic_cast<const CLI::Success*>(&error) != nullptr) return app.exit(error);
  const UsageError usage = DescribeUsageError(app, error);
  std::fprintf(err, "%s\n%s", usage.message.c_str(), usage.usage.c_str());
  std::fflush(err);
  return kUsageExitCode;
}

}  // namespace sluice::cli
