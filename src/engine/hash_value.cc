#include "magnetar/engine/hash_value.h"

#include <cstring>

namespace magnetar::engine {
namespace {

// The text of a field's value held in a table entry; integer-encoded values are written into
// `buffer`.
std::string_view EntryText(const Entry& entry, HashBuffer& buffer) {
  StringRef ref = entry.string();
  std::string_view text = ref.view();
  if (!ref.is_integer()) return text;
  std::memcpy(buffer, text.data(), text.size());
  return {buffer, text.size()};
}

}  // namespace

HashValue::HashValue() = default;
HashValue::~HashValue() = default;

size_t HashValue::Size() const { return table_ ? table_->size() : listpack_.Size() / 2; }

std::optional<std::string_view> HashValue::Get(std::string_view field, HashBuffer& buffer) {
  if (table_) {
    KeyTable::Position position;
    Entry* entry = table_->Find(field, table_->Hash(field), &position);
    if (!entry) return std::nullopt;
    return EntryText(*entry, buffer);
  }
  Listpack::Pos pos = listpack_.Find(listpack_.First(), field, 1);
  if (pos == Listpack::kNone) return std::nullopt;
  return listpack_.Get(listpack_.Next(pos)).Text(buffer);
}

bool HashValue::Exists(std::string_view field) {
  if (table_) {
    KeyTable::Position position;
    return table_->Find(field, table_->Hash(field), &position) != nullptr;
  }
  return listpack_.Find(listpack_.First(), field, 1) != Listpack::kNone;
}

bool HashValue::Set(std::string_view field, std::string_view value, const EncodingLimits& limits) {
  if (!table_ && (TooLong(field, limits) || TooLong(value, limits))) ConvertToTable();
  if (table_) {
    uint64_t hash = table_->Hash(field);
    KeyTable::Position position;
    Entry* old = table_->Find(field, hash, &position);
    Entry* entry = Entry::Create(field, EntryValue::String(value), std::nullopt, 0);
    entry_bytes_ += entry->AllocatedBytes();
    if (old) {
      table_->Replace(position, entry);
      entry_bytes_ -= old->AllocatedBytes();
      Entry::Destroy(old);
      return false;
    }
    table_->Insert(entry, hash);
    return true;
  }
  Listpack::Pos pos = listpack_.Find(listpack_.First(), field, 1);
  if (pos != Listpack::kNone) {
    listpack_.Replace(listpack_.Next(pos), value);
    return false;
  }
  listpack_.Append(field);
  listpack_.Append(value);
  if (limits.hash_max_listpack_entries >= 0 &&
      Size() > static_cast<uint64_t>(limits.hash_max_listpack_entries)) {
    ConvertToTable();
  }
  return true;
}

bool HashValue::Delete(std::string_view field) {
  if (table_) {
    KeyTable::Position position;
    Entry* entry = table_->Find(field, table_->Hash(field), &position);
    if (!entry) return false;
    table_->Erase(position);
    entry_bytes_ -= entry->AllocatedBytes();
    Entry::Destroy(entry);
    return true;
  }
  Listpack::Pos pos = listpack_.Find(listpack_.First(), field, 1);
  if (pos == Listpack::kNone) return false;
  listpack_.Delete(pos, 2);
  return true;
}

void HashValue::ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const {
  uint64_t cursor = 0;
  do {
    cursor = Scan(cursor, fn);
  } while (cursor != 0);
}

uint64_t HashValue::Scan(uint64_t cursor,
                         const std::function<void(std::string_view, std::string_view)>& fn) const {
  if (table_) {
    return table_->Scan(cursor, [&](const Entry& entry) {
      HashBuffer buffer;
      fn(entry.key(), EntryText(entry, buffer));
    });
  }
  for (Listpack::Pos pos = listpack_.First(); pos != Listpack::kNone;) {
    Listpack::Pos value = listpack_.Next(pos);
    HashBuffer field_buffer;
    HashBuffer value_buffer;
    fn(listpack_.Get(pos).Text(field_buffer), listpack_.Get(value).Text(value_buffer));
    pos = listpack_.Next(value);
  }
  return 0;
}

std::pair<std::string_view, std::string_view> HashValue::At(size_t index,
                                                            HashBuffer (&buffers)[2]) const {
  Listpack::Pos pos = listpack_.Seek(static_cast<int64_t>(2 * index));
  return {listpack_.Get(pos).Text(buffers[0]), listpack_.Get(listpack_.Next(pos)).Text(buffers[1])};
}

std::pair<std::string_view, std::string_view> HashValue::Random(
    const std::function<uint64_t()>& random, HashBuffer (&buffers)[2]) const {
  if (!table_) return At(random() % Size(), buffers);
  const Entry* entry = table_->Random(random);
  return {entry->key(), EntryText(*entry, buffers[1])};
}

void HashValue::ConvertToTable() {
  if (table_) return;
  auto table = std::make_unique<KeyTable>();
  for (Listpack::Pos pos = listpack_.First(); pos != Listpack::kNone;) {
    Listpack::Pos value = listpack_.Next(pos);
    HashBuffer field_buffer;
    HashBuffer value_buffer;
    std::string_view field = listpack_.Get(pos).Text(field_buffer);
    Entry* entry = Entry::Create(field, EntryValue::String(listpack_.Get(value).Text(value_buffer)),
                                 std::nullopt, 0);
    entry_bytes_ += entry->AllocatedBytes();
    table->Insert(entry, table->Hash(field));
    pos = listpack_.Next(value);
  }
  listpack_ = Listpack();
  table_ = std::move(table);
}

size_t HashValue::MemoryBytes() const {
  size_t bytes = sizeof(HashValue) + listpack_.AllocatedBytes();
  if (table_) {
    bytes += sizeof(KeyTable) + table_->BucketBytes() + entry_bytes_;
  }
  return bytes;
}

std::unique_ptr<Object> HashValue::Clone() const {
  auto copy = std::make_unique<HashValue>();
  if (!table_) {
    copy->listpack_ = listpack_.Clone();
    return copy;
  }
  copy->table_ = std::make_unique<KeyTable>();
  ForEach([&](std::string_view field, std::string_view value) {
    Entry* entry = Entry::Create(field, EntryValue::String(value), std::nullopt, 0);
    copy->entry_bytes_ += entry->AllocatedBytes();
    copy->table_->Insert(entry, copy->table_->Hash(field));
  });
  return copy;
}

}  // namespace magnetar::engine
