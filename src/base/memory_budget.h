// A process-wide bound on memory held for requests in flight: buffered bodies,
// parsed request trees, HTTP/2 stream buffers. Each holder reserves before it
// allocates and releases when done; a reservation that would pass the limit is
// refused, so the caller answers "slow down" (503) instead of growing until the
// allocator fails. Thread-safe and lock-free.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>

namespace sluice {

class MemoryBudget {
 public:
  // Bytes held until destroyed (or Release), returned to the budget it came from.
  // Move-only. An empty reservation holds nothing.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(Reservation&& o) noexcept
        : budget_(std::exchange(o.budget_, nullptr)), bytes_(std::exchange(o.bytes_, 0)) {}
    Reservation& operator=(Reservation&& o) noexcept {
      if (this != &o) {
        Release();
        budget_ = std::exchange(o.budget_, nullptr);
        bytes_ = std::exchange(o.bytes_, 0);
      }
      return *this;
    }
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation() { Release(); }

    uint64_t bytes() const { return bytes_; }

    // Adds `more` bytes to this reservation; false (and nothing changes) when the
    // budget cannot take them, or when this reservation is empty.
    bool Grow(uint64_t more) {
      if (budget_ == nullptr || !budget_->Take(more)) return false;
      bytes_ += more;
      return true;
    }
    // Returns `fewer` bytes (at most all of them) early.
    void Shrink(uint64_t fewer) {
      if (fewer > bytes_) fewer = bytes_;
      if (budget_ != nullptr) budget_->Give(fewer);
      bytes_ -= fewer;
    }
    void Release() {
      if (budget_ != nullptr) budget_->Give(bytes_);
      budget_ = nullptr;
      bytes_ = 0;
    }

   private:
    friend class MemoryBudget;
    Reservation(MemoryBudget* budget, uint64_t bytes) : budget_(budget), bytes_(bytes) {}
    MemoryBudget* budget_ = nullptr;
    uint64_t bytes_ = 0;
  };

  // limit 0 means unlimited (every reservation succeeds, usage is still counted).
  explicit MemoryBudget(uint64_t limit) : limit_(limit) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // A reservation of `bytes`, or nullopt when it would take usage past the limit.
  // A zero-byte reservation always succeeds (and can Grow later).
  std::optional<Reservation> TryReserve(uint64_t bytes) {
    if (!Take(bytes)) return std::nullopt;
    return Reservation(this, bytes);
  }

  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }

 private:
  bool Take(uint64_t bytes) {
    uint64_t cur = used_.load(std::memory_order_relaxed);
    for (;;) {
      if (limit_ != 0 && (bytes > limit_ || cur > limit_ - bytes)) return false;
      if (used_.compare_exchange_weak(cur, cur + bytes, std::memory_order_relaxed)) return true;
    }
  }
  void Give(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  const uint64_t limit_;
  std::atomic<uint64_t> used_{0};
};

}  // namespace sluice
