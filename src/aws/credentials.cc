#include "aws/credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace sluice::aws {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string EnvOr(const EnvLookup& env, std::string_view name) {
  std::optional<std::string> v = env(name);
  return v ? *v : std::string();
}

}  // namespace

EnvLookup RealEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::optional<IniSections> ReadIniFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseIni(ss.str());
}

std::string ProfileName(std::string_view explicit_profile, const EnvLookup& env) {
  if (!explicit_profile.empty()) return std::string(explicit_profile);
  if (std::string p = EnvOr(env, "AWS_PROFILE"); !p.empty()) return p;
  if (std::string p = EnvOr(env, "AWS_DEFAULT_PROFILE"); !p.empty()) return p;
  return "default";
}

std::string ConfigFilePath(const EnvLookup& env, std::string home) {
  if (std::string path = EnvOr(env, "AWS_CONFIG_FILE"); !path.empty()) return path;
  if (home.empty()) home = EnvOr(env, "HOME");
  return home.empty() ? std::string() : home + "/.aws/config";
}

const std::map<std::string, std::string>* ConfigProfile(const IniSections& config, const std::string& profile) {
  auto it = config.find(profile == "default" ? "default" : "profile " + profile);
  if (it == config.end() && profile == "default") it = config.find("profile default");
  return it == config.end() ? nullptr : &it->second;
}

IniSections ParseIni(std::string_view text) {
  IniSections sections;
  std::string current;
  std::string nested;  // the key whose indented block we are in, if any
  bool in_section = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      const size_t close = line.find(']');
      if (close == std::string_view::npos) continue;
      current = std::string(Trim(line.substr(1, close - 1)));
      sections[current];
      in_section = true;
      nested.clear();
      continue;
    }
    if (!in_section) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string key = Lower(Trim(line.substr(0, eq)));
    const std::string value(Trim(line.substr(eq + 1)));
    // An indented line continues a nested block (e.g. "s3 =\n  max_concurrent_requests = 2").
    if (raw.front() == ' ' || raw.front() == '\t') {
      if (!nested.empty()) sections[current][nested + "." + key] = value;
      continue;
    }
    nested = value.empty() ? key : std::string();
    if (!value.empty()) sections[current][key] = value;
  }
  return sections;
}

Result<ResolvedConfig> ResolveConfig(const CredentialOptions& options, const EnvLookup& env, std::string home) {
  if (home.empty()) home = EnvOr(env, "HOME");
  const std::string profile_name = ProfileName(options.profile, env);
  std::string cred_path = EnvOr(env, "AWS_SHARED_CREDENTIALS_FILE");
  if (cred_path.empty() && !home.empty()) cred_path = home + "/.aws/credentials";
  const std::string config_path = ConfigFilePath(env, home);

  const std::optional<IniSections> cred_file = cred_path.empty() ? std::nullopt : ReadIniFile(cred_path);
  const std::optional<IniSections> config_file = config_path.empty() ? std::nullopt : ReadIniFile(config_path);
  const std::map<std::string, std::string>* config_profile =
      config_file ? ConfigProfile(*config_file, profile_name) : nullptr;
  const std::map<std::string, std::string>* cred_profile = nullptr;
  if (cred_file) {
    auto it = cred_file->find(profile_name);
    if (it != cred_file->end()) cred_profile = &it->second;
  }
  auto profile_value = [&](const std::string& key) -> std::string {
    if (cred_profile != nullptr) {
      if (auto it = cred_profile->find(key); it != cred_profile->end()) return it->second;
    }
    if (config_profile != nullptr) {
      if (auto it = config_profile->find(key); it != config_profile->end()) return it->second;
    }
    return {};
  };

  ResolvedConfig out;
  // A profile named explicitly must exist; the implicit default may be absent.
  const bool profile_named = !options.profile.empty() || !EnvOr(env, "AWS_PROFILE").empty();
  const bool profile_missing = profile_named && cred_profile == nullptr && config_profile == nullptr;

  if (!options.access_key_id.empty() || !options.secret_access_key.empty()) {
    if (options.access_key_id.empty() || options.secret_access_key.empty()) {
      return Status::InvalidArgument("give both an access key id and a secret access key, or neither");
    }
    out.credentials = {options.access_key_id, options.secret_access_key, options.session_token};
    out.source = "flags";
  } else if (options.profile.empty() && (!EnvOr(env, "AWS_ACCESS_KEY_ID").empty() ||
                                          !EnvOr(env, "AWS_SECRET_ACCESS_KEY").empty())) {
    // As in botocore: environment keys win over AWS_PROFILE, but not over --profile.
    const std::string id = EnvOr(env, "AWS_ACCESS_KEY_ID");
    const std::string secret = EnvOr(env, "AWS_SECRET_ACCESS_KEY");
    if (id.empty() || secret.empty()) {
      return Status::InvalidArgument("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
    }
    out.credentials = {id, secret, EnvOr(env, "AWS_SESSION_TOKEN")};
    out.source = "environment";
  } else if (profile_missing) {
    return Status::InvalidArgument("profile '" + profile_name + "' is in neither " + cred_path + " nor " +
                                   config_path);
  } else if (!profile_value("aws_access_key_id").empty()) {
    out.credentials = {profile_value("aws_access_key_id"), profile_value("aws_secret_access_key"),
                       profile_value("aws_session_token")};
    if (out.credentials.secret_access_key.empty()) {
      return Status::InvalidArgument("profile '" + profile_name + "' has aws_access_key_id but no aws_secret_access_key");
    }
    out.source = "profile " + profile_name;
  } else {
    return Status::NotFound("no AWS credentials: none given as flags, none in AWS_ACCESS_KEY_ID/"
                            "AWS_SECRET_ACCESS_KEY, and profile '" + profile_name + "' has none in " +
                            (cred_path.empty() ? std::string("(no credentials file)") : cred_path) + " or " +
                            (config_path.empty() ? std::string("(no config file)") : config_path));
  }

  if (!options.region.empty()) {
    out.region = options.region;
  } else if (!EnvOr(env, "AWS_REGION").empty()) {
    out.region = EnvOr(env, "AWS_REGION");
  } else if (!EnvOr(env, "AWS_DEFAULT_REGION").empty()) {
    out.region = EnvOr(env, "AWS_DEFAULT_REGION");
  } else if (config_profile != nullptr) {
    if (auto it = config_profile->find("region"); it != config_profile->end()) out.region = it->second;
  }
  return out;
}

Result<std::string> EndpointFor(std::string_view service, std::string_view region, std::string_view override_url) {
  if (!override_url.empty()) {
    std::string url(override_url);
    if (url.find("://") == std::string::npos) {
      return Status::InvalidArgument("endpoint must start with http:// or https://: " + url);
    }
    while (url.size() > 1 && url.back() == '/') url.pop_back();
    return url;
  }
  if (region.empty()) {
    return Status::InvalidArgument("no region: pass --region, set AWS_REGION, or name one in the profile");
  }
  for (const char c : region) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return Status::InvalidArgument("not a region name: " + std::string(region));
  }
  std::string url = "https://" + std::string(service) + "." + std::string(region) + ".amazonaws.com";
  if (region.starts_with("cn-")) url += ".cn";
  return url;
}

}  // namespace sluice::aws
