// Which access keys `sluice serve` accepts, and whether it may serve without any:
// `--credentials FILE` (an AWS shared-credentials file; every profile's key pair is
// accepted) or `--credentials env` (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). With
// none, sluice accepts any well-formed signature, which is safe only on loopback: a
// non-loopback --bind without credentials needs --allow-anonymous.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "awsproto/credential_store.h"
#include "base/status.h"

namespace sluice::cli {

// The keys named by the --credentials value ("" for none). InvalidArgument with a
// one-line reason for an unreadable file, a file without any key pair, or `env`
// without both variables.
Result<awsproto::CredentialStore> LoadServerCredentials(std::string_view flag, const aws::EnvLookup& env);

// Whether `bind` is a loopback address (127.0.0.0/8, ::1, localhost).
bool IsLoopback(std::string_view bind);

// The one-line refusal to serve `bind` without credentials, or nullopt when allowed.
std::optional<std::string> AnonymousRefusal(std::string_view bind, bool have_credentials, bool allow_anonymous);

}  // namespace sluice::cli
