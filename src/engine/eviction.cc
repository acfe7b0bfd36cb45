#include "magnetar/engine/eviction.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "magnetar/common/clock.h"
#include "magnetar/engine/keyspace.h"

namespace magnetar::engine {
namespace {

// Keys evicted between two readings of the clock (Redis checks its time limit as often).
constexpr size_t kKeysPerClockRead = 16;

}  // namespace

Evictor::Evictor(Keyspace& keyspace) : keyspace_(keyspace) {
  pool_.reserve(kPoolSize + 1);
  spare_.reserve(kPoolSize + 1);
}

void Evictor::Configure(const EvictionSettings& settings, const MemoryGauge* gauge) {
  // Scores of one policy mean nothing to another.
  if (settings.policy != settings_.policy) {
    for (Candidate& candidate : pool_) spare_.push_back(std::move(candidate));
    pool_.clear();
  }
  settings_ = settings;
  gauge_ = gauge;
  admits_ = limited() && UsesFrequency(settings.policy);
  has_newcomer_ = false;
}

int64_t Evictor::TenacityBudgetUs(int64_t tenacity) {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return static_cast<int64_t>(500 * std::pow(1.15, tenacity - 10));
  return std::numeric_limits<int64_t>::max();
}

EvictionResult Evictor::Perform() {
  if (!OverLimit()) return EvictionResult::kOk;
  if (settings_.policy == EvictionPolicy::kNoEviction) return EvictionResult::kFail;
  const int64_t stop_at =
      MonotonicUs() + std::min(TenacityBudgetUs(settings_.tenacity), kMaxSliceUs);
  for (size_t evicted = 1;; ++evicted) {
    if (!EvictOne()) return OverLimit() ? EvictionResult::kFail : EvictionResult::kOk;
    if (!OverLimit()) return EvictionResult::kOk;
    if (evicted % kKeysPerClockRead == 0 && MonotonicUs() >= stop_at) {
      return EvictionResult::kRunning;
    }
  }
}

bool Evictor::AllowGrowth(size_t bytes) const {
  return !limited() || gauge_->Counted() + bytes <= settings_.maxmemory;
}

bool Evictor::volatile_only() const {
  switch (settings_.policy) {
    case EvictionPolicy::kVolatileLru:
    case EvictionPolicy::kVolatileLfu:
    case EvictionPolicy::kVolatileRandom:
    case EvictionPolicy::kVolatileTtl:
      return true;
    default:
      return false;
  }
}

bool Evictor::EvictOne() {
  if (settings_.policy == EvictionPolicy::kAllKeysRandom ||
      settings_.policy == EvictionPolicy::kVolatileRandom) {
    return EvictRandom();
  }
  return EvictFromPool();
}

bool Evictor::EvictRandom() {
  const size_t count = keyspace_.database_count();
  for (size_t visited = 0; visited < count; ++visited) {
    Database& db = keyspace_.db(next_db_);
    next_db_ = (next_db_ + 1) % count;
    const Entry* entry = db.RandomEntryForEviction(volatile_only());
    if (entry != nullptr) return db.Evict(entry->key(), settings_.lazy);
  }
  return false;
}

bool Evictor::EvictFromPool() {
  for (size_t i = 0; i < keyspace_.database_count(); ++i) {
    if (keyspace_.db(i).Size() != 0) Sample(keyspace_.db(i));
  }
  while (!pool_.empty()) {
    Candidate best = std::move(pool_.back());
    pool_.pop_back();
    Database& db = keyspace_.db(best.db);
    const Entry* entry = db.Peek(best.key);
    uint64_t score = 0;
    bool evicted = false;
    if (entry != nullptr && Score(db, *entry, &score)) {
      // Used since it was pooled, and no longer the best: back in the pool with its new score.
      if (score < best.score && !pool_.empty() && score < pool_.back().score) {
        Offer(score, best.db, best.key);
      } else if (EvictNewcomerInstead(best)) {
        // The victim stays the best candidate for the next eviction.
        Offer(best.score, best.db, best.key);
        evicted = true;
      } else {
        evicted = db.Evict(best.key, settings_.lazy);
      }
    }
    spare_.push_back(std::move(best));
    if (evicted) return true;
  }
  return false;
}

// TinyLFU's admission (Einziger et al.): a key just written enters the cache only if the sketch
// has seen it more often than the victim it would displace; otherwise it is the one evicted. A key
// requested once, or rarely, thus cannot push out a popular one, while a key whose misses keep
// coming earns its place.
bool Evictor::EvictNewcomerInstead(const Candidate& victim) {
  if (!has_newcomer_) return false;
  has_newcomer_ = false;
  if (newcomer_db_ == victim.db && newcomer_ == victim.key) return false;
  Database& db = keyspace_.db(newcomer_db_);
  const Entry* entry = db.Peek(newcomer_);
  if (entry == nullptr || (volatile_only() && !entry->has_deadline())) return false;
  const FrequencySketch& sketch = keyspace_.sketch();
  if (sketch.Estimate(db.KeyHash(newcomer_)) >
      sketch.Estimate(keyspace_.db(victim.db).KeyHash(victim.key))) {
    return false;
  }
  return db.Evict(newcomer_, settings_.lazy);
}

void Evictor::Sample(Database& db) {
  db.SampleForEviction(static_cast<size_t>(settings_.samples), volatile_only(),
                       [&](const Entry& entry) {
                         uint64_t score = 0;
                         if (Score(db, entry, &score)) Offer(score, db.index(), entry.key());
                       });
}

bool Evictor::Score(const Database& db, const Entry& entry, uint64_t* score) const {
  switch (settings_.policy) {
    case EvictionPolicy::kAllKeysLru:
    case EvictionPolicy::kVolatileLru:
      *score = LruIdleTicks(keyspace_.lru_clock(), entry.access());
      return true;
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu: {
      // Least frequent first; among equal counters, the key the sketch saw least often lately.
      uint64_t rarity = kLfuCounterMax - keyspace_.LfuFrequency(entry.access());
      uint32_t seen = keyspace_.sketch().Estimate(db.KeyHash(entry.key()));
      *score = rarity << 4 | (FrequencySketch::kMaxCount - seen);
      return true;
    }
    case EvictionPolicy::kVolatileTtl:
      if (!entry.has_deadline()) return false;
      // Soonest deadline first (the sign flip orders int64 deadlines as unsigned numbers).
      *score = ~(static_cast<uint64_t>(entry.deadline()) ^ (uint64_t{1} << 63));
      return true;
    default:
      return false;
  }
}

void Evictor::Offer(uint64_t score, size_t db, std::string_view key) {
  if (pool_.size() == kPoolSize) {
    if (score <= pool_.front().score) return;
    spare_.push_back(std::move(pool_.front()));
    pool_.erase(pool_.begin());
  }
  Candidate candidate;
  if (!spare_.empty()) {
    candidate = std::move(spare_.back());
    spare_.pop_back();
  }
  candidate.score = score;
  candidate.db = db;
  candidate.key.assign(key);
  auto at = std::upper_bound(pool_.begin(), pool_.end(), score,
                             [](uint64_t s, const Candidate& c) { return s < c.score; });
  pool_.insert(at, std::move(candidate));
}

}  // namespace magnetar::engine
