#include "magnetar/engine/entry.h"

#include <cstdlib>
#include <new>

namespace magnetar::engine {
namespace {

// A string too long to sit inside its entry: a size, room to grow in place later (APPEND,
// SETRANGE), then the bytes, in one block.
struct HeapStringHeader {
  uint64_t size;
  uint64_t capacity;
};

char* HeapStringBytes(HeapStringHeader* header) { return reinterpret_cast<char*>(header + 1); }

HeapStringHeader* NewHeapString(std::string_view bytes) {
  void* block = std::malloc(sizeof(HeapStringHeader) + bytes.size());
  if (block == nullptr) throw std::bad_alloc();
  auto* header = static_cast<HeapStringHeader*>(block);
  header->size = bytes.size();
  header->capacity = bytes.size();
  bytes.copy(HeapStringBytes(header), bytes.size());  // unlike memcpy, fine with an empty view
  return header;
}

void StoreLittleEndian(uint8_t* p, uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) p[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t LoadLittleEndian(const uint8_t* p, size_t width) {
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i) value |= uint64_t{p[i]} << (8 * i);
  return value;
}

// Zigzag maps small negative and positive numbers to small unsigned ones, so "-1" takes one byte.
uint64_t ZigZag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}

int64_t UnZigZag(uint64_t value) {
  return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
}

size_t VarintLength(uint64_t value) {
  size_t length = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++length;
  }
  return length;
}

size_t WriteVarint(uint8_t* p, uint64_t value) {
  size_t i = 0;
  while (value >= 0x80) {
    p[i++] = static_cast<uint8_t>(value | 0x80);
    value >>= 7;
  }
  p[i++] = static_cast<uint8_t>(value);
  return i;
}

uint64_t ReadVarint(const uint8_t* p, size_t* length) {
  uint64_t value = 0;
  size_t i = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t byte = p[i++];
    value |= uint64_t{byte & 0x7fu} << shift;
    if (!(byte & 0x80)) break;
  }
  *length = i;
  return value;
}

size_t ValueSize(const EntryValue& value) {
  switch (value.encoding()) {
    case Encoding::kInline:
      return 1 + value.bytes().size();
    case Encoding::kInteger:
      return VarintLength(ZigZag(value.integer()));
    case Encoding::kHeapString:
    case Encoding::kObject:
      return sizeof(void*);
  }
  return 0;
}

// Writes the key's length (1 byte, or 4 for a long key) and its bytes; returns the end.
uint8_t* WriteKey(uint8_t* cursor, std::string_view key, bool long_key) {
  if (long_key) {
    auto length = static_cast<uint32_t>(key.size());
    std::memcpy(cursor, &length, sizeof(length));
    cursor += sizeof(length);
  } else {
    *cursor++ = static_cast<uint8_t>(key.size());
  }
  key.copy(reinterpret_cast<char*>(cursor), key.size());
  return cursor + key.size();
}

}  // namespace

EntryValue EntryValue::String(std::string_view bytes) {
  EntryValue value;
  if (bytes.size() <= kMaxInt64Chars) {
    if (auto integer = ParseInt64(bytes)) return Integer(*integer);
  }
  value.encoding_ =
      bytes.size() <= Entry::kMaxInlineString ? Encoding::kInline : Encoding::kHeapString;
  value.bytes_ = bytes;
  return value;
}

EntryValue EntryValue::HeapString(std::string_view bytes) {
  EntryValue value;
  value.encoding_ = Encoding::kHeapString;
  value.bytes_ = bytes;
  return value;
}

EntryValue EntryValue::Integer(int64_t integer) {
  EntryValue value;
  value.encoding_ = Encoding::kInteger;
  value.integer_ = integer;
  return value;
}

EntryValue EntryValue::Adopt(ValueType type, Object* object) {
  EntryValue value;
  value.type_ = type;
  value.encoding_ = Encoding::kObject;
  value.object_ = object;
  return value;
}

Entry* Entry::Create(std::string_view key, const EntryValue& value,
                     std::optional<int64_t> deadline_ms, uint32_t access) {
  bool long_key = key.size() > 0xff;
  size_t deadline_bytes = deadline_ms ? (IsWide(*deadline_ms) ? 8 : 6) : 0;
  size_t key_length_bytes = long_key ? 4 : 1;
  size_t size = kHeaderBytes + deadline_bytes + key_length_bytes + key.size() + ValueSize(value);
  auto* p = static_cast<uint8_t*>(std::malloc(size));
  if (p == nullptr) throw std::bad_alloc();

  uint8_t flags = KindOf(value.type(), value.encoding());
  if (deadline_ms) flags |= kHasDeadline | (deadline_bytes == 8 ? kWideDeadline : 0);
  if (long_key) flags |= kLongKey;
  p[0] = flags;
  StoreLittleEndian(p + 1, access, 3);
  uint8_t* cursor = p + kHeaderBytes;
  if (deadline_ms) {
    StoreLittleEndian(cursor, static_cast<uint64_t>(*deadline_ms), deadline_bytes);
    cursor += deadline_bytes;
  }
  cursor = WriteKey(cursor, key, long_key);

  switch (value.encoding()) {
    case Encoding::kInline:
      *cursor = static_cast<uint8_t>(value.bytes().size());
      value.bytes().copy(reinterpret_cast<char*>(cursor + 1), value.bytes().size());
      break;
    case Encoding::kInteger:
      WriteVarint(cursor, ZigZag(value.integer()));
      break;
    case Encoding::kHeapString: {
      HeapStringHeader* header = NewHeapString(value.bytes());
      std::memcpy(cursor, &header, sizeof(header));
      break;
    }
    case Encoding::kObject: {
      Object* object = value.object();
      std::memcpy(cursor, &object, sizeof(object));
      break;
    }
  }
  return reinterpret_cast<Entry*>(p);
}

Entry* Entry::Redeadline(Entry* old, std::optional<int64_t> deadline_ms) {
  std::string_view key = old->key();
  bool long_key = old->flags() & kLongKey;
  size_t deadline_bytes = deadline_ms ? (IsWide(*deadline_ms) ? 8 : 6) : 0;
  size_t tail = (long_key ? 4 : 1) + key.size() + old->ValueBytes();
  auto* p = static_cast<uint8_t*>(std::malloc(kHeaderBytes + deadline_bytes + tail));
  if (p == nullptr) throw std::bad_alloc();
  uint8_t flags = old->flags() & ~(kHasDeadline | kWideDeadline);
  if (deadline_ms) flags |= kHasDeadline | (deadline_bytes == 8 ? kWideDeadline : 0);
  std::memcpy(p, old->bytes(), kHeaderBytes);
  p[0] = flags;
  if (deadline_ms) {
    StoreLittleEndian(p + kHeaderBytes, static_cast<uint64_t>(*deadline_ms), deadline_bytes);
  }
  std::memcpy(p + kHeaderBytes + deadline_bytes, old->bytes() + old->KeyLengthOffset(), tail);
  std::free(old);
  return reinterpret_cast<Entry*>(p);
}

Entry* Entry::Rekey(Entry* old, std::string_view key) {
  bool long_key = key.size() > 0xff;
  size_t key_length_bytes = long_key ? 4 : 1;
  size_t head = old->KeyLengthOffset();  // header and deadline, copied as they are
  size_t value_bytes = old->ValueBytes();
  auto* p = static_cast<uint8_t*>(std::malloc(head + key_length_bytes + key.size() + value_bytes));
  if (p == nullptr) throw std::bad_alloc();
  std::memcpy(p, old->bytes(), head);
  p[0] = static_cast<uint8_t>((old->flags() & ~kLongKey) | (long_key ? kLongKey : 0));
  uint8_t* cursor = p + head;
  cursor = WriteKey(cursor, key, long_key);
  std::memcpy(cursor, old->ValuePointer(), value_bytes);
  std::free(old);
  return reinterpret_cast<Entry*>(p);
}

void Entry::Destroy(Entry* entry) {
  switch (entry->encoding()) {
    case Encoding::kHeapString: {
      HeapStringHeader* header;
      std::memcpy(&header, entry->ValuePointer(), sizeof(header));
      std::free(header);
      break;
    }
    case Encoding::kObject:
      delete entry->object();
      break;
    case Encoding::kInline:
    case Encoding::kInteger:
      break;
  }
  std::free(entry);
}

int64_t Entry::deadline() const {
  const uint8_t* p = bytes() + kHeaderBytes;
  if (flags() & kWideDeadline) return static_cast<int64_t>(LoadLittleEndian(p, 8));
  return static_cast<int64_t>(LoadLittleEndian(p, 6));
}

void Entry::StoreDeadlineInPlace(int64_t deadline_ms) {
  StoreLittleEndian(reinterpret_cast<uint8_t*>(this) + kHeaderBytes,
                    static_cast<uint64_t>(deadline_ms), DeadlineBytes());
}

StringRef Entry::string() const {
  const uint8_t* p = ValuePointer();
  switch (encoding()) {
    case Encoding::kInline:
      return StringRef::Bytes({reinterpret_cast<const char*>(p + 1), *p});
    case Encoding::kInteger:
      return StringRef::Integer(integer());
    case Encoding::kHeapString: {
      HeapStringHeader* header;
      std::memcpy(&header, p, sizeof(header));
      return StringRef::Bytes({HeapStringBytes(header), header->size});
    }
    case Encoding::kObject:
      break;
  }
  return StringRef::Bytes({});
}

int64_t Entry::integer() const {
  size_t length;
  return UnZigZag(ReadVarint(ValuePointer(), &length));
}

Object* Entry::object() const {
  Object* object;
  std::memcpy(&object, ValuePointer(), sizeof(object));
  return object;
}

// Bitmap family: in-place heap string edits.
void Entry::GrowHeapString(size_t size) {
  constexpr uint64_t kGreedyLimit = 1024 * 1024;
  HeapStringHeader* header;
  std::memcpy(&header, ValuePointer(), sizeof(header));
  if (size <= header->size) return;
  if (size > header->capacity) {
    uint64_t capacity = size < kGreedyLimit ? size * 2 : size + kGreedyLimit;
    void* block = std::realloc(header, sizeof(HeapStringHeader) + capacity);
    if (block == nullptr) throw std::bad_alloc();
    header = static_cast<HeapStringHeader*>(block);
    header->capacity = capacity;
    uint8_t* slot = reinterpret_cast<uint8_t*>(this) + (ValuePointer() - bytes());
    std::memcpy(slot, &header, sizeof(header));
  }
  std::memset(HeapStringBytes(header) + header->size, 0, size - header->size);
  header->size = size;
}

std::span<char> Entry::MutableHeapString() {
  HeapStringHeader* header;
  std::memcpy(&header, ValuePointer(), sizeof(header));
  return {HeapStringBytes(header), header->size};
}

size_t Entry::ValueBytes() const {
  const uint8_t* p = ValuePointer();
  switch (encoding()) {
    case Encoding::kInline:
      return 1 + *p;
    case Encoding::kInteger: {
      size_t length;
      ReadVarint(p, &length);
      return length;
    }
    case Encoding::kHeapString:
    case Encoding::kObject:
      return sizeof(void*);
  }
  return 0;
}

size_t Entry::AllocatedBytes() const {
  size_t size = static_cast<size_t>(ValuePointer() - bytes()) + ValueBytes();
  if (encoding() == Encoding::kHeapString) {
    HeapStringHeader* header;
    std::memcpy(&header, ValuePointer(), sizeof(header));
    size += sizeof(HeapStringHeader) + header->capacity;
  }
  return size;
}

bool Entry::ReplaceIntegerInPlace(int64_t value) {
  uint8_t* p = const_cast<uint8_t*>(ValuePointer());
  size_t length;
  ReadVarint(p, &length);
  uint64_t encoded = ZigZag(value);
  if (VarintLength(encoded) != length) return false;
  WriteVarint(p, encoded);
  return true;
}

}  // namespace magnetar::engine
