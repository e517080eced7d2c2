// `sluice query`: runs SQL against a server's Athena API (StartQueryExecution, then
// GetQueryExecution until done, then GetQueryResults), one `;`-separated statement
// after another, and prints the last one's rows: aligned (table), CSV with a header
// row, or JSON. Row count and bytes scanned go to stderr, with a progress line while
// a statement runs for more than a second.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sluice::cli {

void AddQueryCommand(CLI::App& app);

enum class QueryFormat { kTable, kCsv, kJson };

using QueryRows = std::vector<std::vector<std::optional<std::string>>>;

// The rows under `header` as the format prints them: table (aligned, NULL for a null),
// CSV (a header row, every value quoted, a null empty), JSON (an array of objects).
std::string FormatRows(const std::vector<std::string>& header, const QueryRows& rows, QueryFormat format);

// For an error that names "line L:C", the statement's line L and a caret under column
// C; empty when the message names no position.
std::string PointAtPosition(const std::string& statement, const std::string& message);

}  // namespace sluice::cli
