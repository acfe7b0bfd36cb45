#include "magnetar/engine/lazy_free.h"

#include "magnetar/common/worker_allocations.h"

namespace magnetar::engine {

LazyFreer::LazyFreer() : thread_([this] { Run(); }) {}

LazyFreer::~LazyFreer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_one();
  thread_.join();
}

void LazyFreer::Submit(std::unique_ptr<LazyFreeJob> job, size_t objects) {
  pending_objects_.fetch_add(objects, std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({std::move(job), objects});
  }
  work_ready_.notify_one();
}

void LazyFreer::Drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void LazyFreer::Run() {
  WorkerAllocations allocations;
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to free
    Queued item = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    item.job.reset();
    allocations.Publish();
    pending_objects_.fetch_sub(item.objects, std::memory_order_relaxed);
    freed_objects_.fetch_add(item.objects, std::memory_order_relaxed);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace magnetar::engine
