// One numbered database: the only way commands touch keys.
//
// Storage is a KeyTable of Entry pointers (key_table.h, entry.h) plus an ExpiryIndex of the keys
// that have a deadline (expiry_index.h). Every lookup applies lazy expiry: a key past its deadline
// is removed, counted in KeyspaceStats::expired and reported to the keyspace's observer
// (OnKeyExpired), the same path active expiry takes; on a replica, or while the AOF replays, the
// keyspace's LazyExpiry keeps it (keyspace.h). Entries returned by lookups are valid until
// the database next changes.
//
// Not thread-safe: one thread (the event loop) uses a database; only detached storage is handed
// to the lazy-free thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "magnetar/common/status.h"
#include "magnetar/engine/entry.h"
#include "magnetar/engine/expiry_index.h"
#include "magnetar/engine/key_table.h"

namespace magnetar::engine {

class Keyspace;

// Counters INFO stats reports, shared by all databases of a keyspace.
struct KeyspaceStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t expired = 0;
  uint64_t evicted = 0;
};

// What a write does to the key's deadline.
class TtlUpdate {
 public:
  enum class Mode : uint8_t { kClear, kKeep, kSet };

  // The key ends up without a deadline (plain SET).
  static TtlUpdate Clear() { return TtlUpdate(Mode::kClear, 0); }
  // The key keeps the deadline it had, if any (SET KEEPTTL, INCR, APPEND...).
  static TtlUpdate Keep() { return TtlUpdate(Mode::kKeep, 0); }
  // The key gets this absolute deadline in Unix ms (SET EX/PX/EXAT/PXAT).
  static TtlUpdate At(int64_t deadline_ms) { return TtlUpdate(Mode::kSet, deadline_ms); }

  Mode mode() const { return mode_; }
  int64_t deadline_ms() const { return deadline_ms_; }

 private:
  TtlUpdate(Mode mode, int64_t deadline_ms) : mode_(mode), deadline_ms_(deadline_ms) {}
  Mode mode_;
  int64_t deadline_ms_;
};

// Bytes a database accounts for, for INFO memory: the table and index are overhead, the entries
// (and heap strings) are the dataset. Objects report their own size.
struct DatabaseMemory {
  size_t table_bytes = 0;
  size_t expiry_index_bytes = 0;
  size_t entry_bytes = 0;
};

class Database final : private ExpiryIndex::Host {
 public:
  Database(Keyspace& keyspace, size_t index);
  ~Database() override;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  size_t index() const { return index_; }

  // A hint that `key` is about to be looked up: starts loading its bucket (see KeyTable).
  void Prefetch(std::string_view key) const { table_.Prefetch(table_.Hash(key)); }
  // The live entry for `key`, or null. Applies lazy expiry; counts nothing.
  const Entry* Lookup(std::string_view key);
  // Lookup for a read command: also counts a keyspace hit or miss, and a miss raises the
  // "keymiss" event.
  const Entry* LookupForRead(std::string_view key);
  bool Exists(std::string_view key) { return Lookup(key) != nullptr; }

  // The string at `key` (nullopt when missing); kWrongType when the key holds another type.
  // Counts a hit or miss.
  Result<std::optional<StringRef>> GetString(std::string_view key);
  // Stores a string, replacing any value of any type. Canonical integer texts are kept as int64.
  void SetString(std::string_view key, std::string_view value, TtlUpdate ttl = TtlUpdate::Clear());
  void SetInteger(std::string_view key, int64_t value, TtlUpdate ttl = TtlUpdate::Clear());
  // Stores an object of `type` (not kString), replacing any value; the entry owns it.
  void SetObject(std::string_view key, ValueType type, std::unique_ptr<Object> object,
                 TtlUpdate ttl = TtlUpdate::Clear());
  // Removes `key`; true when it existed.
  bool Delete(std::string_view key);
  // Removes `key` even when its deadline has passed, without expiring it first (nothing counted
  // or reported as expired): BITOP's empty result, which Redis deletes without a lookup, so an
  // expired destination counts as deleted. True when the key was stored.
  bool DeleteStored(std::string_view key);

  // The write hook: a command reports here each key it changed, after changing it, with the
  // keyspace event it raises (class and name, as Redis's notifyKeyspaceEvent). This adds `changes`
  // to the dirty counter, tells the observer (WATCH, blocked clients) and raises the event. A
  // command that changes two keys in one step counts the step once, as Redis does: RENAME's
  // "rename_to" and MOVE's "move_to" pass 0; BITFIELD passes the number of fields it wrote.
  void Changed(std::string_view key, uint32_t klass, std::string_view event, uint64_t changes = 1);
  // Raises one more keyspace event for `key` without counting a change or telling the observer
  // (SET EX's "expire" after its "set").
  void Notify(uint32_t klass, std::string_view event, std::string_view key);
  // The entry stored at `key` whether or not its deadline has passed; touches and removes nothing.
  const Entry* Peek(std::string_view key);
  // True when `entry`'s deadline has passed (by the keyspace's frozen command time).
  bool IsExpired(const Entry& entry) const {
    return entry.has_deadline() && entry.deadline() < NowMs();
  }

  // Gives an existing key the absolute deadline `deadline_ms` (a past one included: the key
  // then expires at the next lookup or active step). False when the key does not exist.
  bool SetDeadline(std::string_view key, int64_t deadline_ms);
  // Removes the key's deadline; true when it had one.
  bool Persist(std::string_view key);
  // Overwrites the stored key's access metadata (RESTORE's IDLETIME and FREQ); false when the key
  // is not stored.
  bool SetAccess(std::string_view key, uint32_t access);

  // Loading (RDB). Sizes the table for `keys` keys (the file's RESIZEDB), so that loading them
  // does not resize it again and again.
  void Reserve(size_t keys) { table_.Reserve(keys); }
  // Adding a loaded key takes two steps, so that a loader can build the next few entries while
  // the bucket of one built earlier comes from memory (a big table's buckets are never in cache).
  // A loaded key is nobody's change: no lazy expiry of what is stored, no "new" event, no
  // eviction note, no count in the frequency sketch.
  struct LoadedEntry {
    Entry* entry = nullptr;
    uint64_t hash = 0;
  };
  // Builds `key`'s entry (taking an object in `value`) and starts fetching its bucket. `access`
  // is the file's IDLE or FREQ; nullopt gives a new key's.
  LoadedEntry BuildLoaded(std::string_view key, const EntryValue& value,
                          std::optional<int64_t> deadline_ms, std::optional<uint32_t> access);
  // Adds a built entry, unless its key is stored already: then returns false and changes nothing;
  // the caller still owns the entry (Entry::Destroy).
  bool LinkLoaded(const LoadedEntry& loaded);

  size_t Size() const { return table_.size(); }
  size_t ExpiresCount() const { return expiry_.live(); }
  // INFO keyspace's avg_ttl: the mean time left (ms) of the keys with a deadline, 0 when none.
  int64_t AverageTtlMs() const;
  // FLUSHDB: frees every key now. The observer hears of it first, and each key counts as a
  // change.
  void Clear();
  // Clear, except that the keys are freed on the lazy-free thread.
  void ClearAsync();

  // SCAN: calls `fn` for some entries and returns the next cursor (0 when done). Every key
  // present from the first call to the last is returned at least once; some may repeat. Entries
  // past their deadline are included (the caller filters them). `fn` must not change the
  // database.
  uint64_t Scan(uint64_t cursor, const std::function<void(const Entry&)>& fn) const {
    return table_.Scan(cursor, fn);
  }
  // The point-in-time snapshot's walk (snapshot.h): SCAN's cursor steps, handing out entries
  // whose snapshot mark the walk sets. `fn` must not change the database.
  uint64_t ScanForSnapshot(uint64_t cursor, const std::function<void(Entry&)>& fn) {
    // The table hands out const entries so that SCAN's callers cannot change them; the mark is
    // the snapshot's own bookkeeping, not the key's value.
    return table_.Scan(cursor, [&](const Entry& entry) { fn(const_cast<Entry&>(entry)); });
  }
  // A random entry in O(1) expected time, expired or not; null when empty.
  const Entry* RandomEntry();
  // RANDOMKEY: a random live key, removing expired keys it draws.
  std::optional<std::string> RandomKey();

  // Active expiry: removes due keys until MonotonicUs() reaches `stop_at_us`. Returns how many
  // were removed, and whether the work was finished.
  ExpiryIndex::StepResult ActiveExpireStep(int64_t stop_at_us);
  // When ActiveExpireStep next has work (absolute ms); nullopt when no key has a deadline.
  std::optional<int64_t> NextExpiryMs() const { return expiry_.NextWakeMs(); }
  // Moves up to `buckets` buckets of a running table resize; true while one is running.
  bool RehashStep(size_t buckets) { return table_.RehashStep(buckets); }
  size_t TakeMovedByTraffic() { return table_.TakeMovedByTraffic(); }
  bool resizing() const { return table_.resizing(); }

  DatabaseMemory Memory() const;

  // Bitmap family (SETBIT, BITFIELD): a string edited in place.
  // The bytes of the string at `key`, zero-padded to at least `min_size`, writable until the
  // database next changes; the key keeps its deadline. A missing key is created first. The value
  // becomes a heap string with room to grow, so later edits and small growth copy nothing.
  // Fails with kWrongType when the key holds another type. Counts no keyspace hit or miss.
  // `grown`, when given, is set to whether the key was created or its string lengthened (SETBIT
  // reports a change then even when the bit it sets was already right).
  Result<std::span<char>> StringForUpdate(std::string_view key, size_t min_size,
                                          bool* grown = nullptr);

  // Generic key family (RENAME, MOVE, COPY, UNLINK; SWAPDB is Keyspace::SwapDatabases).
  // Moves `from`'s value and deadline to the key `to` of `target` (this database or another),
  // replacing whatever `to` held. False when `from` does not exist. `to` is announced as "new"
  // even when it replaced a key: Redis deletes the old key and adds the moved one (so does
  // CopyEntry).
  bool MoveEntry(std::string_view from, Database& target, std::string_view to);
  // Stores a copy of `from`'s value and deadline at `to` in `target` (this database or another),
  // replacing whatever `to` held. False when `from` does not exist or its object cannot be copied.
  // REQUIRES: not the same key of the same database.
  bool CopyEntry(std::string_view from, Database& target, std::string_view to);
  // Delete, except that a large object is freed on the lazy-free thread.
  bool Unlink(std::string_view key);

  // Eviction (eviction.h). Calls `fn` for at least `want` random entries (those with a deadline
  // when `volatile_only`), whole buckets at a time, unless too few are found; returns how many.
  // Entries past their deadline are included. `fn` must not change the database.
  size_t SampleForEviction(size_t want, bool volatile_only,
                           const std::function<void(const Entry&)>& fn);
  // A random entry (with a deadline when `volatile_only`), or null when none was found.
  const Entry* RandomEntryForEviction(bool volatile_only);
  // Evicts `key` if stored (its deadline aside): counts it, tells the observer, then frees it,
  // on the lazy-free thread when `lazy` and the value is large. False when it is not stored.
  bool Evict(std::string_view key, bool lazy);
  // The hash the frequency sketch knows `key` by.
  uint64_t KeyHash(std::string_view key) const { return table_.Hash(key); }
  // LookupForRead that leaves the key's access time alone, for commands that only inspect it
  // (TYPE, EXISTS, TTL, OBJECT: Redis's LOOKUP_NOTOUCH). OBJECT passes `notify_miss` false: a
  // miss raises no "keymiss" (Redis's LOOKUP_NONOTIFY).
  const Entry* InspectForRead(std::string_view key, bool notify_miss = true);

  // String family (INCR, DECR, INCRBY, DECRBY).
  // Adds `delta` to the integer at `key` (a missing key counts as 0) and returns the sum; the key
  // keeps its deadline. Fails with kWrongType, kNotInteger (the value is no canonical int64 text)
  // or kOverflow, changing nothing. Counts no keyspace hit or miss. A sum that encodes to as many
  // bytes as the old value is written in place, without allocating.
  Result<int64_t> IncrementInteger(std::string_view key, int64_t delta);

 private:
  friend class Keyspace;  // renumbers databases on SWAPDB

  // Puts `entry` in the table where FindLive left `position` and `old` (null: not present),
  // freeing `old` and keeping the expiry index right.
  void Place(const KeyTable::Position& position, Entry* old, Entry* entry, uint64_t hash);
  // Adds a built entry, replacing the live entry with its key if there is one.
  void Adopt(Entry* entry);
  // Takes the entry at `position` out of the table without freeing it.
  void Detach(const KeyTable::Position& position, Entry* entry);
  // Applies lazy expiry as the keyspace's LazyExpiry says, for a lookup that may write (a hidden
  // key is deleted first: the caller may store at `position`) or, with `read_only`, one that only
  // reads. A live entry found with `touch` is stamped with the LRU clock.
  Entry* FindLive(std::string_view key, uint64_t hash, KeyTable::Position* position,
                  bool touch = true, bool read_only = false);
  void Store(std::string_view key, const EntryValue& value, TtlUpdate ttl);
  // The access metadata for a new entry replacing `old` (null: none) under `hash`.
  uint32_t AccessFor(const Entry* old, uint64_t hash) const;
  // Remove, or for a large object Detach and free on the lazy-free thread.
  void RemoveLazily(const KeyTable::Position& position, Entry* entry);
  // A read lookup's statistics and, when `notify_miss`, the "keymiss" event of a miss.
  void CountRead(const Entry* entry, std::string_view key, bool notify_miss);
  // Removes the entry at `position` and frees it. Keeps the expiry index's count right.
  void Remove(const KeyTable::Position& position, Entry* entry);
  // Removes an expired entry: hook, counter, removal.
  void Expire(const KeyTable::Position& position, Entry* entry);
  void DestroyEntry(Entry* entry);
  int64_t NowMs() const;
  // Before `entry` changes or leaves the table: a running snapshot that has not written it yet
  // writes it now, as it was.
  void Preserve(Entry* entry);
  // A new entry is not part of a snapshot already running, nor left out of the next one.
  void Stamp(Entry* entry) const;
  // Before the whole table goes (FLUSHDB): a running snapshot writes what it has not yet.
  void PreserveAll();

  // ExpiryIndex::Host
  void VisitDeadlines(uint32_t record, int64_t min, int64_t max,
                      const std::function<void(int64_t)>& fn) override;
  size_t ExpireRecord(uint32_t record, int64_t now_ms) override;

  Keyspace& keyspace_;
  size_t index_;
  KeyTable table_;
  ExpiryIndex expiry_;
  size_t entry_bytes_ = 0;
  uint64_t random_state_;
};

}  // namespace magnetar::engine
