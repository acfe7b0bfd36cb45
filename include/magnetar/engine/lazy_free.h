// A background thread that frees memory the event loop has let go of: a database detached by
// FLUSHALL ASYNC, a table's old bucket array after a resize. jemalloc is thread-safe, so freeing
// on another thread only moves the work. Jobs are destroyed on the thread; the destructor does
// the freeing, and must touch nothing the event loop still uses.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace magnetar::engine {

class LazyFreeJob {
 public:
  virtual ~LazyFreeJob() = default;
};

class LazyFreer {
 public:
  LazyFreer();
  // Finishes every queued job, then stops the thread.
  ~LazyFreer();
  LazyFreer(const LazyFreer&) = delete;
  LazyFreer& operator=(const LazyFreer&) = delete;

  // Queues `job`, which frees `objects` keys or values (reported by pending_objects()).
  void Submit(std::unique_ptr<LazyFreeJob> job, size_t objects);
  // Keys and values queued or being freed (INFO's lazyfree_pending_objects).
  size_t pending_objects() const { return pending_objects_.load(std::memory_order_relaxed); }
  // Objects freed so far (INFO's lazyfreed_objects).
  size_t freed_objects() const { return freed_objects_.load(std::memory_order_relaxed); }
  // Blocks until every job submitted so far is done.
  void Drain();

 private:
  struct Queued {
    std::unique_ptr<LazyFreeJob> job;
    size_t objects;
  };

  void Run();

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable idle_;
  std::deque<Queued> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::atomic<size_t> pending_objects_{0};
  std::atomic<size_t> freed_objects_{0};
  std::thread thread_;  // last: starts once everything above is built
};

}  // namespace magnetar::engine
