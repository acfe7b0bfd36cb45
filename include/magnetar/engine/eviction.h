// maxmemory and eviction: the engine removes keys chosen by the configured policy until the
// memory in use is back under the limit.
//
// Who calls it. The server calls Perform() before each command while a limit is set (as Redis
// does), and again from a timer while a slice ran out of time; the engine itself only consults
// the limit when a key table wants to grow (AllowGrowth). Keys are never evicted while a command
// runs, so entries a command holds stay valid.
//
// How a victim is chosen (docs/eviction.md has the reasoning and the figures):
// - LRU and LFU policies sample keys a whole table bucket at a time (up to 7 keys for one cache
//   line) until at least maxmemory-samples keys were seen in each database, and keep the best
//   candidates in a pool of kPoolSize that persists between evictions, as Redis's pool does.
//   Before a pooled key is evicted its score is read again; a key used since it was pooled goes
//   back into the pool with its new score instead of being evicted.
// - LRU scores by idle time on a 1/16 s clock (access_metadata.h). LFU scores by Redis's
//   logarithmic counter, ties broken by the frequency sketch (frequency_sketch.h), which also
//   remembers keys that are not stored: a new key starts with the counter its history earns.
// - volatile-ttl scores by deadline; the random policies take a random key of the next database.
//
// Time. One call works for at most the time maxmemory-eviction-tenacity grants (Redis's formula:
// 50 µs per step up to 10, 500 µs * 1.15^(t-10) beyond), capped at kMaxSliceUs so the event loop
// never stalls on eviction; the caller resumes from a timer while kRunning is returned.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/engine/key_table.h"

namespace magnetar::engine {

class Keyspace;
class Database;

// In the order of Redis's list of names (its "must be one of" error).
enum class EvictionPolicy : uint8_t {
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kNoEviction,
};

// maxmemory-policy's names, by EvictionPolicy value.
inline constexpr std::array<std::string_view, 8> kEvictionPolicyNames = {
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    "allkeys-lru",  "allkeys-lfu",  "allkeys-random",  "noeviction"};

constexpr bool IsLfu(EvictionPolicy policy) {
  return policy == EvictionPolicy::kVolatileLfu || policy == EvictionPolicy::kAllKeysLfu;
}

// The policies that sample by score (LRU and LFU) and use the frequency sketch's admission.
constexpr bool UsesFrequency(EvictionPolicy policy) {
  return policy == EvictionPolicy::kVolatileLru || policy == EvictionPolicy::kAllKeysLru ||
         IsLfu(policy);
}

struct EvictionSettings {
  uint64_t maxmemory = 0;  // 0: no limit
  EvictionPolicy policy = EvictionPolicy::kNoEviction;
  int64_t samples = 5;
  int64_t tenacity = 10;
  bool lazy = false;  // lazyfree-lazy-eviction
};

// How much memory counts against maxmemory.
class MemoryGauge {
 public:
  virtual ~MemoryGauge() = default;
  // All memory in use (INFO's used_memory).
  virtual uint64_t Used() const = 0;
  // The part of it that maxmemory leaves out (INFO's mem_not_counted_for_evict).
  virtual uint64_t NotCounted() const { return 0; }
  // What the limit sees. Read before every command while a limit is set: must cost next to
  // nothing.
  uint64_t Counted() const {
    const uint64_t used = Used();
    const uint64_t not_counted = NotCounted();
    return used > not_counted ? used - not_counted : 0;
  }
};

enum class EvictionResult {
  kOk,       // under the limit (now or already)
  kRunning,  // still over, out of time: call again soon
  kFail,     // still over, and nothing can be evicted (noeviction, or no candidate key)
};

class Evictor final : public GrowthGate {
 public:
  static constexpr size_t kPoolSize = 32;
  static constexpr int64_t kMaxSliceUs = 500;

  explicit Evictor(Keyspace& keyspace);

  // `gauge` must outlive the evictor or be replaced; null reads no memory (never over the limit).
  void Configure(const EvictionSettings& settings, const MemoryGauge* gauge);
  const EvictionSettings& settings() const { return settings_; }
  bool limited() const { return settings_.maxmemory != 0 && gauge_ != nullptr; }
  bool OverLimit() const { return limited() && gauge_->Counted() > settings_.maxmemory; }

  // Evicts until the memory in use is at most maxmemory, the slice's time is up, or nothing is
  // left to evict.
  EvictionResult Perform();
  // Redis's evictionTimeLimitUs for the tenacity, before the cap.
  static int64_t TenacityBudgetUs(int64_t tenacity);

  // GrowthGate: whether `bytes` more may be allocated without passing the limit.
  bool AllowGrowth(size_t bytes) const override;

  // TinyLFU admission: whether inserts should be reported, and the report of a new key. The next
  // eviction weighs the newest key against its victim (see EvictFromPool).
  bool admits() const { return admits_; }
  void NoteInsert(size_t db, std::string_view key) {
    newcomer_db_ = db;
    newcomer_.assign(key);
    has_newcomer_ = true;
  }

 private:
  struct Candidate {
    uint64_t score = 0;  // higher: evicted sooner
    size_t db = 0;
    std::string key;  // capacity kept between uses: pooling allocates only for long keys
  };

  bool EvictOne();
  bool EvictRandom();
  bool EvictFromPool();
  bool EvictNewcomerInstead(const Candidate& victim);
  void Sample(Database& db);
  void Offer(uint64_t score, size_t db, std::string_view key);
  // The victim score of `entry` under the policy, or nothing when the policy ignores it.
  bool Score(const Database& db, const Entry& entry, uint64_t* score) const;
  bool volatile_only() const;

  Keyspace& keyspace_;
  EvictionSettings settings_;
  const MemoryGauge* gauge_ = nullptr;
  std::vector<Candidate> pool_;   // sorted by score, best last; size() = used slots
  std::vector<Candidate> spare_;  // unused slots, their buffers kept
  size_t next_db_ = 0;            // where the random policies look next
  bool admits_ = false;
  bool has_newcomer_ = false;
  size_t newcomer_db_ = 0;
  std::string newcomer_;  // capacity kept: noting an insert allocates only for long keys
};

}  // namespace magnetar::engine
