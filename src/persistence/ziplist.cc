// The ziplist layout (Redis's ziplist.c documents it):
//
//   <zlbytes u32 LE> <zltail u32 LE: offset of the last entry> <zllen u16 LE, 65535 = unknown>
//   <entry>... <0xFF>
//
// An entry is <prevlen> <encoding> <data>. prevlen is the previous entry's size: one byte below
// 254, else 0xFE and a u32 LE. The encoding byte's top bits say what follows: 00 a string of up
// to 63 bytes, 01 (+1 byte, big end first) up to 16383, 10 (+4 bytes big end first) longer; 11
// an integer: 0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE int8 (little endian), 0xF1 to
// 0xFD the values 0 to 12 in the byte itself.
#include <cstring>

#include "legacy_encodings.h"

namespace magnetar::persistence {
namespace {

constexpr size_t kZiplistHeader = 10;
constexpr uint8_t kZiplistEnd = 0xFF;
constexpr uint16_t kUnknownCount = 0xFFFF;

uint32_t LoadLe32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// Sign-extends the `bytes`-byte little-endian integer at `p`.
int64_t LoadSignedLe(const uint8_t* p, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value |= static_cast<uint64_t>(p[i]) << (8 * i);
  unsigned shift = 64 - 8 * static_cast<unsigned>(bytes);
  return static_cast<int64_t>(value << shift) >> shift;
}

}  // namespace

std::optional<engine::Listpack> ZiplistToListpack(std::span<const uint8_t> bytes) {
  if (bytes.size() < kZiplistHeader + 1 || LoadLe32(bytes.data()) != bytes.size() ||
      bytes.back() != kZiplistEnd) {
    return std::nullopt;
  }
  const uint32_t tail = LoadLe32(bytes.data() + 4);
  const uint16_t header_count = static_cast<uint16_t>(bytes[8] | bytes[9] << 8);
  const size_t end = bytes.size() - 1;  // the terminator's offset
  engine::Listpack out;
  size_t pos = kZiplistHeader;
  size_t previous_size = 0;
  size_t last_entry = kZiplistHeader;
  size_t count = 0;
  while (pos < end) {
    const size_t start = pos;
    const uint8_t* p = bytes.data();
    // prevlen
    size_t prevlen;
    if (p[pos] < 0xFE) {
      prevlen = p[pos];
      pos += 1;
    } else if (p[pos] == 0xFE) {
      if (end - pos < 5) return std::nullopt;
      prevlen = LoadLe32(p + pos + 1);
      pos += 5;
    } else {
      return std::nullopt;  // 0xFF only terminates the list
    }
    if (prevlen != previous_size || pos >= end) return std::nullopt;
    // encoding and data
    const uint8_t encoding = p[pos];
    size_t room = end - pos;
    if ((encoding >> 6) != 3) {
      size_t header;
      size_t length;
      if ((encoding >> 6) == 0) {
        header = 1;
        length = encoding & 0x3F;
      } else if ((encoding >> 6) == 1) {
        if (room < 2) return std::nullopt;
        header = 2;
        length = static_cast<size_t>(encoding & 0x3F) << 8 | p[pos + 1];
      } else {
        if (encoding != 0x80 || room < 5) return std::nullopt;
        header = 5;
        length = static_cast<size_t>(p[pos + 1]) << 24 | static_cast<size_t>(p[pos + 2]) << 16 |
                 static_cast<size_t>(p[pos + 3]) << 8 | p[pos + 4];
      }
      if (length > room - header) return std::nullopt;
      out.Append(std::string_view(reinterpret_cast<const char*>(p + pos + header), length));
      pos += header + length;
    } else {
      size_t data;
      switch (encoding) {
        case 0xC0:
          data = 2;
          break;
        case 0xD0:
          data = 4;
          break;
        case 0xE0:
          data = 8;
          break;
        case 0xF0:
          data = 3;
          break;
        case 0xFE:
          data = 1;
          break;
        default:
          if (encoding < 0xF1 || encoding > 0xFD) return std::nullopt;
          data = 0;
      }
      if (data + 1 > room) return std::nullopt;
      int64_t value = data == 0 ? (encoding & 0x0F) - 1 : LoadSignedLe(p + pos + 1, data);
      out.Append(value);
      pos += 1 + data;
    }
    previous_size = pos - start;
    last_entry = start;
    ++count;
  }
  if (tail != last_entry) return std::nullopt;
  if (header_count != kUnknownCount && header_count != count) return std::nullopt;
  return out;
}

}  // namespace magnetar::persistence
