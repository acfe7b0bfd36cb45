// ExpiryIndex: which keys expire when, so active expiry goes straight to the due keys.
//
// Why not Redis's sampling. Redis's active cycle draws 20 random keys that have a TTL, deletes
// the expired ones, and repeats while more than a quarter of a draw was expired. With 1,000,000
// keys whose TTLs are far off and 1,000 sharing one deadline, a draw finds a due key 0.1% of the
// time, so the cycle stops after one draw each tick and the 1,000 linger for tens of seconds
// (until lazily touched). Finding them needs an index by deadline.
//
// Layout: a radix of deadlines. The wheel keeps a time T (the last moment it has caught up to,
// never ahead of the clock). A deadline d > T is filed at level l = (highest bit where d and T
// differ) / 6, in slot (d >> 6l) & 63: eleven levels of 64 slots cover all of int64. Level 0 has
// 1-ms slots, level 1 64-ms slots, level 3 about 4.4-minute ones, level 5 12 days: near deadlines
// are filed finely and far ones coarsely. Every occupied slot at level l has a digit above T's,
// so the earliest occupied slot is the lowest occupied one of the lowest occupied level (found
// with one 64-bit mask per level). Catching up means moving T to that slot's start: a level-0
// slot's keys are due; a higher slot is re-filed against the new T, landing in lower levels
// ("cascading"). A key is re-filed at most once per level on its way down, typically 3-5 times
// in its life, and an idle wheel costs a few mask tests per call.
//
// Memory: a record is 4 bytes, the high half of the key's hash, which is also what the table
// locates a key's bucket by (KeyTable::ForEachWithRecord). Storing a pointer would cost twice as
// much and break when an entry is rebuilt; storing no back-reference in the entry means a
// deleted key or a changed TTL leaves its old record behind. Such stale records are harmless:
// processing a record looks the key up and checks that its real deadline falls in the slot being
// processed. They are bounded: when records outnumber keys with TTLs by more than half (plus a
// little slack), a sweeper walks the slots, drops records whose key no longer has a deadline in
// that slot and duplicates within a slot (a key deleted and set again, as a cache evicts and
// refills, files its hash twice); every TTL set then also sweeps a few records, so garbage cannot
// outgrow the sweeping. A TTL change that stays within its old slot files nothing. At 4 bytes, at
// most 1.5x garbage, slots that grow by a quarter, and the sweep's set of the slot's live
// records, the index stays within 14 bytes per key with a TTL even when all of them share one
// slot (a cache that evicts and refills: database_test's ACacheRefillingItsEvictedKeys...).
//
// Latency: a level-0 slot is 1 ms wide, so a key is found by the first Step after its deadline;
// NextWakeMs() tells the server when that will be. Cascades and due keys are processed within the
// caller's time budget; what does not fit stays queued for the next call, so a burst of due keys
// spreads over several calls without being lost.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace magnetar::engine {

// A set of 4-byte records (open addressing, at most three quarters full, growing by half), used
// to drop duplicate records while sweeping: it holds a slot's live records, so its size is part
// of the index's memory.
class RecordSet {
 public:
  // False when `record` was already in the set.
  bool Insert(uint32_t record);
  void Clear();
  size_t MemoryBytes() const { return slots_.capacity() * sizeof(uint32_t); }

 private:
  // Records are hash bits already: scaling one to the table's size spreads them evenly, whatever
  // that size.
  size_t Home(uint32_t record) const { return (uint64_t{record} * slots_.size()) >> 32; }
  void Grow();

  std::vector<uint32_t> slots_;  // 0 marks an empty slot; record 0 itself lives in has_zero_
  size_t size_ = 0;
  bool has_zero_ = false;
};

class ExpiryIndex {
 public:
  // The database the index points into.
  class Host {
   public:
    virtual ~Host() = default;
    // Calls `fn(deadline)` for each key filed under `record` whose deadline is in [min, max].
    virtual void VisitDeadlines(uint32_t record, int64_t min, int64_t max,
                                const std::function<void(int64_t)>& fn) = 0;
    // Expires each key filed under `record` whose deadline is before `now_ms`; returns how many.
    virtual size_t ExpireRecord(uint32_t record, int64_t now_ms) = 0;
  };

  struct StepResult {
    size_t expired = 0;
    bool done = true;  // false when the time budget ran out with work left
  };

  // A key is due once the clock is past its deadline (Redis's rule: expired when now > deadline),
  // so the wheel starts just behind `now_ms`.
  explicit ExpiryIndex(int64_t now_ms) : time_(now_ms - 1) {}

  // A key filed under `record` got `deadline` (ms); `old_deadline` is the one it had, if any.
  void OnDeadlineSet(Host& host, uint32_t record, std::optional<int64_t> old_deadline,
                     int64_t deadline);
  // A key lost its deadline `deadline`: deleted, overwritten, persisted or expired.
  void OnDeadlineCleared(int64_t deadline) {
    --live_;
    deadline_sum_ -= deadline;
  }
  // The mean deadline (ms) of the keys that have one, for INFO's avg_ttl; nullopt when none.
  std::optional<int64_t> MeanDeadline() const {
    if (live_ == 0) return std::nullopt;
    return static_cast<int64_t>(deadline_sum_ / static_cast<__int128>(live_));
  }

  // Expires every indexed key due at `now_ms`, until MonotonicUs() reaches `stop_at_us`.
  StepResult Step(Host& host, int64_t now_ms, int64_t stop_at_us);
  // When Step next has something to do: nullopt when nothing is indexed.
  std::optional<int64_t> NextWakeMs() const;

  size_t live() const { return live_; }
  size_t records() const { return records_; }
  size_t MemoryBytes() const;
  // Forgets everything (the keys are gone).
  void Clear();

 private:
  static constexpr int kLevels = 11;
  static constexpr int kSlotBits = 6;
  static constexpr int kSlots = 1 << kSlotBits;

  struct Level {
    uint64_t occupied = 0;
    std::array<std::vector<uint32_t>, kSlots> slots;
  };
  struct Place {
    int level;  // -1: due
    int slot;
    bool operator==(const Place&) const = default;
  };
  struct Event {
    int level;
    int slot;
    int64_t start;
  };

  Place Locate(int64_t deadline) const;
  void File(uint32_t record, int64_t deadline);
  int64_t SlotStart(int level, int slot) const;
  int64_t SlotMax(int level, int slot) const;
  std::optional<Event> NextEvent() const;
  void Advance(const Event& event);
  size_t WheelRecords() const { return records_ - due_.size() - (cascade_.size() - cascade_next_); }
  bool GarbageHigh() const;
  void Sweep(Host& host, size_t steps);
  void FinishSweepSlot();

  std::array<std::unique_ptr<Level>, kLevels> levels_;
  int64_t time_;                   // T: the wheel has caught up to here
  std::vector<uint32_t> due_;      // records whose keys are due (processed from the back)
  std::vector<uint32_t> cascade_;  // a slot's records being re-filed against T
  size_t cascade_next_ = 0;
  int64_t cascade_max_ = 0;  // the last deadline of that slot
  size_t records_ = 0;       // everywhere: wheel, due_, cascade_
  size_t live_ = 0;          // keys with a deadline
  // The sum of their deadlines; an int64 could overflow.
  __int128 deadline_sum_ = 0;

  struct SweepCursor {
    int level = 0;
    int slot = 0;
    // The slot's records [0, unswept) are still to be swept, from the back; a dropped one is
    // replaced by the slot's last record. Records filed into the slot since the sweep entered it
    // are appended and wait for the next pass: when every new key files into the slot being swept
    // (one TTL for all, as a cache sets), chasing them would never finish the slot, and `seen`
    // would only grow.
    size_t unswept = 0;
    RecordSet seen;
  } sweep_;
};

}  // namespace magnetar::engine
