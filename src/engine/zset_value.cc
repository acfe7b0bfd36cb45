#include "magnetar/engine/zset_value.h"

#include <cmath>
#include <cstdio>
#include <new>

#include "magnetar/common/numbers.h"
#include "magnetar/engine/key_table.h"
#include "score_tree.h"

namespace magnetar::engine {
namespace {

double ListpackScore(const ListpackElement& element) {
  if (element.is_integer) return static_cast<double>(element.integer);
  return ParseDouble(element.string).value_or(0);
}

int Compare(double score, std::string_view member, double other_score,
            std::string_view other_member) {
  if (score != other_score) return score < other_score ? -1 : 1;
  int order = member.compare(other_member);
  return (order > 0) - (order < 0);
}

Entry* NewMemberEntry(std::string_view member, double score) {
  char bytes[sizeof(score)];
  std::memcpy(bytes, &score, sizeof(score));
  return Entry::Create(member, EntryValue::String({bytes, sizeof(bytes)}), std::nullopt, 0);
}

}  // namespace

static_assert(kMaxDoubleChars == 32, "ScoreText's buffer");

// The listpack then encodes an integer text as an integer; -0 thus becomes 0, as in Redis.
std::string_view ZSetValue::ScoreText(double score, char (&buffer)[kMaxDoubleChars]) {
  if (std::isinf(score)) return score < 0 ? "-inf" : "inf";
  // Redis's double2ll: integral values within +-(LLONG_MAX / 2), which as a double is 2^62.
  constexpr double kLimit = 4611686018427387904.0;
  if (score >= -kLimit && score <= kLimit && score == std::trunc(score)) {
    return {buffer, FormatInt64(static_cast<int64_t>(score), buffer)};
  }
  return {buffer, FormatDouble(score, buffer)};
}

struct ZSetValue::Table {
  explicit Table(LazyFreer* lazy_freer) : members(lazy_freer), freer(lazy_freer) {}
  Entry* Find(std::string_view member, KeyTable::Position* position) {
    return members.Find(member, members.Hash(member), position);
  }

  bool Set(std::string_view member, double score) {
    uint64_t hash = members.Hash(member);
    KeyTable::Position position;
    Entry* old = members.Find(member, hash, &position);
    if (old != nullptr) {
      double current = EntryScore(*old);
      if (current == score) return false;
      order.Erase(current, member);
    }
    Entry* entry = NewMemberEntry(member, score);
    entry_bytes += entry->AllocatedBytes();
    if (old == nullptr) {
      members.Insert(entry, hash);
    } else {
      members.Replace(position, entry);
      entry_bytes -= old->AllocatedBytes();
      Entry::Destroy(old);
    }
    order.Insert(entry);
    return old == nullptr;
  }

  bool Remove(std::string_view member) {
    KeyTable::Position position;
    Entry* entry = Find(member, &position);
    if (entry == nullptr) return false;
    order.Erase(EntryScore(*entry), member);
    members.Erase(position);
    entry_bytes -= entry->AllocatedBytes();
    Entry::Destroy(entry);
    return true;
  }

  KeyTable members;        // owns the entries
  ScoreTree order;         // points at them
  size_t entry_bytes = 0;  // kept as entries come and go so that MemoryBytes stays O(1)
  LazyFreer* freer;        // kept for Clone
};

static_assert(sizeof(ZSetValue) == 2 * sizeof(void*), "a vtable pointer and one tagged word");

ZSetValue::ZSetValue() { new (&rep_.listpack) Listpack(); }

ZSetValue::ZSetValue(Listpack pairs) { new (&rep_.listpack) Listpack(std::move(pairs)); }

ZSetValue::~ZSetValue() {
  if (IsListpack()) {
    rep_.listpack.~Listpack();
  } else {
    delete table();
  }
}

bool ZSetValue::StartsBig(size_t elements, size_t longest_member, const EncodingLimits& limits) {
  return limits.zset_max_listpack_entries == 0 ||
         (limits.zset_max_listpack_entries > 0 &&
          elements > static_cast<uint64_t>(limits.zset_max_listpack_entries)) ||
         (limits.zset_max_listpack_value >= 0 &&
          longest_member > static_cast<uint64_t>(limits.zset_max_listpack_value));
}

size_t ZSetValue::Size() const {
  return IsListpack() ? rep_.listpack.Size() / 2 : table()->order.size();
}

std::optional<double> ZSetValue::Score(std::string_view member) {
  if (!IsListpack()) {
    KeyTable::Position position;
    const Entry* entry = table()->Find(member, &position);
    if (entry == nullptr) return std::nullopt;
    return EntryScore(*entry);
  }
  const Listpack& listpack = rep_.listpack;
  Listpack::Pos pos = listpack.Find(listpack.First(), member, 1);
  if (pos == Listpack::kNone) return std::nullopt;
  return ListpackScore(listpack.Get(listpack.Next(pos)));
}

bool ZSetValue::Set(std::string_view member, double score, const EncodingLimits& limits,
                    LazyFreer* freer) {
  if (IsListpack()) {
    if (StartsBig(0, member.size(), limits)) {
      ConvertToTree(freer);
    } else {
      Listpack& listpack = rep_.listpack;
      Listpack::Pos pos = listpack.Find(listpack.First(), member, 1);
      if (pos != Listpack::kNone) {
        if (ListpackScore(listpack.Get(listpack.Next(pos))) == score) return false;
        listpack.Delete(pos, 2);
        ListpackInsert(member, score);
        return false;
      }
      if (!StartsBig(Size() + 1, 0, limits)) {
        ListpackInsert(member, score);
        return true;
      }
      ConvertToTree(freer);
    }
  }
  return table()->Set(member, score);
}

void ZSetValue::ListpackInsert(std::string_view member, double score) {
  Listpack& listpack = rep_.listpack;
  Listpack::Pos pos = listpack.First();
  while (pos != Listpack::kNone) {
    Listpack::Pos score_pos = listpack.Next(pos);
    char buffer[kMaxInt64Chars];
    if (Compare(ListpackScore(listpack.Get(score_pos)), listpack.Get(pos).Text(buffer), score,
                member) > 0) {
      break;
    }
    pos = listpack.Next(score_pos);
  }
  char text[kMaxDoubleChars];
  Listpack::Pos at = listpack.InsertAt(pos == Listpack::kNone ? listpack.EndPos() : pos, member);
  listpack.InsertAfter(at, ScoreText(score, text));
}

bool ZSetValue::Remove(std::string_view member) {
  if (!IsListpack()) return table()->Remove(member);
  Listpack& listpack = rep_.listpack;
  Listpack::Pos pos = listpack.Find(listpack.First(), member, 1);
  if (pos == Listpack::kNone) return false;
  listpack.Delete(pos, 2);
  return true;
}

std::optional<size_t> ZSetValue::Rank(std::string_view member) {
  if (!IsListpack()) {
    KeyTable::Position position;
    const Entry* entry = table()->Find(member, &position);
    if (entry == nullptr) return std::nullopt;
    double score = EntryScore(*entry);
    return table()->order.LowerBound(
        [&](double s, std::string_view m) { return Compare(s, m, score, member) >= 0; });
  }
  const Listpack& listpack = rep_.listpack;
  size_t rank = 0;
  for (Listpack::Pos pos = listpack.First(); pos != Listpack::kNone;
       pos = listpack.Next(listpack.Next(pos)), ++rank) {
    if (listpack.Get(pos).Equals(member)) return rank;
  }
  return std::nullopt;
}

size_t ZSetValue::LowerBound(const Predicate& pred) const {
  if (!IsListpack()) return table()->order.LowerBound(pred);
  const Listpack& listpack = rep_.listpack;
  size_t rank = 0;
  for (Listpack::Pos pos = listpack.First(); pos != Listpack::kNone; ++rank) {
    Listpack::Pos score_pos = listpack.Next(pos);
    char buffer[kMaxInt64Chars];
    if (pred(ListpackScore(listpack.Get(score_pos)), listpack.Get(pos).Text(buffer))) break;
    pos = listpack.Next(score_pos);
  }
  return rank;
}

void ZSetValue::Walk(size_t start, bool reverse, const Visitor& fn) const {
  if (start >= Size()) return;
  if (!IsListpack()) {
    ScoreTree::Cursor cursor = table()->order.Seek(start);
    while (cursor) {
      const Entry* entry = ScoreTree::Get(cursor);
      if (!fn(entry->key(), EntryScore(*entry))) return;
      if (reverse) {
        ScoreTree::Prev(cursor);
      } else {
        ScoreTree::Next(cursor);
      }
    }
    return;
  }
  const Listpack& listpack = rep_.listpack;
  Listpack::Pos pos = listpack.Seek(static_cast<int64_t>(2 * start));
  while (pos != Listpack::kNone) {
    Listpack::Pos score_pos = listpack.Next(pos);
    char buffer[kMaxInt64Chars];
    if (!fn(listpack.Get(pos).Text(buffer), ListpackScore(listpack.Get(score_pos)))) return;
    pos = reverse ? listpack.Prev(pos) : listpack.Next(score_pos);
    if (reverse && pos != Listpack::kNone) pos = listpack.Prev(pos);
  }
}

void ZSetValue::RemoveRange(size_t start, size_t count) {
  if (count == 0) return;
  if (IsListpack()) {
    rep_.listpack.Delete(rep_.listpack.Seek(static_cast<int64_t>(2 * start)), 2 * count);
    return;
  }
  Table* t = table();
  for (size_t i = 0; i < count; ++i) {
    const Entry* entry = ScoreTree::Get(t->order.Seek(start));
    t->Remove(std::string(entry->key()));
  }
}

uint64_t ZSetValue::Scan(uint64_t cursor, const Visitor& fn) const {
  if (!IsListpack()) {
    return table()->members.Scan(cursor,
                                 [&fn](const Entry& entry) { fn(entry.key(), EntryScore(entry)); });
  }
  Walk(0, false, fn);
  return 0;
}

void ZSetValue::ConvertToTree(LazyFreer* freer) {
  if (!IsListpack()) return;
  auto converted = std::make_unique<Table>(freer);
  Walk(0, false, [&converted](std::string_view member, double score) {
    converted->Set(member, score);
    return true;
  });
  rep_.listpack.~Listpack();
  rep_.table = reinterpret_cast<uintptr_t>(converted.release()) | kTableTag;
}

size_t ZSetValue::MemoryBytes() const {
  if (IsListpack()) return sizeof(*this) + rep_.listpack.AllocatedBytes();
  const Table* t = table();
  return sizeof(*this) + sizeof(Table) + t->members.BucketBytes() + t->entry_bytes +
         t->order.NodeBytes();
}

std::unique_ptr<Object> ZSetValue::Clone() const {
  auto copy = std::make_unique<ZSetValue>();
  if (IsListpack()) {
    copy->rep_.listpack = rep_.listpack.Clone();
    return copy;
  }
  copy->ConvertToTree(table()->freer);
  Table* target = copy->table();
  Walk(0, false, [target](std::string_view member, double score) {
    target->Set(member, score);
    return true;
  });
  return copy;
}

}  // namespace magnetar::engine
