// A listpack: a sequence of strings and integers packed in one contiguous block, byte for byte in
// the format Redis documents (listpack.md), so that an RDB file or a DUMP payload can carry it as
// it is and a small list, hash or set costs what it costs in Redis.
//
//   <total bytes: u32 LE> <element count: u16 LE, 65535 = "count it"> <entry>... <0xFF>
//
// Each entry is <encoding+data> <backlen>. The encoding byte says what follows:
//
//   0xxxxxxx                     integer 0..127 in the byte itself
//   10xxxxxx + bytes             string of up to 63 bytes
//   110xxxxx yyyyyyyy            13-bit signed integer (-4096..4095), big end first
//   1110xxxx yyyyyyyy + bytes    string of up to 4095 bytes
//   11110000 + u32 LE + bytes    string of up to 2^32-1 bytes
//   11110001/2/3/4 + LE bytes    16, 24, 32 and 64-bit signed integers
//
// The backlen is the size of <encoding+data>, written in 1 to 5 bytes so that it can be read from
// its last byte backwards: the last byte holds the low 7 bits, and a set top bit says one more
// byte sits to its left with the next 7. Walking backwards therefore needs no index. Redis moves
// to a longer backlen one value early (16383, 2097151 and 268435455 take 3, 4 and 5 bytes though
// they would fit in one fewer); so does this codec, or such entries would differ by a byte.
//
// A string that is a canonical int64 ("123", not "0123" or "+1") is stored as an integer, as
// Redis does: it is smaller, and reading it back as text gives the same bytes.
//
// Why one block: a small collection is read far more often than it is changed, and a scan of a
// few hundred bytes in one or two cache lines beats any pointer structure; changes cost a
// memmove of the tail, which is cheap below the few-KB sizes the encoding thresholds allow.
//
// Except at the head of a big one. A list's head node (8 KB by default) takes every LPUSH and
// gives every LPOP, and shifting all its bytes for each was a tenth of what a pipelined LPUSH
// cost the server. So Prepend and DeleteHead, once a listpack is 1 KB or more, keep room before
// its header: an insert steps the header back and writes the entry in between, a delete steps it
// forward. The bytes from the header on are still exactly the format above; only the block they
// live in starts earlier. The room is made a size class at a time (a quarter of the listpack or
// more), and given back when deletes make it bigger than the listpack, by any other delete, or by
// DropFrontRoom(). Only those two calls move the header off the block's start, whose address
// malloc aligns: HashValue and ZSetValue, which never call them, tell a listpack from a table
// pointer by that alignment.
//
// Positions are byte offsets of entries into the block; they stay valid until the next change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "magnetar/common/numbers.h"

namespace magnetar::engine {

// One element as read: an integer, or a string pointing into the listpack.
struct ListpackElement {
  bool is_integer = false;
  int64_t integer = 0;
  std::string_view string;

  // The element's text: the string itself, or the integer's digits written into `buffer`.
  std::string_view Text(char (&buffer)[kMaxInt64Chars]) const {
    if (!is_integer) return string;
    return {buffer, FormatInt64(integer, buffer)};
  }
  std::string ToString() const {
    char buffer[kMaxInt64Chars];
    return std::string(Text(buffer));
  }
  // Whether the element is `text` (byte for byte, as the text it would print).
  bool Equals(std::string_view text) const;
};

class Listpack {
 public:
  using Pos = uint32_t;
  static constexpr Pos kNone = UINT32_MAX;
  static constexpr size_t kHeaderBytes = 6;
  static constexpr uint8_t kEnd = 0xFF;
  // Bits of an address: the top 16 of the word that holds one tell the room before the header.
  static constexpr int kAddressBits = 48;

  Listpack();
  ~Listpack();
  Listpack(Listpack&& other) noexcept;
  Listpack& operator=(Listpack&& other) noexcept;
  Listpack(const Listpack&) = delete;
  Listpack& operator=(const Listpack&) = delete;

  Listpack Clone() const;
  // Adopts a serialized listpack (RDB, DUMP). Returns nothing when the bytes are not a well-formed
  // listpack (every entry and backlen checked).
  static std::optional<Listpack> FromBytes(std::span<const uint8_t> bytes);

  // The serialized form, TotalBytes() long.
  std::span<const uint8_t> bytes() const { return {data(), TotalBytes()}; }
  size_t TotalBytes() const;
  // Bytes the allocator gave the block (the room before the header included).
  size_t AllocatedBytes() const;
  // Gives back the room kept before the header for head inserts (the list does when its head
  // node is full and a new node takes the pushes).
  void DropFrontRoom();
  // Number of elements (walks the entries when the header says 65535 or more).
  size_t Size() const;
  bool Empty() const { return data()[kHeaderBytes] == kEnd; }

  // Navigation: kNone past either end.
  Pos First() const { return Empty() ? kNone : static_cast<Pos>(kHeaderBytes); }
  Pos Last() const;
  Pos Next(Pos pos) const;
  Pos Prev(Pos pos) const;
  // The element at `index` (negative counts from the end, -1 the last), or kNone.
  Pos Seek(int64_t index) const;

  ListpackElement Get(Pos pos) const;

  // Changes. Strings that are canonical integers are stored as integers. Each returns the
  // position of the element written.
  Pos Append(std::string_view value) { return InsertAt(EndPos(), value); }
  Pos Append(int64_t value) { return InsertAt(EndPos(), value); }
  // Inserts at the head, with room kept before the header once the listpack is 1 KB or more
  // (above): a list's pushes at its head node.
  Pos Prepend(std::string_view value);
  // Inserts before the element at `pos` (or at the end when `pos` is the terminator's offset,
  // EndPos()).
  Pos InsertAt(Pos pos, std::string_view value);
  Pos InsertAt(Pos pos, int64_t value);
  Pos InsertAfter(Pos pos, std::string_view value) { return InsertAt(SkipEntry(pos), value); }
  Pos Replace(Pos pos, std::string_view value);
  Pos Replace(Pos pos, int64_t value);
  // Removes `count` elements from `pos` on (fewer if the list ends first). Returns the position
  // of the element after them, or kNone when none follows.
  Pos Delete(Pos pos, size_t count = 1);
  // Delete(First(), count), with the room it leaves kept before the header, as Prepend keeps it:
  // a list's pops at its head node.
  Pos DeleteHead(size_t count = 1);

  // Moves `other`'s elements to the end of this listpack (the quicklist's node merge: one copy
  // of the entries, no re-encoding).
  void AppendAll(const Listpack& other);
  // Cuts the elements from `pos` on out into a listpack of their own, which it returns; this one
  // keeps those before `pos` (the quicklist's node split).
  Listpack SplitAt(Pos pos);
  // Bytes the entry at `pos` takes (encoding, data and backlen).
  size_t EntryBytesAt(Pos pos) const { return SkipEntry(pos) - pos; }

  // The terminator's offset: where Append writes.
  Pos EndPos() const { return static_cast<Pos>(TotalBytes() - 1); }

  // Finds `text` among the elements from `pos` on, looking at one in every `skip` + 1 (skip 1
  // visits fields of field/value pairs). kNone when absent.
  Pos Find(Pos pos, std::string_view text, size_t skip = 0) const;

  // Bytes an element would take in a listpack (encoding, data and backlen).
  static size_t EntryBytes(std::string_view value);
  static size_t EntryBytes(int64_t value);

 private:
  // Takes a malloc'ed, well-formed block.
  explicit Listpack(uint8_t* adopted) { Place(adopted, 0); }

  // The header's address, and the room before it in the block.
  uint8_t* data() const { return reinterpret_cast<uint8_t*>(word_ & kAddressMask); }
  size_t front_room() const { return word_ >> kAddressBits; }
  uint8_t* block() const { return data() - front_room(); }
  void Place(uint8_t* header, size_t front_room) {
    word_ = reinterpret_cast<uintptr_t>(header) | uintptr_t{front_room} << kAddressBits;
  }
  // Makes at least `bytes` of room before the header of this listpack of `total` bytes; false
  // when that is more than the room can be.
  bool MakeFrontRoom(size_t total, size_t bytes);
  // Moves the 6-byte header `by` bytes within its block (back into the room before it when
  // negative); the entries stay where they are.
  void MoveHeader(std::ptrdiff_t by);

  // The encoded form of an entry (encoding + data, no backlen), built in a small buffer for
  // integers and string headers; the string's bytes follow separately.
  struct Encoded {
    uint8_t head[9];
    uint8_t head_size = 0;
    std::string_view payload;
    size_t body_size() const { return head_size + payload.size(); }
  };
  static Encoded EncodeString(std::string_view value);
  static Encoded EncodeInteger(int64_t value);
  static Encoded Encode(std::string_view value);
  static size_t BacklenBytes(size_t body);
  static void WriteBacklen(uint8_t* p, size_t body);
  // Writes `entry` and its backlen at `at`.
  static void WriteEntry(uint8_t* at, const Encoded& entry);

  // Size of the entry's encoding+data at `p`.
  static size_t BodySize(const uint8_t* p);
  Pos SkipEntry(Pos pos) const;
  // The position `count` entries on from `pos` (the terminator's when fewer follow); `skipped`
  // says how many it passed.
  Pos SkipEntries(Pos pos, size_t count, size_t& skipped) const;
  Pos Splice(Pos pos, size_t remove_bytes, const Encoded& insert);
  void SetTotal(size_t total);
  // Makes the block hold `new_total` bytes instead of `old_total` (ResizeBlock).
  void Resize(size_t old_total, size_t new_total);
  void AddCount(int64_t delta);

  static constexpr uintptr_t kAddressMask = (uintptr_t{1} << kAddressBits) - 1;
  static_assert(sizeof(uintptr_t) == 8, "the address and the room share a 64-bit word");

  // The header's address in the low 48 bits (the most user-space addresses take on x86-64 and
  // AArch64 Linux: malloc's are checked), the room before it in the top 16. One word, so that a
  // small hash's object stays one tagged word (hash_value.h).
  uintptr_t word_ = 0;
};

}  // namespace magnetar::engine
