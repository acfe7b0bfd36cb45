#include "magnetar/common/worker_allocations.h"

#include <atomic>

#if defined(MAGNETAR_WITH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif

namespace magnetar {
namespace {

std::atomic<int64_t> tally{0};

#if defined(MAGNETAR_WITH_JEMALLOC)
const uint64_t* ThreadCounter(const char* name) {
  uint64_t* pointer = nullptr;
  size_t size = sizeof(pointer);
  return mallctl(name, &pointer, &size, nullptr, 0) == 0 ? pointer : nullptr;
}
#endif

}  // namespace

ThreadAllocationCounters ThreadAllocationCounters::OfThisThread() {
#if defined(MAGNETAR_WITH_JEMALLOC)
  return {ThreadCounter("thread.allocatedp"), ThreadCounter("thread.deallocatedp")};
#else
  return {};
#endif
}

void WorkerAllocations::Publish() {
  if (!counters_.available()) return;
  const int64_t balance = counters_.Balance();
  tally.fetch_add(balance - published_, std::memory_order_relaxed);
  published_ = balance;
}

int64_t WorkerAllocations::Tally() { return tally.load(std::memory_order_relaxed); }

}  // namespace magnetar
