#include "objects/listing.h"

#include <utility>

namespace sluice::objects {

std::string CommonPrefixOf(std::string_view key, std::string_view prefix, std::string_view delimiter) {
  if (delimiter.empty() || key.size() < prefix.size()) return {};
  const size_t pos = key.find(delimiter, prefix.size());
  if (pos == std::string_view::npos) return {};
  return std::string(key.substr(0, pos + delimiter.size()));
}

ListingBuilder::ListingBuilder(ListRequest request) : req_(std::move(request)) {}

bool ListingBuilder::WantsSubtree(std::string_view folder) const {
  if (done_) return false;
  if (!folder.starts_with(req_.prefix) && !std::string_view(req_.prefix).starts_with(folder)) {
    return false;
  }
  // Every key under `folder` sorts before start_after when start_after is past the
  // folder without being inside it.
  const std::string_view after = req_.start_after;
  if (after >= folder && !after.starts_with(folder)) return false;
  if (!last_prefix_.empty() && folder.starts_with(last_prefix_)) return false;
  return true;
}

bool ListingBuilder::Full() {
  if (count_ < req_.max_keys) return false;
  out_.truncated = true;
  done_ = true;
  return true;
}

bool ListingBuilder::Offer(const std::string& key,
                           const std::function<std::optional<ObjectInfo>()>& info) {
  if (done_) return false;
  if (key <= req_.start_after || !key.starts_with(req_.prefix)) return true;
  if (std::string cp = CommonPrefixOf(key, req_.prefix, req_.delimiter); !cp.empty()) {
    // A continuation resumes after a common prefix: its keys were already folded.
    if (cp == last_prefix_ || cp == req_.start_after) return true;
    if (Full()) return false;
    last_prefix_ = cp;
    out_.last = cp;
    out_.common_prefixes.push_back(std::move(cp));
    ++count_;
    return true;
  }
  std::optional<ObjectInfo> oi = info();
  if (!oi) return true;
  if (Full()) return false;
  oi->key = key;
  out_.last = key;
  out_.objects.push_back(std::move(*oi));
  ++count_;
  return true;
}

ListResult ListingBuilder::Finish() && { return std::move(out_); }

}  // namespace sluice::objects
