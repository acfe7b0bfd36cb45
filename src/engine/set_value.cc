#include "magnetar/engine/set_value.h"

#include <optional>
#include <unordered_set>
#include <utility>

#include "magnetar/common/numbers.h"
#include "magnetar/engine/intset.h"
#include "magnetar/engine/key_table.h"

namespace magnetar::engine {
namespace {

// A member's entry carries no value: the empty inline string is the one-byte way to say so
// without a separate entry layout for members (a 16-byte member takes 22 bytes either way, which
// is jemalloc's 32-byte class).
const EntryValue kNoValue = EntryValue::String({});

// Member texts that the intset can hold.
std::optional<int64_t> AsInteger(std::string_view member) {
  if (member.empty() || member.size() > kMaxInt64Chars) return std::nullopt;
  return ParseInt64(member);
}

}  // namespace

struct SetValue::Table {
  explicit Table(LazyFreer* lazy_freer) : members(lazy_freer), freer(lazy_freer) {}

  // Adds `member` if missing; true when added.
  bool Add(std::string_view member) {
    uint64_t hash = members.Hash(member);
    KeyTable::Position position;
    if (members.Find(member, hash, &position) != nullptr) return false;
    Entry* entry = Entry::Create(member, kNoValue, std::nullopt, 0);
    entry_bytes += entry->AllocatedBytes();
    members.Insert(entry, hash);
    return true;
  }

  bool Remove(std::string_view member) {
    KeyTable::Position position;
    Entry* entry = members.Find(member, members.Hash(member), &position);
    if (entry == nullptr) return false;
    members.Erase(position);
    entry_bytes -= entry->AllocatedBytes();
    Entry::Destroy(entry);
    return true;
  }

  KeyTable members;
  size_t entry_bytes = 0;  // the entries' requested sizes, for MemoryBytes in O(1)
  LazyFreer* freer;        // kept for Clone, whose table sends its arrays to the same place
};

SetValue::SetValue() : rep_(0) { SetBlob(intset::New()); }

std::unique_ptr<SetValue> SetValue::FromIntset(std::span<const uint8_t> intset_bytes,
                                               int64_t max_intset_entries, LazyFreer* freer) {
  auto set = std::make_unique<SetValue>();
  intset::Free(set->blob());
  set->SetBlob(intset::FromBytes(intset_bytes));
  if (static_cast<int64_t>(intset::Size(set->blob())) > max_intset_entries) {
    set->ConvertToTable(freer);
  }
  return set;
}

SetValue::~SetValue() {
  if (is_intset()) {
    intset::Free(blob());
  } else {
    delete table();
  }
}

size_t SetValue::MemoryBytes() const {
  if (is_intset()) return sizeof(*this) + intset::Bytes(blob()).size();
  return sizeof(*this) + sizeof(Table) + table()->members.BucketBytes() + table()->entry_bytes;
}

std::unique_ptr<Object> SetValue::Clone() const {
  auto copy = std::make_unique<SetValue>();
  if (is_intset()) {
    intset::Free(copy->blob());
    copy->SetBlob(intset::FromBytes(intset::Bytes(blob())));
  } else {
    auto* table_copy = new Table(table()->freer);
    intset::Free(copy->blob());
    copy->SetTable(table_copy);
    ForEach([table_copy](std::string_view member) { table_copy->Add(member); });
  }
  return copy;
}

size_t SetValue::size() const {
  return is_intset() ? intset::Size(blob()) : table()->members.size();
}

bool SetValue::Add(std::string_view member, int64_t max_intset_entries, LazyFreer* freer) {
  if (!is_intset()) return table()->Add(member);
  std::optional<int64_t> integer = AsInteger(member);
  if (!integer) {
    ConvertToTable(freer);
    return table()->Add(member);
  }
  uint8_t* set = blob();
  bool added = intset::Insert(set, *integer);
  SetBlob(set);
  // As Redis: the member goes in first, and a set that now holds more than the limit converts.
  if (added && static_cast<int64_t>(intset::Size(set)) > max_intset_entries) ConvertToTable(freer);
  return added;
}

bool SetValue::Remove(std::string_view member) {
  if (!is_intset()) return table()->Remove(member);
  std::optional<int64_t> integer = AsInteger(member);
  if (!integer) return false;
  uint8_t* set = blob();
  bool removed = intset::Erase(set, *integer);
  SetBlob(set);
  return removed;
}

bool SetValue::Contains(std::string_view member) {
  if (!is_intset()) {
    KeyTable& members = table()->members;
    KeyTable::Position position;
    return members.Find(member, members.Hash(member), &position) != nullptr;
  }
  std::optional<int64_t> integer = AsInteger(member);
  return integer && intset::Contains(blob(), *integer);
}

void SetValue::ForEach(const Visitor& fn) const {
  uint64_t cursor = 0;
  do {
    cursor = Scan(cursor, fn);
  } while (cursor != 0);
}

uint64_t SetValue::Scan(uint64_t cursor, const Visitor& fn) const {
  if (!is_intset()) {
    return table()->members.Scan(cursor, [&fn](const Entry& entry) { fn(entry.key()); });
  }
  const uint8_t* set = blob();
  char text[kMaxInt64Chars];
  for (size_t i = 0, n = intset::Size(set); i < n; ++i) {
    fn(std::string_view(text, FormatInt64(intset::At(set, i), text)));
  }
  return 0;
}

std::string SetValue::RandomMember(const Random& random) const {
  if (!is_intset()) return std::string(table()->members.Random(random)->key());
  const uint8_t* set = blob();
  char text[kMaxInt64Chars];
  return std::string(text, FormatInt64(intset::At(set, random() % intset::Size(set)), text));
}

std::vector<std::string> SetValue::RandomDistinct(size_t count, const Random& random) const {
  std::vector<std::string> chosen;
  if (count == 0) return chosen;
  const size_t total = size();
  if (!is_intset() && count * 3 <= total) {
    // Few members out of many: draw until `count` distinct ones came up, a few draws each.
    std::unordered_set<const Entry*> seen;
    while (seen.size() < count) {
      const Entry* entry = table()->members.Random(random);
      if (seen.insert(entry).second) chosen.emplace_back(entry->key());
    }
    return chosen;
  }
  // A large share of the set (or a small intset): a partial Fisher-Yates shuffle of all members.
  chosen.reserve(total);
  ForEach([&chosen](std::string_view member) { chosen.emplace_back(member); });
  for (size_t i = 0; i < count; ++i) {
    size_t j = i + random() % (total - i);
    std::swap(chosen[i], chosen[j]);
  }
  chosen.resize(count);
  return chosen;
}

std::span<const uint8_t> SetValue::IntsetBytes() const { return intset::Bytes(blob()); }

void SetValue::ConvertToTable(LazyFreer* freer) {
  auto* converted = new Table(freer);
  const uint8_t* set = blob();
  char text[kMaxInt64Chars];
  for (size_t i = 0, n = intset::Size(set); i < n; ++i) {
    converted->Add(std::string_view(text, FormatInt64(intset::At(set, i), text)));
  }
  intset::Free(blob());
  SetTable(converted);
}

}  // namespace magnetar::engine
