// The parse share of the request-memory budget (--max-request-memory). The transport
// reserves a buffered body while it reads it; before the gateway hands that body to a
// service, which parses it, it reserves what the parse may take on top
// (Service::ParseMemory; for AWS JSON/CBOR awsproto::ParseMemoryBound: 3x the body,
// more only for small bodies) and holds it until the response is produced. A request
// that does not fit is answered with the service's retryable 503 (Service::Overloaded)
// instead of growing the process.
#pragma once

#include <cstdint>

#include "base/memory_budget.h"
#include "http/types.h"

namespace sluice::gateway {

// Reserves `bytes` of parse memory from `budget` and, when they fit,
// wraps `done` so that the reservation is released once the response has been handed
// on (or when the responder is destroyed unanswered). Returns false, leaving `done`
// untouched, when the budget cannot take it. A null budget takes everything.
// Thread-safe: the budget is lock-free, and `done` may run on any thread.
bool HoldParseMemory(MemoryBudget* budget, uint64_t bytes, http::Responder& done);

}  // namespace sluice::gateway
