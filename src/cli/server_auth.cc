#include "cli/server_auth.h"

#include <fstream>
#include <sstream>

namespace sluice::cli {

Result<awsproto::CredentialStore> LoadServerCredentials(std::string_view flag, const aws::EnvLookup& env) {
  awsproto::CredentialStore store;
  if (flag.empty()) return store;
  if (flag == "env") {
    const auto key = env("AWS_ACCESS_KEY_ID");
    const auto secret = env("AWS_SECRET_ACCESS_KEY");
    if (!key || !secret || key->empty() || secret->empty()) {
      return Status::InvalidArgument(
          "--credentials env needs both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
    }
    store.Add(*key, *secret);
    return store;
  }
  std::ifstream in{std::string(flag)};
  if (!in) return Status::InvalidArgument("--credentials: cannot read " + std::string(flag));
  std::ostringstream text;
  text << in.rdbuf();
  for (const auto& [profile, keys] : aws::ParseIni(text.str())) {
    const auto key = keys.find("aws_access_key_id");
    const auto secret = keys.find("aws_secret_access_key");
    if (key == keys.end() || secret == keys.end() || key->second.empty() || secret->second.empty()) continue;
    store.Add(key->second, secret->second);
  }
  if (store.empty()) {
    return Status::InvalidArgument("--credentials: " + std::string(flag) +
                                   " has no profile with both aws_access_key_id and aws_secret_access_key");
  }
  return store;
}

bool IsLoopback(std::string_view bind) {
  return bind.starts_with("127.") || bind == "::1" || bind == "[::1]" || bind == "localhost";
}

std::optional<std::string> AnonymousRefusal(std::string_view bind, bool have_credentials, bool allow_anonymous) {
  if (have_credentials || allow_anonymous || IsLoopback(bind)) return std::nullopt;
  return "refusing to serve --bind " + std::string(bind) +
         " without credentials: anyone who can reach it could read and write every stream and bucket; "
         "give --credentials FILE (or env), or --allow-anonymous to accept that";
}

}  // namespace sluice::cli
