// The hash value type: a map of field names to string values, in one of Redis 7.0's two
// encodings, which OBJECT ENCODING names.
//
// "listpack": while the hash is small, its fields and values alternate in one listpack
// (field, value, field, value...) in insertion order, byte for byte as Redis stores it, so a
// DUMP or RDB save is a copy and a small hash costs what it costs in Redis. Every operation is a
// linear scan of a few hundred bytes, which beats hashing at this size.
//
// "hashtable": once the hash holds more than hash-max-listpack-entries fields, or a field or
// value longer than hash-max-listpack-value bytes arrives, it converts, and never back (as Redis:
// deleting fields does not shrink the encoding). The big encoding is the engine's own KeyTable
// with one Entry per field: the entry's key is the field name and its value the field's value,
// in one allocation (a 16-byte field with a 16-byte value takes 38 bytes, a 48-byte jemalloc
// block), plus 11-23 bytes of bucket per field. Redis spends a 24-byte dictEntry, an 8-byte
// bucket pointer and two sds allocations, 104 bytes per such field; this spends about 65. The
// table also brings incremental resizing without pauses, HSCAN cursors with Redis's guarantee and
// O(1) random sampling for HRANDFIELD.
//
// The object is one word after the vtable pointer, 16 bytes in all (jemalloc's smallest class but
// one), as SetValue: the listpack itself, or, with the low bit set, a pointer to the table and its
// bookkeeping. A small hash thus costs its keyspace entry, 16 bytes and its listpack, which is
// Redis's robj-plus-listpack figure.
//
// The type knows nothing of RESP or commands: it stores, finds, removes and walks fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "magnetar/common/numbers.h"
#include "magnetar/engine/encoding_limits.h"
#include "magnetar/engine/entry.h"
#include "magnetar/engine/listpack.h"

namespace magnetar::engine {

// Room for a value read from the hash when it is held as an integer.
using HashBuffer = char[kMaxInt64Chars];

class LazyFreer;

class HashValue final : public Object {
 public:
  using RandomSource = std::function<uint64_t()>;
  using Visitor = std::function<void(std::string_view, std::string_view)>;

  HashValue();
  // Adopts a listpack of field/value pairs (RDB load, RESTORE). REQUIRES: an even number of
  // elements and no field twice. The caller converts it if it exceeds the limits.
  explicit HashValue(Listpack pairs);
  ~HashValue() override;
  HashValue(const HashValue&) = delete;
  HashValue& operator=(const HashValue&) = delete;

  size_t Size() const;
  bool IsListpack() const { return (Word() & kTableTag) == 0; }

  // The value of `field`, or nothing. The view is valid until the hash changes (and may point
  // into `buffer`).
  std::optional<std::string_view> Get(std::string_view field, HashBuffer& buffer);
  bool Exists(std::string_view field);
  // Sets `field` to `value`; true when the field is new. Converts to "hashtable" first when
  // either is longer than the limits allow, and after inserting when there are too many fields.
  // `freer` (may be null) is where the table created by a conversion sends its big old bucket
  // arrays (the keyspace's lazy-free thread); a table keeps the one it was created with.
  bool Set(std::string_view field, std::string_view value, const EncodingLimits& limits,
           LazyFreer* freer = nullptr);
  // Removes `field`; true when it existed.
  bool Delete(std::string_view field);

  // Calls `fn(field, value)` for every field, in the encoding's order. The hash must not change
  // meanwhile.
  void ForEach(const Visitor& fn) const;
  // HSCAN: the fields of the cursor's step and the next cursor (0 at the end). A listpack hash is
  // returned whole in one step, as Redis does.
  uint64_t Scan(uint64_t cursor, const Visitor& fn) const;
  // A uniformly random field and its value (REQUIRES: Size() > 0). Views valid until the hash
  // changes; `buffers` hold integer-encoded texts.
  std::pair<std::string_view, std::string_view> Random(const RandomSource& random,
                                                       HashBuffer (&buffers)[2]) const;
  // Calls `fn(field, value)` for `count` distinct fields drawn at random (REQUIRES: count <
  // Size()), without copying any of them: HRANDFIELD with a positive count.
  void RandomDistinct(size_t count, const RandomSource& random, const Visitor& fn) const;
  // The field at `index` of the listpack (REQUIRES: IsListpack(), index < Size()).
  std::pair<std::string_view, std::string_view> At(size_t index, HashBuffer (&buffers)[2]) const;

  // Converts to "hashtable" now (tests; Redis's DEBUG-free conversion paths).
  void ConvertToTable(LazyFreer* freer = nullptr);

  size_t MemoryBytes() const override;
  std::unique_ptr<Object> Clone() const override;
  std::string_view EncodingName() const override { return IsListpack() ? "listpack" : "hashtable"; }

  // The listpack (REQUIRES: IsListpack()), for serialization.
  const Listpack& listpack() const { return rep_.listpack; }

 private:
  struct Table;
  static constexpr uintptr_t kTableTag = 1;

  static bool TooLong(std::string_view text, const EncodingLimits& limits) {
    return limits.hash_max_listpack_value >= 0 &&
           text.size() > static_cast<uint64_t>(limits.hash_max_listpack_value);
  }

  // The representation's word, whichever member holds it: copying its bytes is defined either way.
  uintptr_t Word() const {
    uintptr_t word;
    std::memcpy(&word, &rep_, sizeof(word));
    return word;
  }
  Table* table() const { return reinterpret_cast<Table*>(rep_.table & ~kTableTag); }

  // The listpack while the hash is small; once it converts, the Table's address | kTableTag. A
  // listpack is its block's pointer, which malloc aligns, so its low bit is clear and tells the
  // two apart.
  union Rep {
    Rep() {}
    ~Rep() {}
    Listpack listpack;
    uintptr_t table;
  } rep_;
};

}  // namespace magnetar::engine
