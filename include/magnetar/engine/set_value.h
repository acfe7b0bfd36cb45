// A set value, in Redis 7.0's two encodings.
//
// "intset" (engine/intset.h) while every member is an integer written the canonical way (Redis's
// string-to-int64 rules: "12" is an integer, "012", "+1", "-0" and " 1" are not) and the set
// holds at most set-max-intset-entries members: a sorted array of 2, 4 or 8-byte integers whose
// bytes are Redis's intset format, so RDB and DUMP can copy it. Members are read back as decimal
// text, which is what they were written as. Redis 7.0 has no listpack-encoded sets (7.2 added
// them), so neither does this type.
//
// "hashtable" once a member is not an integer or the set outgrows the limit; a set never goes
// back. The table is the engine's own KeyTable (key_table.h), with one Entry (entry.h) per member
// whose key is the member and whose value is the empty inline string (one byte). This is where the
// set beats Redis's memory: Redis pays per member a 24-byte dictEntry (jemalloc's 32-byte class),
// an 8-byte bucket pointer and an sds string (3-byte header, the bytes, a terminator): 72 B for a
// 16-byte member. Here a 16-byte member is one 22-byte entry (jemalloc's 32-byte class) plus
// 11-23 B of 64-byte buckets shared by up to 7 members, about 50 B. The table also brings its
// other properties along: resizes move one bucket per operation, so a set growing to millions of
// members never pauses; SSCAN uses its reverse-binary cursor, with Redis's guarantee that a member
// present for the whole iteration is returned at least once; and sampling for SRANDMEMBER and
// SPOP takes O(1) expected steps.
//
// The object is one tagged word after the vtable pointer, 16 bytes in all: the intset blob's
// pointer, or, with the low bit set, a pointer to the table and its bookkeeping. A small set thus
// costs its entry in the keyspace, 16 bytes of object and its intset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/engine/entry.h"

namespace magnetar::engine {

class LazyFreer;

class SetValue final : public Object {
 public:
  using Random = std::function<uint64_t()>;
  using Visitor = std::function<void(std::string_view)>;

  // An empty intset.
  SetValue();
  // A set holding the members of `intset_bytes` (RDB load, RESTORE; REQUIRES:
  // intset::IsValid), as an intset, or as a table when there are more than
  // `max_intset_entries`.
  static std::unique_ptr<SetValue> FromIntset(std::span<const uint8_t> intset_bytes,
                                              int64_t max_intset_entries,
                                              LazyFreer* freer = nullptr);
  ~SetValue() override;
  SetValue(const SetValue&) = delete;
  SetValue& operator=(const SetValue&) = delete;

  size_t MemoryBytes() const override;
  std::unique_ptr<Object> Clone() const override;
  std::string_view EncodingName() const override { return is_intset() ? "intset" : "hashtable"; }

  bool is_intset() const { return (rep_ & kTableTag) == 0; }
  size_t size() const;
  bool empty() const { return size() == 0; }

  // Adds `member`; false when it was already there. `max_intset_entries` is
  // set-max-intset-entries as the configuration holds it now: the set converts once it would hold
  // more. `freer` (may be null) is where the table created by a conversion sends its big old
  // bucket arrays (the keyspace's lazy-free thread); a table keeps the one it was created with.
  bool Add(std::string_view member, int64_t max_intset_entries, LazyFreer* freer = nullptr);
  // Removes `member`; false when it was not there.
  bool Remove(std::string_view member);
  // Non-const only because a lookup moves one bucket of a running table resize.
  bool Contains(std::string_view member);

  // Calls `fn` for every member once: ascending for an intset, in table order otherwise. `fn`
  // must not change the set; the view is valid during the call only.
  void ForEach(const Visitor& fn) const;
  // SSCAN: calls `fn` for some members and returns the next cursor, 0 when done. An intset is
  // returned whole in one step, as Redis does for its compact encodings.
  uint64_t Scan(uint64_t cursor, const Visitor& fn) const;

  // A random member. REQUIRES: !empty().
  std::string RandomMember(const Random& random) const;
  // `count` distinct members drawn at random, in no particular order. REQUIRES: count <= size().
  std::vector<std::string> RandomDistinct(size_t count, const Random& random) const;

  // The intset's bytes, for RDB and DUMP. REQUIRES: is_intset().
  std::span<const uint8_t> IntsetBytes() const;

 private:
  struct Table;
  static constexpr uintptr_t kTableTag = 1;

  uint8_t* blob() const { return reinterpret_cast<uint8_t*>(rep_); }
  Table* table() const { return reinterpret_cast<Table*>(rep_ & ~kTableTag); }
  void SetBlob(uint8_t* blob) { rep_ = reinterpret_cast<uintptr_t>(blob); }
  void SetTable(Table* table) { rep_ = reinterpret_cast<uintptr_t>(table) | kTableTag; }
  // Moves every member into a new table.
  void ConvertToTable(LazyFreer* freer);

  // An intset blob (intset.h), or a Table* | kTableTag.
  uintptr_t rep_;
};

}  // namespace magnetar::engine
