#include "magnetar/engine/hash_value.h"

#include <memory_resource>
#include <new>
#include <unordered_set>

#include "magnetar/engine/key_table.h"

namespace magnetar::engine {
namespace {

static_assert(sizeof(Listpack) == sizeof(uintptr_t), "the listpack must fit the tagged word");

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

struct HashValue::Table {
  explicit Table(LazyFreer* lazy_freer) : fields(lazy_freer), freer(lazy_freer) {}

  Entry* Find(std::string_view field) {
    KeyTable::Position position;
    return fields.Find(field, fields.Hash(field), &position);
  }

  // Sets `field` to `value`; true when the field is new.
  bool Set(std::string_view field, std::string_view value) {
    uint64_t hash = fields.Hash(field);
    KeyTable::Position position;
    Entry* old = fields.Find(field, hash, &position);
    Entry* entry = Entry::Create(field, EntryValue::String(value), std::nullopt, 0);
    entry_bytes += entry->AllocatedBytes();
    if (old == nullptr) {
      fields.Insert(entry, hash);
      return true;
    }
    fields.Replace(position, entry);
    entry_bytes -= old->AllocatedBytes();
    Entry::Destroy(old);
    return false;
  }

  bool Delete(std::string_view field) {
    KeyTable::Position position;
    Entry* entry = fields.Find(field, fields.Hash(field), &position);
    if (entry == nullptr) return false;
    fields.Erase(position);
    entry_bytes -= entry->AllocatedBytes();
    Entry::Destroy(entry);
    return true;
  }

  KeyTable fields;
  // The entries' allocated sizes, kept as they come and go so that MemoryBytes (which UNLINK asks
  // to choose lazy freeing) stays O(1).
  size_t entry_bytes = 0;
  LazyFreer* freer;  // kept for Clone, whose table sends its arrays to the same place
};

static_assert(sizeof(HashValue) == 2 * sizeof(void*), "a vtable pointer and one tagged word");

HashValue::HashValue() { new (&rep_.listpack) Listpack(); }

HashValue::HashValue(Listpack pairs) { new (&rep_.listpack) Listpack(std::move(pairs)); }

HashValue::~HashValue() {
  if (IsListpack()) {
    rep_.listpack.~Listpack();
  } else {
    delete table();
  }
}

size_t HashValue::Size() const {
  return IsListpack() ? rep_.listpack.Size() / 2 : table()->fields.size();
}

std::optional<std::string_view> HashValue::Get(std::string_view field, HashBuffer& buffer) {
  if (!IsListpack()) {
    const Entry* entry = table()->Find(field);
    if (entry == nullptr) return std::nullopt;
    return EntryText(*entry, buffer);
  }
  const Listpack& listpack = rep_.listpack;
  Listpack::Pos pos = listpack.Find(listpack.First(), field, 1);
  if (pos == Listpack::kNone) return std::nullopt;
  return listpack.Get(listpack.Next(pos)).Text(buffer);
}

bool HashValue::Exists(std::string_view field) {
  if (!IsListpack()) return table()->Find(field) != nullptr;
  return rep_.listpack.Find(rep_.listpack.First(), field, 1) != Listpack::kNone;
}

bool HashValue::Set(std::string_view field, std::string_view value, const EncodingLimits& limits,
                    LazyFreer* freer) {
  if (IsListpack() && (TooLong(field, limits) || TooLong(value, limits))) ConvertToTable(freer);
  if (!IsListpack()) return table()->Set(field, value);
  Listpack& listpack = rep_.listpack;
  Listpack::Pos pos = listpack.Find(listpack.First(), field, 1);
  if (pos != Listpack::kNone) {
    listpack.Replace(listpack.Next(pos), value);
    return false;
  }
  listpack.Append(field);
  listpack.Append(value);
  if (limits.hash_max_listpack_entries >= 0 &&
      Size() > static_cast<uint64_t>(limits.hash_max_listpack_entries)) {
    ConvertToTable(freer);
  }
  return true;
}

bool HashValue::Delete(std::string_view field) {
  if (!IsListpack()) return table()->Delete(field);
  Listpack& listpack = rep_.listpack;
  Listpack::Pos pos = listpack.Find(listpack.First(), field, 1);
  if (pos == Listpack::kNone) return false;
  listpack.Delete(pos, 2);
  return true;
}

void HashValue::ForEach(const Visitor& fn) const {
  uint64_t cursor = 0;
  do {
    cursor = Scan(cursor, fn);
  } while (cursor != 0);
}

uint64_t HashValue::Scan(uint64_t cursor, const Visitor& fn) const {
  if (!IsListpack()) {
    return table()->fields.Scan(cursor, [&](const Entry& entry) {
      HashBuffer buffer;
      fn(entry.key(), EntryText(entry, buffer));
    });
  }
  const Listpack& listpack = rep_.listpack;
  for (Listpack::Pos pos = listpack.First(); pos != Listpack::kNone;) {
    Listpack::Pos value = listpack.Next(pos);
    HashBuffer field_buffer;
    HashBuffer value_buffer;
    fn(listpack.Get(pos).Text(field_buffer), listpack.Get(value).Text(value_buffer));
    pos = listpack.Next(value);
  }
  return 0;
}

std::pair<std::string_view, std::string_view> HashValue::At(size_t index,
                                                            HashBuffer (&buffers)[2]) const {
  const Listpack& listpack = rep_.listpack;
  Listpack::Pos pos = listpack.Seek(static_cast<int64_t>(2 * index));
  return {listpack.Get(pos).Text(buffers[0]), listpack.Get(listpack.Next(pos)).Text(buffers[1])};
}

std::pair<std::string_view, std::string_view> HashValue::Random(const RandomSource& random,
                                                                HashBuffer (&buffers)[2]) const {
  if (IsListpack()) return At(random() % Size(), buffers);
  const Entry* entry = table()->fields.Random(random);
  return {entry->key(), EntryText(*entry, buffers[1])};
}

void HashValue::RandomDistinct(size_t count, const RandomSource& random, const Visitor& fn) const {
  const size_t size = Size();
  if (IsListpack() || count * 3 > size) {
    // A listpack, or a large share of the table: one walk that keeps each field with probability
    // (still wanted) / (still to come), which yields exactly `count` fields, every subset equally
    // likely (selection sampling), in the hash's order as Redis's listpack case does.
    size_t wanted = count;
    size_t remaining = size;
    ForEach([&](std::string_view field, std::string_view value) {
      if (wanted > 0 && random() % remaining < wanted) {
        fn(field, value);
        --wanted;
      }
      --remaining;
    });
    return;
  }
  // Few fields out of many: draw until `count` distinct entries came up, a few draws each. The
  // entries drawn are remembered by address in an arena, so the set grows by a handful of blocks
  // rather than one allocation per field.
  std::pmr::monotonic_buffer_resource arena;
  std::pmr::unordered_set<const Entry*> drawn(&arena);
  drawn.reserve(count);
  HashBuffer buffer;
  while (drawn.size() < count) {
    const Entry* entry = table()->fields.Random(random);
    if (drawn.insert(entry).second) fn(entry->key(), EntryText(*entry, buffer));
  }
}

void HashValue::ConvertToTable(LazyFreer* freer) {
  if (!IsListpack()) return;
  auto converted = std::make_unique<Table>(freer);
  ForEach([&converted](std::string_view field, std::string_view value) {
    converted->Set(field, value);
  });
  rep_.listpack.~Listpack();
  rep_.table = reinterpret_cast<uintptr_t>(converted.release()) | kTableTag;
}

size_t HashValue::MemoryBytes() const {
  if (IsListpack()) return sizeof(*this) + rep_.listpack.AllocatedBytes();
  return sizeof(*this) + sizeof(Table) + table()->fields.BucketBytes() + table()->entry_bytes;
}

std::unique_ptr<Object> HashValue::Clone() const {
  auto copy = std::make_unique<HashValue>();
  if (IsListpack()) {
    copy->rep_.listpack = rep_.listpack.Clone();
    return copy;
  }
  copy->ConvertToTable(table()->freer);
  Table* target = copy->table();
  ForEach([target](std::string_view field, std::string_view value) { target->Set(field, value); });
  return copy;
}

}  // namespace magnetar::engine
