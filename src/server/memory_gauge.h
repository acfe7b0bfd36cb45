// The memory that counts against maxmemory, and that INFO reports as used_memory: the bytes the
// allocator has handed out and not taken back (size classes, as Redis's own counter counts them).
//
// Why per-thread counters. The check runs before every command while a limit is set, so it must
// cost next to nothing. jemalloc's stats.allocated needs an "epoch" refresh that merges every
// arena's statistics (microseconds), and it also counts what sits in thread caches. jemalloc
// also keeps, for each thread, cumulative counters of bytes allocated and freed, and hands out
// pointers to them (thread.allocatedp, thread.deallocatedp): reading them is a load each. The
// event loop allocates nearly everything; the threads that free what it allocated (the lazy-free
// thread, an RDB file's writer) publish their own balance into WorkerAllocations' tally
// (common/worker_allocations.h). The loop's balance plus that tally is the bytes in use.
//
// Without jemalloc (sanitizer builds) the gauge asks the C library or the sanitizer runtime
// each time, which is slow but exact.
#pragma once

#include <cstdint>

#include "magnetar/common/worker_allocations.h"
#include "magnetar/engine/eviction.h"

namespace magnetar::server {

class Server;

class AllocatorGauge final : public engine::MemoryGauge {
 public:
  // Construct on the event loop's thread.
  explicit AllocatorGauge(Server& server);
  uint64_t Used() const override;
  // As in Redis 7.0: the replication buffer (the backlog and what the replicas have not taken
  // yet) beyond repl-backlog-size, and the AOF buffer. Neither holds data that eviction could
  // free, and counting them would make a slow replica or disk evict keys.
  uint64_t NotCounted() const override;

 private:
  Server& server_;
  ThreadAllocationCounters loop_;
};

}  // namespace magnetar::server
