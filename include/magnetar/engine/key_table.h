// KeyTable: the hash table behind each database, mapping key names to Entry pointers.
//
// Why this layout. Redis's dict spends per key a 24-byte dictEntry, an 8-byte bucket pointer, a
// 16-byte robj and a separate sds allocation for the key, about 85 bytes before the value, and
// every lookup chases three pointers. Here the table is an array of 64-byte buckets, one cache
// line each, holding up to 7 entry pointers plus one metadata byte (which slots are used, and
// whether the bucket is chained) and a 1-byte tag per slot taken from the key's hash. A lookup
// loads one bucket, compares the tags (a false match costs 1/256), and follows one pointer to an
// entry that holds the key, its value and its deadline in a single allocation (see entry.h). The
// table costs 64 / (7 * fill) bytes per key: between 11 and 23 bytes at the fills it keeps (the
// table grows at an average of 5 keys per bucket and shrinks below 7/8 of a key per bucket).
// A full bucket turns its last slot into a pointer to a child bucket ("chained"); deletes move
// the chain's last entry into the hole so chains stay short and free empty children at once.
//
// Growth without pauses. A resize allocates the new bucket array uninitialised (no calloc of
// hundreds of megabytes) and moves one old bucket, with its chain, per operation; the server's cron
// moves more in tables that no operation touches. A new bucket is zeroed only when the first old
// bucket that maps to it moves, so the cost of a resize is spread over the operations that follow
// it. While resizing, a key lives in exactly one of the two arrays: in the old one if its old
// bucket has not moved yet, in the new one otherwise. Lookups and inserts therefore probe one
// bucket, never two. A resize never starts while another is running: chains absorb the overflow
// meanwhile. Old arrays of a megabyte or more are freed on the lazy-free thread, so returning them
// to the allocator does not stall the event loop either.
//
// Hash bits. Keys are hashed with keyed SipHash-1-3 (see hash.h). The high 32 bits choose the
// bucket (their low bits) and the tag (their top byte); they are also the "record" the expiry
// index files, so the index can find an entry again from 4 bytes (see expiry_index.h).
//
// SCAN. Bucket counts are powers of two and the cursor is incremented on its reversed bits, so a
// cursor over a small table visits, in a large table, every bucket the small ones split into and
// vice versa. While resizing, a cursor step visits one bucket of the smaller array and all of its
// expansions in the larger one, which covers every key present for the whole iteration at least
// once whichever way the table grows or shrinks in between (Redis's guarantee).
//
// Sampling. A random bucket is drawn until a non-empty one is found (fills are kept above 1/8
// key per slot, so this takes O(1) expected draws), then a random entry of its chain.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>

#include "magnetar/engine/entry.h"
#include "magnetar/engine/hash.h"

namespace magnetar::engine {

class LazyFreer;

// Asked before a table allocates a larger bucket array (maxmemory: Redis 6.2+ does not grow its
// main dictionary past the limit either).
class GrowthGate {
 public:
  virtual ~GrowthGate() = default;
  virtual bool AllowGrowth(size_t bytes) const = 0;
};

class KeyTable {
 public:
  struct Bucket;  // 64 bytes: slot bits, 7 tags, 7 entry pointers (defined in key_table.cc)

  // Where an entry sits. Valid until the table changes.
  struct Position {
    Bucket* head = nullptr;  // the bucket the key hashes to
    Bucket* bucket = nullptr;
    int slot = -1;
  };

  // `freer` (may be null) receives large bucket arrays to free off the event loop.
  explicit KeyTable(LazyFreer* freer = nullptr, HashKey hash_key = HashKey::Random());
  ~KeyTable();
  KeyTable(KeyTable&& other) noexcept;
  KeyTable& operator=(KeyTable&&) = delete;

  uint64_t Hash(std::string_view key) const { return HashKeyName(hash_key_, key); }
  // The part of a hash the expiry index stores, and that ForEachWithRecord finds entries by.
  static uint32_t RecordOf(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }

  // Finds `key` (whose hash is `hash`). Performs one step of a running resize first.
  Entry* Find(std::string_view key, uint64_t hash, Position* position);
  // Adds an entry whose key is not in the table. The table owns it from now on. Performs one step
  // of a running resize first.
  void Insert(Entry* entry, uint64_t hash);
  // Insert, unless an entry with the same key is there: then returns that entry and changes
  // nothing (the caller keeps `entry`). Walks the chain once where Find then Insert would twice.
  Entry* InsertUnique(Entry* entry, uint64_t hash);
  // Sizes the table for `keys` keys at once (an RDB file announces its count). An empty table
  // allocates and zeroes its final array now rather than doubling some twenty times, each resize
  // rehashing every key inserted so far; a smaller non-empty one starts a single resize to that
  // size. Asks the growth gate as any growth does, and does nothing while a resize runs.
  void Reserve(size_t keys);
  // Puts `entry` (same key) where Find found the old one; the caller disposes of the old one.
  void Replace(const Position& position, Entry* entry);
  // Starts loading the bucket where `hash` lives, so that a Find a little later does not wait for
  // memory. Changes nothing.
  void Prefetch(uint64_t hash) const {
    if (size_ != 0) __builtin_prefetch(HomeBucket(RecordOf(hash)));
  }
  // Removes the entry at `position`; the caller disposes of it.
  void Erase(const Position& position);
  // Calls `fn` for every entry whose hash has `record` as its high half. `fn` must not change
  // the table.
  void ForEachWithRecord(uint32_t record, const std::function<void(Entry*)>& fn) const;

  // Calls `fn` for the entries of the buckets `cursor` designates and returns the next cursor,
  // 0 when the iteration is complete. `fn` must not change the table.
  uint64_t Scan(uint64_t cursor, const std::function<void(const Entry&)>& fn) const;
  // A random entry, null when empty. `random` yields uniformly distributed 64-bit numbers.
  Entry* Random(const std::function<uint64_t()>& random) const;
  // Calls `fn` for every entry of a random non-empty bucket's chain (eviction's sample: up to 7
  // keys for one cache line); returns how many. `fn` must not change the table.
  size_t SampleBucket(const std::function<uint64_t()>& random,
                      const std::function<void(Entry*)>& fn) const;

  // Growth past kGrowAt keys per bucket asks `gate` first (null: always grows). A refused table
  // keeps filling its chains, up to twice the usual fill, where it grows regardless: lookups
  // would slow down too much beyond.
  void set_growth_gate(const GrowthGate* gate) { gate_ = gate; }

  // Moves up to `buckets` non-empty buckets of a running resize. Returns whether one still runs.
  bool RehashStep(size_t buckets);
  // How many steps of a running resize lookups and inserts have made since the last call (one
  // each). The cron leaves a resize that its traffic drives faster than the cron would.
  size_t TakeMovedByTraffic() { return std::exchange(moved_by_traffic_, 0); }
  bool resizing() const { return old_.buckets != nullptr; }

  size_t size() const { return size_; }
  // Bucket arrays and chained child buckets.
  size_t BucketBytes() const;
  // Frees every entry and every bucket now.
  void Clear();

 private:
  struct Array {
    Bucket* buckets = nullptr;
    size_t count = 0;  // a power of two, or 0 before the first insert
    size_t mask() const { return count - 1; }
  };

  Bucket* HomeBucket(uint32_t record) const;
  bool Ready(size_t index) const;
  // One step of a running resize on behalf of a lookup or an insert.
  void StepWithTraffic();
  const Bucket* RandomBucket(const std::function<uint64_t()>& random) const;
  bool MayGrow() const;
  // The resize step and growth an insert of `record` makes first; returns the bucket it goes to.
  Bucket* PrepareInsert(uint32_t record);
  // The entry keyed `key` (tagged `tag`) in the chain starting at `head`, or null.
  static Entry* FindInChain(Bucket* head, std::string_view key, uint8_t tag, Position* position);
  void InsertIntoChain(Bucket* head, Entry* entry, uint8_t tag);
  void StartResize(size_t count);
  void MoveBucket(size_t index);
  void FinishResize();
  void MaybeShrink();
  void FreeArray(Array& array);
  void FreeChain(Bucket* head);

  HashKey hash_key_;
  LazyFreer* freer_;
  const GrowthGate* gate_ = nullptr;
  Array current_;  // while resizing: the array being filled
  Array old_;      // while resizing: the array being emptied; buckets below resize_index_ moved
  size_t resize_index_ = 0;
  size_t size_ = 0;
  size_t children_ = 0;          // chained child buckets
  size_t moved_by_traffic_ = 0;  // see TakeMovedByTraffic
};

}  // namespace magnetar::engine
