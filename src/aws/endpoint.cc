#include "aws/endpoint.h"

namespace sluice::aws {
namespace {

std::string Convert(std::string_view service_id, bool upper) {
  std::string out;
  for (const char c : service_id) {
    if (c == ' ') {
      out += '_';
    } else if (upper && c >= 'a' && c <= 'z') {
      out += static_cast<char>(c - 'a' + 'A');
    } else if (!upper && c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::string NonEmptyEnv(const EnvLookup& env, std::string_view name) {
  std::optional<std::string> v = env(name);
  return v ? *v : std::string();
}

bool IsTrue(std::string_view v) {
  return v.size() == 4 && (v[0] | 0x20) == 't' && (v[1] | 0x20) == 'r' && (v[2] | 0x20) == 'u' &&
         (v[3] | 0x20) == 'e';
}

std::string Find(const std::map<std::string, std::string>* section, const std::string& key) {
  if (section == nullptr) return {};
  auto it = section->find(key);
  return it == section->end() ? std::string() : it->second;
}

Result<std::optional<ConfiguredEndpoint>> Found(std::string url, std::string source) {
  if (url.find("://") == std::string::npos) {
    return Status::InvalidArgument(source + ": endpoint must start with http:// or https://: " + url);
  }
  while (url.size() > 1 && url.back() == '/') url.pop_back();
  return std::optional<ConfiguredEndpoint>(ConfiguredEndpoint{std::move(url), std::move(source)});
}

}  // namespace

std::string EndpointEnvName(std::string_view service_id) { return "AWS_ENDPOINT_URL_" + Convert(service_id, true); }

std::string EndpointConfigKey(std::string_view service_id) { return Convert(service_id, false); }

Result<std::optional<ConfiguredEndpoint>> ResolveConfiguredEndpoint(const EndpointQuery& query, const EnvLookup& env,
                                                                    std::string home) {
  if (!query.explicit_url.empty()) return Found(std::string(query.explicit_url), "--endpoint");

  const std::string profile = ProfileName(query.profile, env);
  const std::string config_path = ConfigFilePath(env, std::move(home));
  const std::optional<IniSections> config = config_path.empty() ? std::nullopt : ReadIniFile(config_path);
  const std::map<std::string, std::string>* section = config ? ConfigProfile(*config, profile) : nullptr;

  const std::optional<std::string> ignore_env = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  const bool ignore = ignore_env && !ignore_env->empty() ? IsTrue(*ignore_env)
                                                         : IsTrue(Find(section, "ignore_configured_endpoint_urls"));
  if (ignore) return std::optional<ConfiguredEndpoint>();

  const std::string service_var = EndpointEnvName(query.service_id);
  if (std::string url = NonEmptyEnv(env, service_var); !url.empty()) return Found(std::move(url), service_var);
  if (std::string url = NonEmptyEnv(env, "AWS_ENDPOINT_URL"); !url.empty()) {
    return Found(std::move(url), "AWS_ENDPOINT_URL");
  }
  const std::string where = "profile " + profile + " in " + config_path;
  if (const std::string services = Find(section, "services"); !services.empty() && config) {
    auto it = config->find("services " + services);
    const std::string key = EndpointConfigKey(query.service_id) + ".endpoint_url";
    if (std::string url = Find(it == config->end() ? nullptr : &it->second, key); !url.empty()) {
      return Found(std::move(url), "[services " + services + "] " + key + " of " + where);
    }
  }
  if (std::string url = Find(section, "endpoint_url"); !url.empty()) {
    return Found(std::move(url), "endpoint_url of " + where);
  }
  return std::optional<ConfiguredEndpoint>();
}

Result<ClientTarget> ResolveClientTarget(const ClientQuery& query, const EnvLookup& env, std::string home) {
  ASSIGN_OR_RETURN(std::optional<ConfiguredEndpoint> configured,
                   ResolveConfiguredEndpoint({query.service_id, query.explicit_url, query.credentials.profile}, env,
                                             home));
  if (!configured && !query.fallback_url.empty()) configured = ConfiguredEndpoint{std::string(query.fallback_url), "default"};
  ClientTarget out;
  Result<ResolvedConfig> resolved = ResolveConfig(query.credentials, env, home);
  if (resolved.ok()) {
    out.credentials = std::move(resolved->credentials);
    out.region = std::move(resolved->region);
  } else if (resolved.status().code() == StatusCode::kNotFound && configured) {
    out.credentials = {"sluice-local", "sluice-local", ""};
    out.region = query.credentials.region;
  } else {
    return resolved.status();
  }
  out.configured_endpoint = configured.has_value();
  if (out.region.empty() && configured) out.region = "us-east-1";
  ASSIGN_OR_RETURN(out.endpoint, EndpointFor(query.signing_name, out.region, configured ? configured->url : ""));
  return out;
}

}  // namespace sluice::aws
