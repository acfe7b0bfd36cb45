#include "magnetar/engine/database.h"

#include <utility>
#include <vector>

#include "magnetar/engine/keyspace.h"

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
      random_state_(HashKey::Random().k0) {}

Database::~Database() = default;

int64_t Database::NowMs() const { return keyspace_.clock().NowMs(); }

Entry* Database::FindLive(std::string_view key, uint64_t hash, KeyTable::Position* position) {
  Entry* entry = table_.Find(key, hash, position);
  if (entry != nullptr && entry->has_deadline() && entry->deadline() < NowMs()) {
    Expire(*position, entry);
    return nullptr;
  }
  return entry;
}

const Entry* Database::Lookup(std::string_view key) {
  KeyTable::Position position;
  return FindLive(key, table_.Hash(key), &position);
}

const Entry* Database::LookupForRead(std::string_view key) {
  const Entry* entry = Lookup(key);
  ++(entry != nullptr ? keyspace_.stats().hits : keyspace_.stats().misses);
  return entry;
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
  Entry* entry = Entry::Create(key, value, deadline, 0);
  entry_bytes_ += entry->AllocatedBytes();
  if (old != nullptr) {
    table_.Replace(position, entry);
    DestroyEntry(old);
  } else {
    table_.Insert(entry, hash);
  }
  if (deadline) {
    expiry_.OnDeadlineSet(*this, KeyTable::RecordOf(hash), old_deadline, *deadline);
  } else if (old_deadline) {
    expiry_.OnDeadlineCleared();
  }
}

bool Database::Delete(std::string_view key) {
  KeyTable::Position position;
  Entry* entry = FindLive(key, table_.Hash(key), &position);
  if (entry == nullptr) return false;
  Remove(position, entry);
  return true;
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
  entry_bytes_ -= entry->AllocatedBytes();
  entry = Entry::Redeadline(entry, std::nullopt);
  entry_bytes_ += entry->AllocatedBytes();
  table_.Replace(position, entry);
  expiry_.OnDeadlineCleared();
  return true;
}

void Database::Remove(const KeyTable::Position& position, Entry* entry) {
  table_.Erase(position);
  if (entry->has_deadline()) expiry_.OnDeadlineCleared();
  DestroyEntry(entry);
}

void Database::Expire(const KeyTable::Position& position, Entry* entry) {
  ++keyspace_.stats().expired;
  if (keyspace_.expire_hook()) keyspace_.expire_hook()(index_, entry->key());
  Remove(position, entry);
}

void Database::DestroyEntry(Entry* entry) {
  entry_bytes_ -= entry->AllocatedBytes();
  Entry::Destroy(entry);
}

void Database::Clear() {
  table_.Clear();
  expiry_.Clear();
  entry_bytes_ = 0;
}

void Database::ClearAsync() {
  size_t keys = table_.size();
  if (keys < kLazyFreeMinKeys) return Clear();
  // The moved-from table is empty and ready for new keys.
  keyspace_.lazy_freer().Submit(std::make_unique<DetachedTable>(std::move(table_)), keys);
  expiry_.Clear();
  entry_bytes_ = 0;
}

const Entry* Database::RandomEntry() {
  return table_.Random([this] { return SplitMix64(random_state_); });
}

std::optional<std::string> Database::RandomKey() {
  while (const Entry* entry = RandomEntry()) {
    std::string key(entry->key());
    // Lookup removes the key if it has expired; keep drawing then (the database shrinks each
    // time, so this ends).
    if (Lookup(key) != nullptr) return key;
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

DatabaseMemory Database::Memory() const {
  return {table_.BucketBytes(), expiry_.MemoryBytes(), entry_bytes_};
}

}  // namespace magnetar::engine
