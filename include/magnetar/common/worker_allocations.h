// The bytes that threads other than the event loop allocate and free, for used_memory.
//
// used_memory is the sum of jemalloc's per-thread cumulative counters (bytes allocated minus bytes
// freed, server/memory_gauge.h), and a thread's counters count every free it makes, whoever
// allocated the memory. Data crosses threads: the loop allocates an RDB chunk and the file thread
// frees it once written; the loop detaches a big value and the lazy-free thread frees it. Counting
// the loop alone would count each such byte as in use forever (a BGSAVE of 200,000 keys added
// 11 MB to used_memory that never came back). So each thread that frees or allocates data keeps a
// WorkerAllocations and publishes its balance after each piece of work into one process-wide
// tally, which the gauge adds to the loop's balance. Publishing is a subtraction and an atomic
// add; what a thread published stays in the tally after it ends (what it freed stays freed).
//
// Without jemalloc (sanitizer builds) there are no per-thread counters: Publish does nothing and
// the gauge asks the allocator for its total instead.
#pragma once

#include <cstdint>

namespace magnetar {

// jemalloc's cumulative counters of one thread; null without jemalloc.
struct ThreadAllocationCounters {
  const uint64_t* allocated = nullptr;
  const uint64_t* deallocated = nullptr;

  // The calling thread's.
  static ThreadAllocationCounters OfThisThread();
  bool available() const { return allocated != nullptr && deallocated != nullptr; }
  // Bytes allocated minus bytes freed since the thread began (negative for a thread that frees
  // what others allocated). Read on the counters' own thread only.
  int64_t Balance() const { return static_cast<int64_t>(*allocated - *deallocated); }
};

class WorkerAllocations {
 public:
  // On the worker thread.
  WorkerAllocations() : counters_(ThreadAllocationCounters::OfThisThread()) {}
  ~WorkerAllocations() { Publish(); }
  WorkerAllocations(const WorkerAllocations&) = delete;
  WorkerAllocations& operator=(const WorkerAllocations&) = delete;

  // Adds to the tally what this thread allocated minus what it freed since the last call.
  void Publish();
  // Every worker's published balance: negative when the workers freed more than they allocated.
  static int64_t Tally();

 private:
  ThreadAllocationCounters counters_;
  int64_t published_ = 0;
};

}  // namespace magnetar
