#include "internal/paging.h"

#include <algorithm>

#include "base/base64.h"

namespace sluice::frontends::cloudformation {

stacks::StackResult<PageBounds> PageOf(const std::vector<std::string>& keys, std::string_view action,
                                       const std::optional<std::string>& token, size_t page_size) {
  PageBounds page;
  if (token) {
    const auto text = Base64Decode(*token);
    const std::string prefix = std::string(action) + "\n";
    if (!text || !text->starts_with(prefix)) return stacks::ValidationError("Invalid NextToken: " + *token);
    const std::string_view after = std::string_view(*text).substr(prefix.size());
    auto it = std::find(keys.begin(), keys.end(), after);
    if (it == keys.end()) return stacks::ValidationError("Invalid NextToken: " + *token);
    page.begin = static_cast<size_t>(it - keys.begin()) + 1;
  }
  page.end = std::min(keys.size(), page.begin + std::max<size_t>(page_size, 1));
  if (page.end < keys.size()) page.next_token = Base64Encode(std::string(action) + "\n" + keys[page.end - 1]);
  return page;
}

}  // namespace sluice::frontends::cloudformation
