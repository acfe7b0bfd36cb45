#include "magnetar/engine/listpack.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "magnetar/common/resize_block.h"

namespace magnetar::engine {
namespace {

constexpr uint16_t kUnknownCount = 65535;

uint32_t LoadU32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
void StoreU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Little-endian signed integer of `bytes` bytes.
int64_t LoadSigned(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{p[i]} << (8 * i);
  int shift = 64 - 8 * bytes;
  return static_cast<int64_t>(v << shift) >> shift;
}

uint8_t* Allocate(size_t bytes) {
  auto* p = static_cast<uint8_t*>(std::malloc(bytes));
  if (!p) throw std::bad_alloc();
  // The address shares a word with the room before the header (Listpack::word_).
  if (reinterpret_cast<uintptr_t>(p) >> Listpack::kAddressBits != 0) std::abort();
  return p;
}

// Listpacks this big keep room before their header for Prepend and DeleteHead; below it, shifting
// the bytes costs no more than moving them to a new block would.
constexpr size_t kFrontRoomFrom = 1024;
// The most room kept before a header: what the top 16 bits of Listpack::word_ can say.
constexpr size_t kMaxFrontRoom = 65535;

// The integer a string stands for when stored, as Redis's listpack does: canonical int64 text.
std::optional<int64_t> AsInteger(std::string_view value) {
  if (value.empty() || value.size() > kMaxInt64Chars) return std::nullopt;
  return ParseInt64(value);
}

}  // namespace

bool ListpackElement::Equals(std::string_view text) const {
  if (!is_integer) return string == text;
  char buffer[kMaxInt64Chars];
  return Text(buffer) == text;
}

Listpack::Listpack() {
  uint8_t* block = Allocate(kHeaderBytes + 1);
  StoreU32(block, kHeaderBytes + 1);
  block[4] = block[5] = 0;
  block[kHeaderBytes] = kEnd;
  Place(block, 0);
}

Listpack::~Listpack() { std::free(block()); }

Listpack::Listpack(Listpack&& other) noexcept : word_(std::exchange(other.word_, 0)) {}

Listpack& Listpack::operator=(Listpack&& other) noexcept {
  std::swap(word_, other.word_);
  return *this;
}

Listpack Listpack::Clone() const {
  uint8_t* copy = Allocate(TotalBytes());
  std::memcpy(copy, data(), TotalBytes());
  return Listpack(copy);
}

size_t Listpack::TotalBytes() const { return LoadU32(data()); }

size_t Listpack::AllocatedBytes() const { return malloc_usable_size(block()); }

size_t Listpack::Size() const {
  uint16_t count = static_cast<uint16_t>(data()[4] | data()[5] << 8);
  if (count != kUnknownCount) return count;
  size_t n = 0;
  for (Pos p = First(); p != kNone; p = Next(p)) ++n;
  return n;
}

void Listpack::SetTotal(size_t total) { StoreU32(data(), static_cast<uint32_t>(total)); }

void Listpack::AddCount(int64_t delta) {
  uint16_t count = static_cast<uint16_t>(data()[4] | data()[5] << 8);
  int64_t next;
  if (count == kUnknownCount) {
    // Past 65534 the header stops counting; recount once the list may fit again.
    next = static_cast<int64_t>(Size());
  } else {
    next = count + delta;
  }
  if (next >= kUnknownCount) next = kUnknownCount;
  data()[4] = static_cast<uint8_t>(next);
  data()[5] = static_cast<uint8_t>(next >> 8);
}

size_t Listpack::BodySize(const uint8_t* p) {
  uint8_t b = p[0];
  if (b < 0x80) return 1;
  if ((b & 0xC0) == 0x80) return 1 + (b & 0x3F);
  if ((b & 0xE0) == 0xC0) return 2;
  if ((b & 0xF0) == 0xE0) return 2 + (size_t{static_cast<uint8_t>(b & 0x0F)} << 8 | p[1]);
  switch (b) {
    case 0xF0:
      return 5 + LoadU32(p + 1);
    case 0xF1:
      return 3;
    case 0xF2:
      return 4;
    case 0xF3:
      return 5;
    case 0xF4:
      return 9;
    default:
      return 0;  // 0xF5..0xFF: not an entry
  }
}

size_t Listpack::BacklenBytes(size_t body) {
  // Redis's thresholds, one below the powers of 2^7 (header comment): byte compatibility.
  if (body < 128) return 1;
  if (body < 16383) return 2;
  if (body < 2097151) return 3;
  if (body < 268435455) return 4;
  return 5;
}

void Listpack::WriteBacklen(uint8_t* p, size_t body) {
  size_t n = BacklenBytes(body);
  // Highest bits first; the last byte holds the lowest 7. Every byte but the first has its top
  // bit set, telling a reader walking backwards that another byte follows on its left.
  for (size_t i = 0; i < n; ++i) {
    auto bits = static_cast<uint8_t>((body >> (7 * (n - 1 - i))) & 127);
    p[i] = static_cast<uint8_t>(i == 0 ? bits : bits | 128);
  }
}

Listpack::Encoded Listpack::EncodeInteger(int64_t v) {
  Encoded e;
  if (v >= 0 && v <= 127) {
    e.head[0] = static_cast<uint8_t>(v);
    e.head_size = 1;
  } else if (v >= -4096 && v <= 4095) {
    uint64_t u = static_cast<uint64_t>(v) & 0x1FFF;
    e.head[0] = static_cast<uint8_t>(0xC0 | (u >> 8));
    e.head[1] = static_cast<uint8_t>(u);
    e.head_size = 2;
  } else {
    int bytes;
    uint8_t tag;
    if (v >= INT16_MIN && v <= INT16_MAX) {
      bytes = 2, tag = 0xF1;
    } else if (v >= -(1 << 23) && v < (1 << 23)) {
      bytes = 3, tag = 0xF2;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      bytes = 4, tag = 0xF3;
    } else {
      bytes = 8, tag = 0xF4;
    }
    e.head[0] = tag;
    auto u = static_cast<uint64_t>(v);
    for (int i = 0; i < bytes; ++i) e.head[1 + i] = static_cast<uint8_t>(u >> (8 * i));
    e.head_size = static_cast<uint8_t>(1 + bytes);
  }
  return e;
}

Listpack::Encoded Listpack::EncodeString(std::string_view value) {
  Encoded e;
  size_t n = value.size();
  if (n < 64) {
    e.head[0] = static_cast<uint8_t>(0x80 | n);
    e.head_size = 1;
  } else if (n < 4096) {
    e.head[0] = static_cast<uint8_t>(0xE0 | (n >> 8));
    e.head[1] = static_cast<uint8_t>(n);
    e.head_size = 2;
  } else {
    e.head[0] = 0xF0;
    StoreU32(e.head + 1, static_cast<uint32_t>(n));
    e.head_size = 5;
  }
  e.payload = value;
  return e;
}

Listpack::Encoded Listpack::Encode(std::string_view value) {
  if (std::optional<int64_t> v = AsInteger(value)) return EncodeInteger(*v);
  return EncodeString(value);
}

size_t Listpack::EntryBytes(std::string_view value) {
  size_t body = Encode(value).body_size();
  return body + BacklenBytes(body);
}

size_t Listpack::EntryBytes(int64_t value) {
  size_t body = EncodeInteger(value).body_size();
  return body + BacklenBytes(body);
}

Listpack::Pos Listpack::SkipEntry(Pos pos) const {
  size_t body = BodySize(data() + pos);
  return static_cast<Pos>(pos + body + BacklenBytes(body));
}

Listpack::Pos Listpack::Next(Pos pos) const {
  Pos next = SkipEntry(pos);
  return data()[next] == kEnd ? kNone : next;
}

Listpack::Pos Listpack::Prev(Pos pos) const {
  if (pos <= kHeaderBytes) return kNone;
  // Read the previous entry's backlen from its last byte leftwards.
  const uint8_t* p = data() + pos - 1;
  size_t body = 0;
  int shift = 0;
  size_t backlen_bytes = 0;
  while (true) {
    body |= size_t{static_cast<uint8_t>(*p & 127)} << shift;
    ++backlen_bytes;
    if (!(*p & 128)) break;
    shift += 7;
    --p;
  }
  return static_cast<Pos>(pos - backlen_bytes - body);
}

Listpack::Pos Listpack::Last() const { return Empty() ? kNone : Prev(EndPos()); }

Listpack::Pos Listpack::Seek(int64_t index) const {
  if (index >= 0) {
    Pos p = First();
    for (int64_t i = 0; i < index && p != kNone; ++i) p = Next(p);
    return p;
  }
  Pos p = Last();
  for (int64_t i = -1; i > index && p != kNone; --i) p = Prev(p);
  return p;
}

ListpackElement Listpack::Get(Pos pos) const {
  const uint8_t* p = data() + pos;
  uint8_t b = p[0];
  ListpackElement e;
  auto str = [&](size_t offset, size_t length) {
    e.string = {reinterpret_cast<const char*>(p + offset), length};
    return e;
  };
  if (b < 0x80) {
    e.is_integer = true;
    e.integer = b;
    return e;
  }
  if ((b & 0xC0) == 0x80) return str(1, b & 0x3F);
  if ((b & 0xE0) == 0xC0) {
    e.is_integer = true;
    int64_t u = (b & 0x1F) << 8 | p[1];
    e.integer = u >= 4096 ? u - 8192 : u;
    return e;
  }
  if ((b & 0xF0) == 0xE0) return str(2, size_t{static_cast<uint8_t>(b & 0x0F)} << 8 | p[1]);
  if (b == 0xF0) return str(5, LoadU32(p + 1));
  e.is_integer = true;
  int bytes = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
  e.integer = LoadSigned(p + 1, bytes);
  return e;
}

Listpack::Pos Listpack::Splice(Pos pos, size_t remove_bytes, const Encoded& insert) {
  size_t body = insert.body_size();
  size_t add_bytes = body + BacklenBytes(body);
  size_t old_total = TotalBytes();
  size_t new_total = old_total - remove_bytes + add_bytes;
  size_t tail = old_total - pos - remove_bytes;
  if (new_total > old_total) Resize(old_total, new_total);
  std::memmove(data() + pos + add_bytes, data() + pos + remove_bytes, tail);
  WriteEntry(data() + pos, insert);
  if (new_total < old_total) Resize(old_total, new_total);  // gives the memory back
  SetTotal(new_total);
  return pos;
}

void Listpack::WriteEntry(uint8_t* w, const Encoded& entry) {
  std::memcpy(w, entry.head, entry.head_size);
  if (!entry.payload.empty()) {
    std::memcpy(w + entry.head_size, entry.payload.data(), entry.payload.size());
  }
  WriteBacklen(w + entry.body_size(), entry.body_size());
}

bool Listpack::MakeFrontRoom(size_t total, size_t bytes) {
  if (front_room() >= bytes) return true;
  if (bytes > kMaxFrontRoom) return false;
  // A new block a quarter bigger than the listpack needs, the room in front: as many head inserts
  // as that room takes touch only their own bytes, and each move to a bigger block copies the
  // listpack once, so a run of pushes costs O(1) per byte pushed. The block is a whole size
  // class, which the allocator would hand out anyway.
  size_t wanted = BlockClassBytes(total + std::max(bytes, total / 4));
  size_t room = std::min(wanted - total, kMaxFrontRoom);
  uint8_t* moved = Allocate(total + room);
  std::memcpy(moved + room, data(), total);
  std::free(block());
  Place(moved + room, room);
  return true;
}

void Listpack::MoveHeader(std::ptrdiff_t by) {
  uint8_t* header = data() + by;
  std::memmove(header, data(), kHeaderBytes);
  Place(header, static_cast<size_t>(static_cast<std::ptrdiff_t>(front_room()) + by));
}

void Listpack::DropFrontRoom() {
  if (front_room() == 0) return;
  size_t total = TotalBytes();
  uint8_t* start = block();
  std::memmove(start, data(), total);
  size_t room = front_room();
  Place(start, 0);
  Resize(total + room, total);
}

void Listpack::Resize(size_t old_total, size_t new_total) {
  size_t room = front_room();
  auto* moved = static_cast<uint8_t*>(ResizeBlock(block(), room + old_total, room + new_total));
  Place(moved + room, room);
}

Listpack::Pos Listpack::Prepend(std::string_view value) {
  Encoded entry = Encode(value);
  size_t add_bytes = entry.body_size() + BacklenBytes(entry.body_size());
  size_t total = TotalBytes();
  if (total < kFrontRoomFrom || !MakeFrontRoom(total, add_bytes)) {
    Splice(kHeaderBytes, 0, entry);
  } else {
    // The header steps back over the room the entry needs, and the entry goes in between.
    MoveHeader(-static_cast<std::ptrdiff_t>(add_bytes));
    WriteEntry(data() + kHeaderBytes, entry);
    SetTotal(total + add_bytes);
  }
  AddCount(1);
  return kHeaderBytes;
}

Listpack::Pos Listpack::InsertAt(Pos pos, std::string_view value) {
  Pos written = Splice(pos, 0, Encode(value));
  AddCount(1);
  return written;
}

Listpack::Pos Listpack::InsertAt(Pos pos, int64_t value) {
  Pos written = Splice(pos, 0, EncodeInteger(value));
  AddCount(1);
  return written;
}

Listpack::Pos Listpack::Replace(Pos pos, std::string_view value) {
  // The value may point into this listpack (a copy of one element over another): encode from a
  // copy when it does.
  const char* begin = reinterpret_cast<const char*>(data());
  if (value.data() >= begin && value.data() < begin + TotalBytes()) {
    std::string copy(value);
    return Splice(pos, SkipEntry(pos) - pos, Encode(copy));
  }
  return Splice(pos, SkipEntry(pos) - pos, Encode(value));
}

Listpack::Pos Listpack::Replace(Pos pos, int64_t value) {
  return Splice(pos, SkipEntry(pos) - pos, EncodeInteger(value));
}

Listpack::Pos Listpack::SkipEntries(Pos pos, size_t count, size_t& skipped) const {
  skipped = 0;
  while (skipped < count && data()[pos] != kEnd) {
    pos = SkipEntry(pos);
    ++skipped;
  }
  return pos;
}

Listpack::Pos Listpack::DeleteHead(size_t count) {
  size_t removed;
  Pos end = SkipEntries(kHeaderBytes, count, removed);
  size_t total = TotalBytes();
  size_t gap = end - kHeaderBytes;
  size_t new_total = total - gap;
  // Once the room would outgrow the listpack, Delete() moves the rest back and gives the room
  // up: a run of head deletes thus moves the listpack once per halving, O(1) per byte deleted.
  if (total < kFrontRoomFrom || front_room() + gap > std::min(kMaxFrontRoom, new_total)) {
    return Delete(kHeaderBytes, count);
  }
  // The header steps forward over the entries.
  MoveHeader(static_cast<std::ptrdiff_t>(gap));
  SetTotal(new_total);
  AddCount(-static_cast<int64_t>(removed));
  return Empty() ? kNone : kHeaderBytes;
}

Listpack::Pos Listpack::Delete(Pos pos, size_t count) {
  size_t removed;
  Pos end = SkipEntries(pos, count, removed);
  size_t old_total = TotalBytes();
  size_t new_total = old_total - (end - pos);
  std::memmove(data() + pos, data() + end, old_total - end);
  Resize(old_total, new_total);
  SetTotal(new_total);
  DropFrontRoom();
  AddCount(-static_cast<int64_t>(removed));
  return data()[pos] == kEnd ? kNone : pos;
}

void Listpack::AppendAll(const Listpack& other) {
  size_t total = TotalBytes();
  size_t entries = other.TotalBytes() - kHeaderBytes - 1;
  if (entries == 0) return;
  Resize(total, total + entries);
  // Over this one's terminator; the other's entries end with its own.
  std::memcpy(data() + total - 1, other.data() + kHeaderBytes, entries + 1);
  SetTotal(total + entries);
  AddCount(static_cast<int64_t>(other.Size()));
}

Listpack Listpack::SplitAt(Pos pos) {
  size_t total = TotalBytes();
  size_t entries = total - 1 - pos;
  uint8_t* tail = Allocate(kHeaderBytes + entries + 1);
  StoreU32(tail, static_cast<uint32_t>(kHeaderBytes + entries + 1));
  tail[4] = tail[5] = 0;
  std::memcpy(tail + kHeaderBytes, data() + pos, entries + 1);
  Listpack moved(tail);
  size_t moved_count = 0;
  for (Pos p = pos; data()[p] != kEnd; p = SkipEntry(p)) ++moved_count;
  moved.AddCount(static_cast<int64_t>(moved_count));
  data()[pos] = kEnd;
  Resize(total, pos + 1);
  SetTotal(pos + 1);
  AddCount(-static_cast<int64_t>(moved_count));
  return moved;
}

Listpack::Pos Listpack::Find(Pos pos, std::string_view text, size_t skip) const {
  // Compare integers as integers: one parse of `text` instead of formatting every element.
  std::optional<int64_t> as_integer = AsInteger(text);
  while (pos != kNone) {
    ListpackElement e = Get(pos);
    if (e.is_integer ? (as_integer && *as_integer == e.integer) : e.string == text) return pos;
    for (size_t i = 0; i <= skip && pos != kNone; ++i) pos = Next(pos);
  }
  return kNone;
}

std::optional<Listpack> Listpack::FromBytes(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderBytes + 1 || LoadU32(bytes.data()) != bytes.size() ||
      bytes.back() != kEnd) {
    return std::nullopt;
  }
  size_t pos = kHeaderBytes;
  size_t count = 0;
  while (pos < bytes.size() - 1) {
    const uint8_t* p = bytes.data() + pos;
    size_t room = bytes.size() - 1 - pos;
    // Enough bytes for the encoding's header before reading lengths from it.
    uint8_t b = p[0];
    size_t header = b < 0xC0 ? 1 : (b & 0xF0) != 0xF0 ? 2 : b == 0xF0 ? 5 : 1;
    if (header > room) return std::nullopt;
    size_t body = BodySize(p);
    if (body == 0 || body > room) return std::nullopt;
    size_t backlen = BacklenBytes(body);
    if (body + backlen > room) return std::nullopt;
    // The backlen must read back as the body's size.
    uint8_t expected[5];
    WriteBacklen(expected, body);
    if (std::memcmp(expected, p + body, backlen) != 0) return std::nullopt;
    pos += body + backlen;
    ++count;
  }
  uint16_t header_count = static_cast<uint16_t>(bytes[4] | bytes[5] << 8);
  if (header_count != kUnknownCount && header_count != count) return std::nullopt;
  uint8_t* copy = Allocate(bytes.size());
  std::memcpy(copy, bytes.data(), bytes.size());
  return Listpack(copy);
}

}  // namespace magnetar::engine
