// ListingBuilder: the ListObjects rules (prefix, delimiter grouping into common
// prefixes, start-after, max-keys and truncation) applied to keys offered in ascending
// order. Pure logic, shared by the local store's directory walk and its tests.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "objects/object_store.h"

namespace sluice::objects {

// S3's delimiter folding: the common prefix `key` folds into (the key up to and
// including the first `delimiter` after `prefix`), or "" when it is listed as itself
// (no delimiter, or none after the prefix). Listings of objects and of multipart
// uploads share it.
std::string CommonPrefixOf(std::string_view key, std::string_view prefix, std::string_view delimiter);

class ListingBuilder {
 public:
  explicit ListingBuilder(ListRequest request);

  // Whether any key starting with `folder` (a key prefix ending in '/') can still be
  // listed: lets a directory walk skip whole subtrees.
  bool WantsSubtree(std::string_view folder) const;
  // Offers the next key, in strictly ascending order. `info` is called only when the
  // key is listed as an object (so stat and metadata reads are skipped for keys folded
  // into a common prefix); it may return nullopt for a key that vanished meanwhile.
  // Returns false once the listing is complete: stop offering.
  bool Offer(const std::string& key, const std::function<std::optional<ObjectInfo>()>& info);
  ListResult Finish() &&;

 private:
  bool Full();

  const ListRequest req_;
  ListResult out_;
  std::string last_prefix_;
  int count_ = 0;
  bool done_ = false;
};

}  // namespace sluice::objects
