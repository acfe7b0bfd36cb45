// The memory that counts against maxmemory, and that INFO reports as used_memory: the bytes the
// allocator has handed out and not taken back (size classes, as Redis's own counter counts them).
//
// Why per-thread counters. The check runs before every command while a limit is set, so it must
// cost next to nothing. jemalloc's stats.allocated needs an "epoch" refresh that merges every
// arena's statistics (microseconds), and it also counts what sits in thread caches. jemalloc
// also keeps, for each thread, cumulative counters of bytes allocated and freed, and hands out
// pointers to them (thread.allocatedp, thread.deallocatedp): reading them is a load each. Two
// threads allocate or free data: the event loop and the lazy-free thread (which frees what the
// loop allocated, so its own balance is negative). The sum of both balances is exactly the bytes
// in use; the lazy-free thread publishes its pointers from a job it runs first.
//
// Without jemalloc (sanitizer builds) the gauge asks the C library or the sanitizer runtime
// each time, which is slow but exact.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "magnetar/engine/eviction.h"
#include "magnetar/engine/lazy_free.h"

namespace magnetar::server {

class AllocatorGauge final : public engine::MemoryGauge {
 public:
  // Construct on the event loop's thread.
  explicit AllocatorGauge(engine::LazyFreer& freer);
  uint64_t Used() const override;

  struct ThreadCounters {
    std::atomic<const uint64_t*> allocated{nullptr};
    std::atomic<const uint64_t*> deallocated{nullptr};
  };

 private:
  ThreadCounters loop_;
  std::shared_ptr<ThreadCounters> lazy_;  // shared with the job that fills it in
};

}  // namespace magnetar::server
