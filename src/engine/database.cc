#include "magnetar/engine/database.h"

#include <utility>
#include <vector>

#include "magnetar/engine/keyspace.h"
#include "magnetar/engine/snapshot.h"

namespace magnetar::engine {
namespace {

// FLUSHALL ASYNC frees tables this small on the spot: a handoff would cost more (Redis's
// LAZYFREE_THRESHOLD).
constexpr size_t kLazyFreeMinKeys = 64;

class DetachedTable final : public LazyFreeJob {
 public:
  explicit DetachedTable(KeyTable table) : table_(std::move(table)) {}

 private:
  KeyTable table_;  // its destructor frees every entry
};

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Database::Database(Keyspace& keyspace, size_t index)
    : keyspace_(keyspace),
      index_(index),
      table_(&keyspace.lazy_freer()),
      expiry_(keyspace.clock().NowMs()),
      random_state_(HashKey::Random().k0) {
  table_.set_growth_gate(&keyspace.evictor());
}

Database::~Database() = default;

int64_t Database::NowMs() const { return keyspace_.NowMs(); }

uint32_t Database::AccessFor(const Entry* old, uint64_t hash) const {
  // Redis keeps an overwritten key's LFU counter (its lookup has just counted this access); an
  // LRU stamp is simply now.
  if (old != nullptr && keyspace_.access_mode() == AccessMode::kLfu) return old->access();
  return keyspace_.NewAccess(hash);
}

inline void Database::Preserve(Entry* entry) {
  if (Snapshot* snapshot = keyspace_.snapshot()) snapshot->Preserve(*this, *entry);
}

inline void Database::Stamp(Entry* entry) const {
  entry->set_snapshot_mark(keyspace_.entry_mark());
}

Entry* Database::FindLive(std::string_view key, uint64_t hash, KeyTable::Position* position,
                          bool touch, bool read_only) {
  Entry* entry = table_.Find(key, hash, position);
  // Whoever looks a key up may change it in place (objects are edited through the entry), so a
  // running snapshot takes the key first.
  if (entry != nullptr) Preserve(entry);
  if (entry != nullptr && IsExpired(*entry)) [[unlikely]] {
    const LazyExpiry mode = keyspace_.lazy_expiry();
    if (mode == LazyExpiry::kHide && read_only) return nullptr;
    if (mode != LazyExpiry::kKeep) {
      Expire(*position, entry);
      return nullptr;
    }
  }
  if (touch) {
    keyspace_.RecordLookup(hash);
    if (entry != nullptr) entry->set_access(keyspace_.TouchedAccess(entry->access()));
  }
  return entry;
}

const Entry* Database::Lookup(std::string_view key) {
  KeyTable::Position position;
  return FindLive(key, table_.Hash(key), &position, /*touch=*/true, /*read_only=*/true);
}

const Entry* Database::LookupForRead(std::string_view key) {
  const Entry* entry = Lookup(key);
  CountRead(entry, key, /*notify_miss=*/true);
  return entry;
}

void Database::CountRead(const Entry* entry, std::string_view key, bool notify_miss) {
  if (entry != nullptr) {
    ++keyspace_.stats().hits;
    return;
  }
  ++keyspace_.stats().misses;
  if (notify_miss) keyspace_.Notify(kNotifyKeyMiss, "keymiss", index_, key);
}

Result<std::optional<StringRef>> Database::GetString(std::string_view key) {
  const Entry* entry = LookupForRead(key);
  if (entry == nullptr) return std::optional<StringRef>();
  if (entry->type() != ValueType::kString) return OpStatus::kWrongType;
  return std::optional<StringRef>(entry->string());
}

void Database::SetString(std::string_view key, std::string_view value, TtlUpdate ttl) {
  Store(key, EntryValue::String(value), ttl);
}

void Database::SetInteger(std::string_view key, int64_t value, TtlUpdate ttl) {
  Store(key, EntryValue::Integer(value), ttl);
}

void Database::SetObject(std::string_view key, ValueType type, std::unique_ptr<Object> object,
                         TtlUpdate ttl) {
  Store(key, EntryValue::Adopt(type, object.release()), ttl);
}

void Database::Store(std::string_view key, const EntryValue& value, TtlUpdate ttl) {
  uint64_t hash = table_.Hash(key);
  KeyTable::Position position;
  Entry* old = FindLive(key, hash, &position);
  std::optional<int64_t> old_deadline;
  if (old != nullptr && old->has_deadline()) old_deadline = old->deadline();
  std::optional<int64_t> deadline;
  switch (ttl.mode()) {
    case TtlUpdate::Mode::kClear:
      break;
    case TtlUpdate::Mode::kKeep:
      deadline = old_deadline;
      break;
    case TtlUpdate::Mode::kSet:
      deadline = ttl.deadline_ms();
      break;
  }
  Place(position, old, Entry::Create(key, value, deadline, AccessFor(old, hash)), hash);
}

void Database::Place(const KeyTable::Position& position, Entry* old, Entry* entry, uint64_t hash) {
  std::optional<int64_t> old_deadline;
  if (old != nullptr && old->has_deadline()) old_deadline = old->deadline();
  Stamp(entry);
  entry_bytes_ += entry->AllocatedBytes();
  if (old != nullptr) {
    table_.Replace(position, entry);
    DestroyEntry(old);
  } else {
    table_.Insert(entry, hash);
  }
  if (entry->has_deadline()) {
    expiry_.OnDeadlineSet(*this, KeyTable::RecordOf(hash), old_deadline, entry->deadline());
  } else if (old_deadline) {
    expiry_.OnDeadlineCleared(*old_deadline);
  }
  if (old == nullptr) {
    keyspace_.Notify(kNotifyNew, "new", index_, entry->key());
    if (keyspace_.evictor().admits()) keyspace_.evictor().NoteInsert(index_, entry->key());
  }
}

Database::LoadedEntry Database::BuildLoaded(std::string_view key, const EntryValue& value,
                                            std::optional<int64_t> deadline_ms,
                                            std::optional<uint32_t> access) {
  uint64_t hash = table_.Hash(key);
  table_.Prefetch(hash);
  return {Entry::Create(key, value, deadline_ms,
                        access ? *access & kAccessMask : keyspace_.NewAccess(hash)),
          hash};
}

bool Database::LinkLoaded(const LoadedEntry& loaded) {
  Entry* entry = loaded.entry;
  if (table_.InsertUnique(entry, loaded.hash) != nullptr) return false;
  Stamp(entry);
  entry_bytes_ += entry->AllocatedBytes();
  if (entry->has_deadline()) {
    expiry_.OnDeadlineSet(*this, KeyTable::RecordOf(loaded.hash), std::nullopt, entry->deadline());
  }
  return true;
}

bool Database::Delete(std::string_view key) {
  KeyTable::Position position;
  Entry* entry = FindLive(key, table_.Hash(key), &position);
  if (entry == nullptr) return false;
  Remove(position, entry);
  return true;
}

bool Database::DeleteStored(std::string_view key) {
  KeyTable::Position position;
  Entry* entry = table_.Find(key, table_.Hash(key), &position);
  if (entry == nullptr) return false;
  Remove(position, entry);
  return true;
}

void Database::Changed(std::string_view key, uint32_t klass, std::string_view event,
                       uint64_t changes) {
  keyspace_.AddDirty(changes);
  keyspace_.observer().OnKeyModified(index_, key);
  keyspace_.Notify(klass, event, index_, key);
}

void Database::Notify(uint32_t klass, std::string_view event, std::string_view key) {
  keyspace_.Notify(klass, event, index_, key);
}

const Entry* Database::Peek(std::string_view key) {
  KeyTable::Position position;
  return table_.Find(key, table_.Hash(key), &position);
}

bool Database::SetDeadline(std::string_view key, int64_t deadline_ms) {
  uint64_t hash = table_.Hash(key);
  KeyTable::Position position;
  Entry* entry = FindLive(key, hash, &position);
  if (entry == nullptr) return false;
  std::optional<int64_t> old_deadline;
  if (entry->has_deadline()) old_deadline = entry->deadline();
  if (entry->CanStoreDeadlineInPlace(deadline_ms)) {
    entry->StoreDeadlineInPlace(deadline_ms);
  } else {
    entry_bytes_ -= entry->AllocatedBytes();
    entry = Entry::Redeadline(entry, deadline_ms);
    entry_bytes_ += entry->AllocatedBytes();
    table_.Replace(position, entry);
  }
  expiry_.OnDeadlineSet(*this, KeyTable::RecordOf(hash), old_deadline, deadline_ms);
  return true;
}

bool Database::Persist(std::string_view key) {
  KeyTable::Position position;
  Entry* entry = FindLive(key, table_.Hash(key), &position);
  if (entry == nullptr || !entry->has_deadline()) return false;
  expiry_.OnDeadlineCleared(entry->deadline());
  entry_bytes_ -= entry->AllocatedBytes();
  entry = Entry::Redeadline(entry, std::nullopt);
  entry_bytes_ += entry->AllocatedBytes();
  table_.Replace(position, entry);
  return true;
}

bool Database::SetAccess(std::string_view key, uint32_t access) {
  KeyTable::Position position;
  Entry* entry = table_.Find(key, table_.Hash(key), &position);
  if (entry == nullptr) return false;
  entry->set_access(access & kAccessMask);
  return true;
}

void Database::Remove(const KeyTable::Position& position, Entry* entry) {
  Preserve(entry);
  table_.Erase(position);
  if (entry->has_deadline()) expiry_.OnDeadlineCleared(entry->deadline());
  DestroyEntry(entry);
}

void Database::Expire(const KeyTable::Position& position, Entry* entry) {
  ++keyspace_.stats().expired;
  keyspace_.observer().OnKeyExpired(index_, entry->key());
  Remove(position, entry);
}

void Database::DestroyEntry(Entry* entry) {
  entry_bytes_ -= entry->AllocatedBytes();
  Entry::Destroy(entry);
}

void Database::PreserveAll() {
  Snapshot* snapshot = keyspace_.snapshot();
  if (snapshot != nullptr && !snapshot->abandoned()) snapshot->PreserveAll(*this);
}

void Database::Clear() {
  PreserveAll();
  if (table_.size() > 0) keyspace_.observer().OnDatabaseEmptying(index_);
  keyspace_.AddDirty(table_.size());
  table_.Clear();
  expiry_.Clear();
  entry_bytes_ = 0;
}

void Database::ClearAsync() {
  size_t keys = table_.size();
  if (keys < kLazyFreeMinKeys) return Clear();
  PreserveAll();
  keyspace_.observer().OnDatabaseEmptying(index_);
  keyspace_.AddDirty(keys);
  // The moved-from table is empty and ready for new keys.
  keyspace_.lazy_freer().Submit(std::make_unique<DetachedTable>(std::move(table_)), keys);
  expiry_.Clear();
  entry_bytes_ = 0;
}

const Entry* Database::RandomEntry() {
  return table_.Random([this] { return SplitMix64(random_state_); });
}

std::optional<std::string> Database::RandomKey() {
  // Lookup removes a key that has expired; keep drawing then (the database shrinks each time, so
  // this ends). Where expired keys are only hidden (a replica) nothing shrinks: as Redis does,
  // give up after 100 expired draws and answer the last one.
  int hidden_draws = 0;
  while (const Entry* entry = RandomEntry()) {
    std::string key(entry->key());
    if (Lookup(key) != nullptr) return key;
    if (keyspace_.lazy_expiry() == LazyExpiry::kHide && ++hidden_draws == 100) return key;
  }
  return std::nullopt;
}

ExpiryIndex::StepResult Database::ActiveExpireStep(int64_t stop_at_us) {
  return expiry_.Step(*this, NowMs(), stop_at_us);
}

void Database::VisitDeadlines(uint32_t record, int64_t min, int64_t max,
                              const std::function<void(int64_t)>& fn) {
  table_.ForEachWithRecord(record, [&](Entry* entry) {
    if (!entry->has_deadline()) return;
    int64_t deadline = entry->deadline();
    if (deadline >= min && deadline <= max) fn(deadline);
  });
}

size_t Database::ExpireRecord(uint32_t record, int64_t now_ms) {
  // Collect first: removing reshapes the bucket chain being walked.
  std::vector<Entry*> due;
  table_.ForEachWithRecord(record, [&](Entry* entry) {
    if (entry->has_deadline() && entry->deadline() < now_ms) due.push_back(entry);
  });
  for (Entry* entry : due) {
    KeyTable::Position position;
    table_.Find(entry->key(), table_.Hash(entry->key()), &position);
    Expire(position, entry);
  }
  return due.size();
}

// Generic key family (RENAME, MOVE, COPY, UNLINK).

namespace {

// UNLINK hands objects at least this large to the lazy-free thread; smaller ones cost less to
// free than the handoff.
constexpr size_t kLazyFreeMinObjectBytes = 64 * 1024;

class DetachedEntry final : public LazyFreeJob {
 public:
  explicit DetachedEntry(Entry* entry) : entry_(entry) {}
  ~DetachedEntry() override { Entry::Destroy(entry_); }
  DetachedEntry(const DetachedEntry&) = delete;
  DetachedEntry& operator=(const DetachedEntry&) = delete;

 private:
  Entry* entry_;
};

}  // namespace

int64_t Database::AverageTtlMs() const {
  std::optional<int64_t> mean = expiry_.MeanDeadline();
  return mean && *mean > NowMs() ? *mean - NowMs() : 0;
}

const Entry* Database::InspectForRead(std::string_view key, bool notify_miss) {
  KeyTable::Position position;
  const Entry* entry =
      FindLive(key, table_.Hash(key), &position, /*touch=*/false, /*read_only=*/true);
  CountRead(entry, key, notify_miss);
  return entry;
}

void Database::Adopt(Entry* entry) {
  std::string_view key = entry->key();
  uint64_t hash = table_.Hash(key);
  KeyTable::Position position;
  Entry* old = FindLive(key, hash, &position);
  Place(position, old, entry, hash);
  // Place announces only keys that were missing; a replaced key counts as deleted and re-added.
  if (old != nullptr) keyspace_.Notify(kNotifyNew, "new", index_, entry->key());
}

void Database::Detach(const KeyTable::Position& position, Entry* entry) {
  Preserve(entry);
  table_.Erase(position);
  if (entry->has_deadline()) expiry_.OnDeadlineCleared(entry->deadline());
  entry_bytes_ -= entry->AllocatedBytes();
}

bool Database::MoveEntry(std::string_view from, Database& target, std::string_view to) {
  KeyTable::Position position;
  Entry* entry = FindLive(from, table_.Hash(from), &position);
  if (entry == nullptr) return false;
  Detach(position, entry);
  if (to != from) entry = Entry::Rekey(entry, to);
  target.Adopt(entry);
  return true;
}

bool Database::CopyEntry(std::string_view from, Database& target, std::string_view to) {
  const Entry* source = Lookup(from);
  if (source == nullptr) return false;
  std::optional<int64_t> deadline;
  if (source->has_deadline()) deadline = source->deadline();
  Entry* copy;
  if (source->encoding() == Encoding::kObject) {
    std::unique_ptr<Object> object = source->object()->Clone();
    if (object == nullptr) return false;
    copy = Entry::Create(to, EntryValue::Adopt(source->type(), object.release()), deadline,
                         target.AccessFor(nullptr, target.table_.Hash(to)));
  } else {
    StringRef value = source->string();
    copy = Entry::Create(to, EntryValue::String(value.view()), deadline,
                         target.AccessFor(nullptr, target.table_.Hash(to)));
  }
  target.Adopt(copy);
  return true;
}

bool Database::Unlink(std::string_view key) {
  KeyTable::Position position;
  Entry* entry = FindLive(key, table_.Hash(key), &position);
  if (entry == nullptr) return false;
  RemoveLazily(position, entry);
  return true;
}

void Database::RemoveLazily(const KeyTable::Position& position, Entry* entry) {
  if (entry->encoding() != Encoding::kObject ||
      entry->object()->MemoryBytes() < kLazyFreeMinObjectBytes) {
    return Remove(position, entry);
  }
  Detach(position, entry);
  keyspace_.lazy_freer().Submit(std::make_unique<DetachedEntry>(entry), 1);
}

// Eviction.

size_t Database::SampleForEviction(size_t want, bool volatile_only,
                                   const std::function<void(const Entry&)>& fn) {
  auto random = [this] { return SplitMix64(random_state_); };
  size_t passed = 0;
  // A bucket holds 3-4 keys on average; a volatile policy may find few keys with a deadline, so
  // the number of buckets looked at is bounded too.
  for (size_t buckets = 0; passed < want && buckets < want * 4; ++buckets) {
    table_.SampleBucket(random, [&](Entry* entry) {
      if (volatile_only && !entry->has_deadline()) return;
      fn(*entry);
      ++passed;
    });
  }
  return passed;
}

const Entry* Database::RandomEntryForEviction(bool volatile_only) {
  for (size_t tries = 0; tries < 64; ++tries) {
    const Entry* entry = RandomEntry();
    if (entry == nullptr) return nullptr;
    if (!volatile_only || entry->has_deadline()) return entry;
  }
  return nullptr;
}

bool Database::Evict(std::string_view key, bool lazy) {
  KeyTable::Position position;
  Entry* entry = table_.Find(key, table_.Hash(key), &position);
  if (entry == nullptr) return false;
  ++keyspace_.stats().evicted;
  keyspace_.observer().OnKeyEvicted(index_, entry->key());
  if (lazy) {
    RemoveLazily(position, entry);
  } else {
    Remove(position, entry);
  }
  return true;
}

// Bitmap family.
Result<std::span<char>> Database::StringForUpdate(std::string_view key, size_t min_size,
                                                  bool* grown) {
  uint64_t hash = table_.Hash(key);
  KeyTable::Position position;
  Entry* entry = FindLive(key, hash, &position);
  if (entry != nullptr && entry->type() != ValueType::kString) return OpStatus::kWrongType;
  if (grown != nullptr) *grown = entry == nullptr || entry->string().view().size() < min_size;
  if (entry == nullptr) {
    // Without a deadline, the new key cannot expire before the lookup below.
    Store(key, EntryValue::HeapString({}), TtlUpdate::Clear());
    entry = FindLive(key, hash, &position);
  } else if (entry->encoding() != Encoding::kHeapString) {
    // The same key and deadline with the value moved out of the entry; swapped in place, with no
    // second lookup that could find the deadline passed.
    StringRef text = entry->string();
    std::optional<int64_t> deadline;
    if (entry->has_deadline()) deadline = entry->deadline();
    Entry* heap =
        Entry::Create(key, EntryValue::HeapString(text.view()), deadline, entry->access());
    Stamp(heap);
    entry_bytes_ += heap->AllocatedBytes();
    table_.Replace(position, heap);
    DestroyEntry(entry);
    entry = heap;
  }
  entry_bytes_ -= entry->AllocatedBytes();
  entry->GrowHeapString(min_size);
  entry_bytes_ += entry->AllocatedBytes();
  return entry->MutableHeapString();
}

// String family.
Result<int64_t> Database::IncrementInteger(std::string_view key, int64_t delta) {
  uint64_t hash = table_.Hash(key);
  KeyTable::Position position;
  Entry* entry = FindLive(key, hash, &position);
  int64_t current = 0;
  std::optional<int64_t> deadline;
  if (entry != nullptr) {
    if (entry->type() != ValueType::kString) return OpStatus::kWrongType;
    std::optional<int64_t> parsed = entry->encoding() == Encoding::kInteger
                                        ? entry->integer()
                                        : ParseInt64(entry->string().view());
    if (!parsed) return OpStatus::kNotInteger;
    current = *parsed;
    if (entry->has_deadline()) deadline = entry->deadline();
  }
  int64_t sum;
  if (__builtin_add_overflow(current, delta, &sum)) return OpStatus::kOverflow;
  if (entry != nullptr && entry->encoding() == Encoding::kInteger &&
      entry->ReplaceIntegerInPlace(sum)) {
    return sum;
  }
  // Replaced where the lookup found it: a second lookup could see the deadline pass meanwhile.
  Entry* updated = Entry::Create(key, EntryValue::Integer(sum), deadline, AccessFor(entry, hash));
  Place(position, entry, updated, hash);
  return sum;
}

DatabaseMemory Database::Memory() const {
  return {table_.BucketBytes(), expiry_.MemoryBytes(), entry_bytes_};
}

}  // namespace magnetar::engine
