#include "memory_gauge.h"

#include "info_metrics.h"

#if defined(MAGNETAR_WITH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif

namespace magnetar::server {
namespace {

#if defined(MAGNETAR_WITH_JEMALLOC)
// Points `counters` at the calling thread's cumulative counters.
void ReadThreadCounters(AllocatorGauge::ThreadCounters& counters) {
  uint64_t* pointer = nullptr;
  size_t size = sizeof(pointer);
  if (mallctl("thread.allocatedp", &pointer, &size, nullptr, 0) == 0) {
    counters.allocated.store(pointer, std::memory_order_release);
  }
  size = sizeof(pointer);
  if (mallctl("thread.deallocatedp", &pointer, &size, nullptr, 0) == 0) {
    counters.deallocated.store(pointer, std::memory_order_release);
  }
}

// Runs (is destroyed) on the lazy-free thread.
class RegisterThread final : public engine::LazyFreeJob {
 public:
  explicit RegisterThread(std::shared_ptr<AllocatorGauge::ThreadCounters> counters)
      : counters_(std::move(counters)) {}
  ~RegisterThread() override { ReadThreadCounters(*counters_); }
  RegisterThread(const RegisterThread&) = delete;
  RegisterThread& operator=(const RegisterThread&) = delete;

 private:
  std::shared_ptr<AllocatorGauge::ThreadCounters> counters_;
};

// The thread's bytes allocated minus freed; 0 for a thread not registered yet (it has freed
// nothing: the registration is its first job). Another thread's counter is read with a relaxed
// atomic load of the aligned word its owner writes.
uint64_t Balance(const AllocatorGauge::ThreadCounters& counters) {
  const uint64_t* allocated = counters.allocated.load(std::memory_order_acquire);
  const uint64_t* deallocated = counters.deallocated.load(std::memory_order_acquire);
  if (allocated == nullptr || deallocated == nullptr) return 0;
  return __atomic_load_n(allocated, __ATOMIC_RELAXED) -
         __atomic_load_n(deallocated, __ATOMIC_RELAXED);
}
#endif

}  // namespace

AllocatorGauge::AllocatorGauge(engine::LazyFreer& freer)
    : lazy_(std::make_shared<ThreadCounters>()) {
#if defined(MAGNETAR_WITH_JEMALLOC)
  ReadThreadCounters(loop_);
  freer.Submit(std::make_unique<RegisterThread>(lazy_), 0);
#else
  (void)freer;
#endif
}

uint64_t AllocatorGauge::Used() const {
#if defined(MAGNETAR_WITH_JEMALLOC)
  // Unsigned arithmetic: the lazy-free thread's balance alone is negative.
  return Balance(loop_) + Balance(*lazy_);
#else
  return ReadAllocator().allocated;
#endif
}

}  // namespace magnetar::server
