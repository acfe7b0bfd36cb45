#include "magnetar/engine/keyspace.h"

#include <algorithm>
#include <utility>

namespace magnetar::engine {
namespace {

// Buckets moved between clock reads while rehashing from cron.
constexpr size_t kRehashBatch = 128;
// Resize steps made by traffic between two cron ticks above which the cron leaves a table alone.
// A 250 µs slice moves 500-650 buckets at 1.3M keys, so such traffic outpaces the cron twofold.
constexpr size_t kBusyTableSteps = 1024;

}  // namespace

Keyspace::Keyspace(size_t database_count)
    : own_clock_(std::make_unique<SystemClock>()), clock_(own_clock_.get()) {
  UpdateLruClock();
  CreateDatabases(database_count);
}

Keyspace::Keyspace(size_t database_count, const Clock& clock) : clock_(&clock) {
  UpdateLruClock();
  CreateDatabases(database_count);
}

Keyspace::~Keyspace() = default;

void Keyspace::CreateDatabases(size_t count) {
  databases_.reserve(count);
  for (size_t i = 0; i < count; ++i) databases_.push_back(std::make_unique<Database>(*this, i));
}

void Keyspace::FlushAll() {
  for (auto& db : databases_) db->Clear();
}

void Keyspace::FlushAllAsync() {
  for (auto& db : databases_) db->ClearAsync();
}

void Keyspace::SwapDatabases(size_t a, size_t b) {
  observer_->OnDatabasesSwapping(a, b);
  // Swapping the objects keeps each table beside its own hash key and expiry index; only the
  // numbers change hands.
  std::swap(databases_[a], databases_[b]);
  databases_[a]->index_ = a;
  databases_[b]->index_ = b;
}

size_t Keyspace::ActiveExpireStep(int64_t budget_us) {
  int64_t stop_at = MonotonicUs() + budget_us;
  size_t expired = 0;
  for (size_t visited = 0; visited < databases_.size(); ++visited) {
    ExpiryIndex::StepResult result = databases_[expire_cursor_]->ActiveExpireStep(stop_at);
    expired += result.expired;
    if (!result.done) break;  // resume with this database next time
    expire_cursor_ = (expire_cursor_ + 1) % databases_.size();
  }
  return expired;
}

void Keyspace::RehashStep(int64_t budget_us) {
  int64_t stop_at = MonotonicUs() + budget_us;
  bool out_of_time = false;
  for (auto& db : databases_) {
    // Every lookup and insert moves a bucket of a running resize. A table whose traffic moved
    // more since the last tick than a slice would is left to it, so the cron does not add its
    // slice to the wait of the requests it serves; a quiet table still gets the slice.
    if (db->TakeMovedByTraffic() >= kBusyTableSteps || out_of_time) continue;
    while (db->RehashStep(kRehashBatch)) {
      if (MonotonicUs() >= stop_at) {
        out_of_time = true;
        break;
      }
    }
  }
}

std::optional<int64_t> Keyspace::NextExpiryMs() const {
  std::optional<int64_t> earliest;
  for (const auto& db : databases_) {
    std::optional<int64_t> next = db->NextExpiryMs();
    if (next && (!earliest || *next < *earliest)) earliest = next;
  }
  return earliest;
}

DatabaseMemory Keyspace::Memory() const {
  DatabaseMemory total;
  for (const auto& db : databases_) {
    DatabaseMemory memory = db->Memory();
    total.table_bytes += memory.table_bytes;
    total.expiry_index_bytes += memory.expiry_index_bytes;
    total.entry_bytes += memory.entry_bytes;
  }
  return total;
}

}  // namespace magnetar::engine
