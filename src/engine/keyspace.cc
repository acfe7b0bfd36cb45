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
  CreateDatabases(database_count);
}

Keyspace::Keyspace(size_t database_count, const Clock& clock) : clock_(&clock) {
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

void Keyspace::SetAccessMode(AccessMode mode, const LfuParams& lfu, bool track_frequency) {
  lfu_ = lfu;
  // Existing keys keep the other mode's metadata, which reads as some arbitrary age or count
  // until they are touched again: Redis behaves the same way.
  access_mode_ = mode;
  if (track_frequency == track_frequency_) return;
  track_frequency_ = track_frequency;
  if (track_frequency) {
    sketch_.Resize(KeyCount());
  } else {
    sketch_ = FrequencySketch();
  }
}

void Keyspace::MaintainSketch() {
  if (track_frequency_ && KeyCount() > sketch_.width()) sketch_.Resize(KeyCount());
}

size_t Keyspace::KeyCount() const {
  size_t keys = 0;
  for (const auto& db : databases_) keys += db->Size();
  return keys;
}

// A key the sketch has seen before starts with the counter its accesses would have earned
// (expected increments, from the initial value), so an evicted popular key does not come back as
// the least used of all. The lookup of the write creating the key is not part of its history: a
// key never seen before starts at Redis's initial value.
std::optional<uint32_t> Keyspace::RestoredAccess(std::optional<int64_t> idle_seconds,
                                                 std::optional<int64_t> frequency) const {
  if (access_mode_ == AccessMode::kLfu) {
    if (!frequency) return std::nullopt;
    return LfuPack(LfuMinutesAt(NowMs()), static_cast<uint32_t>(*frequency));
  }
  if (!idle_seconds) return std::nullopt;
  constexpr int64_t kMaxIdleTicks = kAccessMask - 1;
  int64_t ticks = *idle_seconds > kMaxIdleTicks / kLruTicksPerSecond
                      ? kMaxIdleTicks
                      : *idle_seconds * kLruTicksPerSecond;
  return (lru_clock() - static_cast<uint32_t>(ticks)) & kAccessMask;
}

uint32_t Keyspace::NewLfuAccess(uint64_t hash) const {
  double counter = kLfuInitValue;
  uint32_t estimate = sketch_.Estimate(hash);
  for (uint32_t seen = estimate > 0 ? estimate - 1 : 0; seen > 0; --seen) {
    double base = counter - kLfuInitValue;
    counter += 1 / (base * static_cast<double>(lfu_.log_factor) + 1);
  }
  return LfuPack(LfuMinutesAt(NowMs()), static_cast<uint32_t>(counter));
}

uint32_t Keyspace::TouchedLfuAccess(uint32_t access) {
  uint32_t minutes = LfuMinutesAt(NowMs());
  uint32_t counter = LfuDecayed(access, minutes, lfu_);
  return LfuPack(minutes, LfuIncremented(counter, lfu_, Random01()));
}

double Keyspace::Random01() {
  // xorshift64*: LFU's probabilistic increments need speed, not quality.
  random_state_ ^= random_state_ >> 12;
  random_state_ ^= random_state_ << 25;
  random_state_ ^= random_state_ >> 27;
  return static_cast<double>((random_state_ * 0x2545f4914f6cdd1dULL) >> 11) * 0x1.0p-53;
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
