// The access keys the server accepts: access key id -> secret access key, from
// `--credentials FILE` (every profile of an AWS shared-credentials file) or the
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY environment. Empty means no credentials
// are configured. Immutable once the server starts; then safe to read from any thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <string_view>

namespace sluice::awsproto {

class CredentialStore {
 public:
  // A later secret for the same key id replaces the earlier one.
  void Add(std::string access_key_id, std::string secret_access_key) {
    keys_[std::move(access_key_id)] = std::move(secret_access_key);
  }
  // The secret of `access_key_id`, or null when the key is unknown.
  const std::string* SecretFor(std::string_view access_key_id) const {
    const auto it = keys_.find(access_key_id);
    return it == keys_.end() ? nullptr : &it->second;
  }
  bool empty() const { return keys_.empty(); }
  // One configured key (id, secret), for URLs the server presigns for itself; nullopt
  // when none is configured.
  std::optional<std::pair<std::string, std::string>> Any() const {
    if (keys_.empty()) return std::nullopt;
    return *keys_.begin();
  }
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> keys_;
};

}  // namespace sluice::awsproto
