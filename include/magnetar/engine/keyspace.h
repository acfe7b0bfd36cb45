// The server's databases (`databases` of them, numbered from 0) and what they share: counters
// (the dirty counter among them), the clock, the observer of key changes and the lazy-free
// thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "magnetar/common/clock.h"
#include "magnetar/engine/access_metadata.h"
#include "magnetar/engine/database.h"
#include "magnetar/engine/encoding_limits.h"
#include "magnetar/engine/eviction.h"
#include "magnetar/engine/frequency_sketch.h"
#include "magnetar/engine/keyspace_observer.h"
#include "magnetar/engine/lazy_free.h"
#include "magnetar/engine/snapshot.h"

namespace magnetar::engine {

// How a lookup treats a key whose deadline has passed (Redis 7.0's expireIfNeeded). Only the
// primary may decide that a key is gone; where the primary speaks, a key stays until it says so.
enum class LazyExpiry : uint8_t {
  kDelete,  // expired and deleted (a primary's clients; a writable replica's writes)
  kHide,    // a replica's reads: reported missing, kept until the primary's DEL arrives
  kKeep,    // live (the primary's stream, the AOF being replayed): a command of theirs that
            // follows, such as a PERSIST made before the deadline, may still need the key
};

class Keyspace {
 public:
  // Reads time from the system clock.
  explicit Keyspace(size_t database_count);
  // Reads time from `clock`, which must outlive the keyspace.
  Keyspace(size_t database_count, const Clock& clock);
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;
  ~Keyspace();

  size_t database_count() const { return databases_.size(); }
  Database& db(size_t index) { return *databases_[index]; }
  const Database& db(size_t index) const { return *databases_[index]; }
  // Frees every key of every database now.
  void FlushAll();
  // Empties every database at once; the keys are freed on the lazy-free thread.
  void FlushAllAsync();
  // SWAPDB: databases `a` and `b` exchange their contents (keys, deadlines, expiry work).
  void SwapDatabases(size_t a, size_t b);

  // The LRU clock keys are stamped with when created or accessed (access_metadata.h: 1/16 s
  // ticks modulo 2^24). It follows the command's frozen time, so stamping reads no clock.
  uint32_t lru_clock() const { return LruClockAt(NowMs()); }

  // What the entries' access metadata holds (LRU stamps or LFU counters), which the eviction
  // policy decides; with `track_frequency` (a limit and an LRU or LFU policy) a frequency sketch
  // also counts every key looked up.
  void SetAccessMode(AccessMode mode, const LfuParams& lfu, bool track_frequency);
  AccessMode access_mode() const { return access_mode_; }
  const LfuParams& lfu_params() const { return lfu_; }
  // Set by the dispatcher for each command (kDelete unless told otherwise).
  void set_lazy_expiry(LazyExpiry mode) { lazy_expiry_ = mode; }
  LazyExpiry lazy_expiry() const { return lazy_expiry_; }
  // The metadata of a key created now; under LFU, from the sketch's memory of `hash`.
  uint32_t NewAccess(uint64_t hash) const {
    return access_mode_ == AccessMode::kLru ? lru_clock() : NewLfuAccess(hash);
  }
  // The metadata of a key restored with the idle time or LFU counter it had (RESTORE's IDLETIME
  // and FREQ, an RDB file's IDLE and FREQ), applied as Redis applies them: the counter only under
  // an LFU policy, the idle time under any other (an idle time beyond what the LRU clock spans
  // reads as the oldest stamp it holds). nullopt when neither applies: the key is new.
  std::optional<uint32_t> RestoredAccess(std::optional<int64_t> idle_seconds,
                                         std::optional<int64_t> frequency) const;
  // The metadata of a key accessed now that had `access`.
  uint32_t TouchedAccess(uint32_t access) {
    return access_mode_ == AccessMode::kLru ? lru_clock() : TouchedLfuAccess(access);
  }
  // A lookup of the key hashing to `hash`, found or not: counted by the sketch under LFU.
  void RecordLookup(uint64_t hash) {
    if (track_frequency_) sketch_.Record(hash);
  }
  // OBJECT FREQ: the LFU counter of `access` after the decay due by now.
  uint32_t LfuFrequency(uint32_t access) const {
    return LfuDecayed(access, LfuMinutesAt(NowMs()), lfu_);
  }
  const FrequencySketch& sketch() const { return sketch_; }
  // Cron: resizes the sketch when the keys outgrew it.
  void MaintainSketch();

  Evictor& evictor() { return evictor_; }

  KeyspaceStats& stats() { return stats_; }
  const KeyspaceStats& stats() const { return stats_; }
  const Clock& clock() const { return *clock_; }
  // The time expiry decisions use: while a command runs it is frozen at the command's start (as in
  // Redis), so a key cannot expire between two lookups of one command; otherwise the clock's.
  int64_t NowMs() const { return frozen_now_ms_ >= 0 ? frozen_now_ms_ : clock_->NowMs(); }
  // Freezes time at the wall-clock time of `monotonic_us`, a MonotonicUs() reading just taken,
  // unless it is frozen already: a command run by another (EXEC, a blocked command served) keeps
  // the outer command's time, as in Redis. Returns whether this call froze it (and so must
  // unfreeze it).
  bool FreezeTime(int64_t monotonic_us) {
    if (frozen_now_ms_ >= 0) return false;
    frozen_now_ms_ = clock_->NowUsAt(monotonic_us) / 1000;
    return true;
  }
  void UnfreezeTime() { frozen_now_ms_ = -1; }
  // Who hears about key changes; null restores the default, which ignores them. The observer
  // must outlive the keyspace or be replaced first.
  void SetObserver(KeyspaceObserver* observer) {
    observer_ = observer != nullptr ? observer : &null_observer_;
  }
  KeyspaceObserver& observer() { return *observer_; }

  // The notification classes (NotifyClass bits) that reach the observer's OnKeyEvent. Classes
  // without K or E (no channel to publish on) raise nothing.
  void SetNotifyMask(uint32_t mask) {
    notify_mask_ = (mask & (kNotifyKeyspace | kNotifyKeyevent)) ? mask : 0;
  }
  bool Notifies(uint32_t klass) const { return (notify_mask_ & klass) != 0; }
  // Raises a keyspace event if its class is enabled.
  void Notify(uint32_t klass, std::string_view event, size_t db, std::string_view key) {
    if (Notifies(klass)) observer_->OnKeyEvent(klass, event, db, key);
  }

  // When compact encodings convert (encoding_limits.h).
  const EncodingLimits& encoding_limits() const { return encoding_limits_; }
  void SetEncodingLimits(const EncodingLimits& limits) { encoding_limits_ = limits; }

  // Changes to keys since the last save (INFO's rdb_changes_since_last_save).
  uint64_t dirty() const { return dirty_; }
  void AddDirty(uint64_t changes) { dirty_ += changes; }
  void ResetDirty() { dirty_ = 0; }
  LazyFreer& lazy_freer() { return lazy_freer_; }

  // Cron work. Active expiry across databases for at most `budget_us`, resuming where the last
  // call ran out of time; returns how many keys it removed.
  size_t ActiveExpireStep(int64_t budget_us);
  // Moves buckets of running table resizes for at most `budget_us`, skipping the tables whose
  // lookups and inserts made more resize steps since the last call than the cron would.
  void RehashStep(int64_t budget_us);
  // The earliest time any database's active expiry has work, for scheduling a timer.
  std::optional<int64_t> NextExpiryMs() const;

  // Totals over all databases, for INFO memory.
  DatabaseMemory Memory() const;

  // The running point-in-time snapshot (snapshot.h), or null. Databases report changes to it.
  Snapshot* snapshot() const { return snapshot_; }
  // The snapshot mark a new entry carries: the parity of the latest snapshot begun.
  bool entry_mark() const { return entry_mark_; }
  // Called by Snapshot when it begins and ends.
  void AttachSnapshot(Snapshot* snapshot) {
    snapshot_ = snapshot;
    entry_mark_ = snapshot->parity();
  }
  void DetachSnapshot(Snapshot* snapshot) {
    if (snapshot_ == snapshot) snapshot_ = nullptr;
  }

 private:
  void CreateDatabases(size_t count);
  size_t KeyCount() const;
  uint32_t NewLfuAccess(uint64_t hash) const;
  uint32_t TouchedLfuAccess(uint32_t access);
  double Random01();

  std::unique_ptr<Clock> own_clock_;  // set when no clock was given
  const Clock* clock_;
  KeyspaceStats stats_;
  int64_t frozen_now_ms_ = -1;  // -1: not frozen
  NullKeyspaceObserver null_observer_;
  KeyspaceObserver* observer_ = &null_observer_;
  uint32_t notify_mask_ = 0;
  uint64_t dirty_ = 0;
  EncodingLimits encoding_limits_;
  AccessMode access_mode_ = AccessMode::kLru;
  LazyExpiry lazy_expiry_ = LazyExpiry::kDelete;
  bool track_frequency_ = false;
  LfuParams lfu_;
  FrequencySketch sketch_;
  uint64_t random_state_ = 0x853c49e6748fea9bULL;
  LazyFreer lazy_freer_;    // declared before the databases so it outlives them
  Evictor evictor_{*this};  // likewise: the databases' tables ask it before growing
  std::vector<std::unique_ptr<Database>> databases_;
  size_t expire_cursor_ = 0;  // the database active expiry resumes with
  Snapshot* snapshot_ = nullptr;
  bool entry_mark_ = false;
};

}  // namespace magnetar::engine
