// AWS credentials and where they come from: explicit values, the AWS_* environment
// variables, and the shared `credentials`/`config` files with named profiles.
//
// The resolution order is the AWS CLI's: explicit flags, then the environment, then
// the profile files. The environment is read through an interface so tests need not
// touch the process's real environment. Resolution is a pure function of its inputs;
// nothing is cached.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  bool operator==(const Credentials&) const = default;
};

// Looks up an environment variable; nullopt when unset. Real() reads getenv.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup RealEnv();

// An INI file as the AWS tools write it: `[section]`, `key = value`, `#`/`;` comments.
// Keys are lowercased and values trimmed; a later duplicate key wins. A key with an
// empty value opens a nested block: its indented `key = value` lines are stored as
// "parent.key" (`kinesis =` then `  endpoint_url = URL` gives "kinesis.endpoint_url").
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
IniSections ParseIni(std::string_view text);

// Reads and parses an INI file; nullopt when it is missing or unreadable (the AWS
// tools treat such a file as empty).
std::optional<IniSections> ReadIniFile(const std::string& path);

// The profile in use: `explicit_profile` (--profile), else AWS_PROFILE, else
// AWS_DEFAULT_PROFILE, else "default".
std::string ProfileName(std::string_view explicit_profile, const EnvLookup& env);

// The shared config file: AWS_CONFIG_FILE, else <home>/.aws/config with `home` or, when
// empty, $HOME. Empty when neither is known.
std::string ConfigFilePath(const EnvLookup& env, std::string home = {});

// A profile's section in the config file: [default] (or [profile default]) for
// "default", else [profile NAME]. Null when absent.
const std::map<std::string, std::string>* ConfigProfile(const IniSections& config, const std::string& profile);

struct CredentialOptions {
  // Explicit values (from flags); both keys or neither.
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string profile;  // --profile; overrides AWS_PROFILE
  std::string region;   // --region; overrides the environment and the profile
};

struct ResolvedConfig {
  Credentials credentials;
  std::string region;  // may be empty if nothing named one
  std::string source;  // "flags", "environment", or "profile <name>": for diagnostics
};

// Resolves credentials and region. `home` is the directory holding `.aws/`; empty
// means $HOME from `env`. Fails with NotFound naming every place it looked when no
// credentials exist, and InvalidArgument for a half-given key pair or a missing
// named profile.
Result<ResolvedConfig> ResolveConfig(const CredentialOptions& options, const EnvLookup& env,
                                     std::string home = {});

// The AWS endpoint for `service` ("kinesis", "s3", "firehose") in `region`:
// https://<service>.<region>.amazonaws.com, or .amazonaws.com.cn for cn-* regions.
// `override_url` (--endpoint) wins when not empty; a trailing '/' is dropped.
Result<std::string> EndpointFor(std::string_view service, std::string_view region,
                                std::string_view override_url = {});

}  // namespace sluice::aws
