// NextToken paging of CloudFormation's list actions. A token names the last item of the
// page it ends (by a key that stays with the item: a stack id, an event id, a logical
// id, an export name) and the action it came from, so a page starts after that item
// even when newer items were added in front of the list in between, and a token is
// refused by any other action.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stacks/errors.h"

namespace sluice::frontends::cloudformation {

// Items per page, as CloudFormation pages them.
inline constexpr size_t kPageSize = 100;

struct PageBounds {
  size_t begin = 0, end = 0;              // the page is items [begin, end)
  std::optional<std::string> next_token;  // set when items remain after `end`
};

// The page of a list whose items have `keys` (in list order) that follows `token`
// (the first page without one). A token that is not one this action wrote, or whose
// item is gone, is a ValidationError "Invalid NextToken: <token>" (nothing returned).
stacks::StackResult<PageBounds> PageOf(const std::vector<std::string>& keys, std::string_view action,
                                       const std::optional<std::string>& token, size_t page_size = kPageSize);

}  // namespace sluice::frontends::cloudformation
