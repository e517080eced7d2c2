#include "gateway/request_memory.h"

#include <memory>
#include <utility>

namespace sluice::gateway {

bool HoldParseMemory(MemoryBudget* budget, uint64_t bytes, http::Responder& done) {
  if (budget == nullptr || bytes == 0) return true;
  auto reservation = budget->TryReserve(bytes);
  if (!reservation) return false;
  // A Responder is copyable; the copies share one reservation, released by the one
  // call (or by the last copy's destruction).
  auto held = std::make_shared<MemoryBudget::Reservation>(std::move(*reservation));
  done = [held = std::move(held), inner = std::move(done)](http::Response response) {
    inner(std::move(response));
    held->Release();
  };
  return true;
}

}  // namespace sluice::gateway
