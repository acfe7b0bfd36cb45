// One key's storage: a single allocation holding a small header, the key bytes, the value and,
// only when the key has one, its deadline. The table stores pointers to entries; everything about
// a key that a lookup needs is one cache miss away.
//
//   byte 0       flags: bits 0-2 the value's kind (type and encoding together: the three string
//                encodings, then one kind per object type), bit 3 the snapshot mark (see
//                snapshot.h), bit 5 has deadline, 6 wide deadline, bit 7 long key
//   bytes 1-3    access metadata, 24 bits: the LRU clock, or an LFU counter and decay time
//   [deadline]   absolute Unix time in ms: 6 bytes when 0 <= ms < 2^48 (until year 10889),
//                8 bytes ("wide") for any other int64. Absent when the key does not expire.
//   key length   1 byte, or 4 bytes for keys of 256 bytes or more ("long key")
//   key bytes
//   value        kInline:     1-byte length, then the bytes (at most kMaxInlineString)
//                kInteger:    the int64 as a zigzag varint (1 to 10 bytes)
//                kHeapString: pointer to a separately allocated HeapString
//                kObject:     pointer to an Object (lists, hashes, sets, sorted sets...)
//
// A 16-byte key with a 3-byte value takes 25 bytes (jemalloc's 32-byte class), and still fits
// that class with a 6-byte deadline. Entries are immutable in size: a change of value or of
// deadline width builds a new entry and the table slot is repointed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "magnetar/common/numbers.h"

namespace magnetar::engine {

enum class ValueType : uint8_t { kString, kList, kSet, kZSet, kHash, kStream };

enum class Encoding : uint8_t { kInline, kInteger, kHeapString, kObject };

// A value heavier than a string. The entry owns it and deletes it with the key, possibly on the
// lazy-free thread: destructors must not touch anything shared.
class Object {
 public:
  virtual ~Object() = default;
  // Bytes this object holds on the heap, for memory reports.
  virtual size_t MemoryBytes() const = 0;
  // A deep copy, for COPY. Every value type should override this; the default (null) makes COPY
  // refuse the key rather than share the object between two keys.
  virtual std::unique_ptr<Object> Clone() const { return nullptr; }
  // OBJECT ENCODING's name for the representation in use ("listpack", "hashtable"...). Every value
  // type should override this; the default names Redis's general-purpose encoding.
  virtual std::string_view EncodingName() const { return "hashtable"; }
};

// A string value as read from the keyspace: the stored bytes, or the decimal text of an
// integer-encoded value (kept in this object). view() is valid while this object lives and the
// key is unchanged.
class StringRef {
 public:
  static StringRef Bytes(std::string_view bytes) { return StringRef(bytes); }
  static StringRef Integer(int64_t value) { return StringRef(value); }

  std::string_view view() const {
    return is_integer_ ? std::string_view(digits_, digits_length_) : bytes_;
  }
  bool is_integer() const { return is_integer_; }
  // The integer itself when the value is integer-encoded.
  int64_t integer() const { return integer_; }

 private:
  explicit StringRef(std::string_view bytes) : bytes_(bytes) {}
  explicit StringRef(int64_t value)
      : integer_(value), digits_length_(FormatInt64(value, digits_)), is_integer_(true) {}

  std::string_view bytes_;
  int64_t integer_ = 0;
  char digits_[kMaxInt64Chars];
  uint8_t digits_length_ = 0;
  bool is_integer_ = false;
};

// The value a new entry gets. Strings are copied into the entry; an object is adopted.
class EntryValue {
 public:
  // Canonical integer texts (Redis's string2ll rules) become kInteger, short strings kInline,
  // the rest kHeapString.
  static EntryValue String(std::string_view bytes);
  static EntryValue Integer(int64_t value);
  static EntryValue Adopt(ValueType type, Object* object);
  // Always kHeapString, whatever the bytes: a string about to be edited in place (bitmaps).
  static EntryValue HeapString(std::string_view bytes);

  ValueType type() const { return type_; }
  Encoding encoding() const { return encoding_; }
  std::string_view bytes() const { return bytes_; }
  int64_t integer() const { return integer_; }
  Object* object() const { return object_; }

 private:
  ValueType type_ = ValueType::kString;
  Encoding encoding_ = Encoding::kInline;
  std::string_view bytes_;
  int64_t integer_ = 0;
  Object* object_ = nullptr;
};

class Entry {
 public:
  static constexpr size_t kMaxInlineString = 64;

  Entry() = delete;
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  // Allocates an entry. The caller owns it until it is handed to a table.
  static Entry* Create(std::string_view key, const EntryValue& value,
                       std::optional<int64_t> deadline_ms, uint32_t access);
  // The same key and value with another deadline (or none). The value's storage moves to the new
  // entry and `old` is freed.
  static Entry* Redeadline(Entry* old, std::optional<int64_t> deadline_ms);
  // The same value, deadline and access metadata under another key (RENAME). The value's storage
  // moves to the new entry and `old` is freed.
  static Entry* Rekey(Entry* old, std::string_view key);
  // Frees the entry and its value storage.
  static void Destroy(Entry* entry);

  ValueType type() const {
    uint8_t kind = flags() & kKindMask;
    return kind < kFirstObjectKind ? ValueType::kString
                                   : static_cast<ValueType>(kind - kFirstObjectKind + 1);
  }
  Encoding encoding() const {
    uint8_t kind = flags() & kKindMask;
    return kind < kFirstObjectKind ? static_cast<Encoding>(kind) : Encoding::kObject;
  }
  // The point-in-time snapshot's mark: an entry whose mark equals the running snapshot's parity
  // has been written already or did not exist when the snapshot began (snapshot.h).
  bool snapshot_mark() const { return flags() & kSnapshotMark; }
  void set_snapshot_mark(bool mark) {
    data_[0] = static_cast<uint8_t>((data_[0] & ~kSnapshotMark) | (mark ? kSnapshotMark : 0));
  }
  bool has_deadline() const { return flags() & kHasDeadline; }
  // The deadline in absolute Unix ms. REQUIRES: has_deadline().
  int64_t deadline() const;
  // Whether `deadline_ms` can be written in place (same width as the current one).
  bool CanStoreDeadlineInPlace(int64_t deadline_ms) const {
    return has_deadline() && IsWide(deadline_ms) == static_cast<bool>(flags() & kWideDeadline);
  }
  // REQUIRES: CanStoreDeadlineInPlace(deadline_ms).
  void StoreDeadlineInPlace(int64_t deadline_ms);

  std::string_view key() const {
    const uint8_t* p = bytes() + KeyLengthOffset();
    if (flags() & kLongKey) {
      uint32_t length;
      std::memcpy(&length, p, sizeof(length));
      return {reinterpret_cast<const char*>(p + 4), length};
    }
    return {reinterpret_cast<const char*>(p + 1), *p};
  }

  // REQUIRES: type() == ValueType::kString.
  StringRef string() const;
  // The value itself, without string()'s formatting of it as text. REQUIRES: encoding() ==
  // Encoding::kInteger.
  int64_t integer() const;
  // REQUIRES: encoding() == Encoding::kObject.
  Object* object() const;
  // Starts loading a value stored outside the entry (a heap string's block, an object), so that
  // a walk over many entries overlaps their cache misses. Does nothing for values inside it.
  void PrefetchValue() const {
    if (encoding() == Encoding::kHeapString || encoding() == Encoding::kObject) {
      const void* outside;
      std::memcpy(&outside, ValuePointer(), sizeof(outside));
      __builtin_prefetch(outside);
    }
  }

  // Bitmap family: in-place edits of a kHeapString value (REQUIRES for both). Zero-pads the
  // string to at least `size` bytes. Capacity grows greedily, doubling below 1 MB and then by
  // 1 MB, so growing in small steps costs amortized O(1) instead of a copy per step.
  void GrowHeapString(size_t size);
  // The string's bytes, writable; valid until the next GrowHeapString or the entry is freed.
  std::span<char> MutableHeapString();

  // String family (INCR and friends): writes `value` over a kInteger value (REQUIRES) when it
  // encodes to as many bytes; false, and nothing changed, otherwise.
  bool ReplaceIntegerInPlace(int64_t value);

  uint32_t access() const { return bytes()[1] | (bytes()[2] << 8) | (bytes()[3] << 16); }
  void set_access(uint32_t value) {
    data_[1] = value & 0xff;
    data_[2] = (value >> 8) & 0xff;
    data_[3] = (value >> 16) & 0xff;
  }

  // Bytes this entry accounts for: the entry itself plus a heap string's block (objects report
  // their own).
  size_t AllocatedBytes() const;

 private:
  // Kinds 0-2 are the string encodings kInline, kInteger and kHeapString; kinds 3-7 the object
  // types kList..kStream. Strings have three encodings and objects one, so eight kinds cover
  // every pair and bits 3-4 stay free.
  static constexpr uint8_t kKindMask = 0x07;
  static constexpr uint8_t kFirstObjectKind = 3;
  static constexpr uint8_t kSnapshotMark = 1 << 3;
  static uint8_t KindOf(ValueType type, Encoding encoding) {
    return encoding == Encoding::kObject
               ? static_cast<uint8_t>(kFirstObjectKind + static_cast<uint8_t>(type) - 1)
               : static_cast<uint8_t>(encoding);
  }
  static constexpr uint8_t kHasDeadline = 1 << 5;
  static constexpr uint8_t kWideDeadline = 1 << 6;
  static constexpr uint8_t kLongKey = 1 << 7;
  static constexpr size_t kHeaderBytes = 4;

  static bool IsWide(int64_t deadline_ms) { return deadline_ms < 0 || deadline_ms >> 48 != 0; }

  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this); }
  uint8_t flags() const { return data_[0]; }
  size_t DeadlineBytes() const { return has_deadline() ? ((flags() & kWideDeadline) ? 8 : 6) : 0; }
  size_t KeyLengthOffset() const { return kHeaderBytes + DeadlineBytes(); }
  const uint8_t* ValuePointer() const {
    std::string_view k = key();
    return reinterpret_cast<const uint8_t*>(k.data()) + k.size();
  }
  // Bytes the value takes inside the entry.
  size_t ValueBytes() const;

  uint8_t data_[kHeaderBytes];
};

}  // namespace magnetar::engine
