// The zipmap layout (Redis's zipmap.c documents it), the hash encoding of RDB files written
// before Redis 2.6:
//
//   <zmlen: 1 byte, the pair count when below 254> <len> field <len> <free> value [free bytes]
//   ... <0xFF>
//
// A <len> is one byte below 254, or 254 followed by a u32 (little endian as Redis writes it);
// 255 ends the map. <free> is one byte: unused bytes after the value, skipped.
#include "legacy_encodings.h"

namespace magnetar::persistence {
namespace {

constexpr uint8_t kZipmapBigLength = 254;
constexpr uint8_t kZipmapEnd = 255;

// Reads a <len> at `pos`, advancing it; nothing when it runs past `end` or is the terminator.
std::optional<size_t> ReadLength(std::span<const uint8_t> bytes, size_t& pos) {
  if (pos >= bytes.size()) return std::nullopt;
  uint8_t first = bytes[pos];
  if (first < kZipmapBigLength) {
    pos += 1;
    return first;
  }
  if (first == kZipmapEnd || bytes.size() - pos < 5) return std::nullopt;
  const uint8_t* p = bytes.data() + pos + 1;
  pos += 5;
  return static_cast<size_t>(p[0]) | static_cast<size_t>(p[1]) << 8 |
         static_cast<size_t>(p[2]) << 16 | static_cast<size_t>(p[3]) << 24;
}

}  // namespace

std::optional<engine::Listpack> ZipmapToListpack(std::span<const uint8_t> bytes) {
  if (bytes.size() < 2 || bytes.back() != kZipmapEnd) return std::nullopt;
  const uint8_t header_count = bytes[0];
  engine::Listpack out;
  size_t pos = 1;
  size_t pairs = 0;
  while (bytes[pos] != kZipmapEnd) {
    for (int half = 0; half < 2; ++half) {
      std::optional<size_t> length = ReadLength(bytes, pos);
      if (!length) return std::nullopt;
      size_t free = 0;
      if (half == 1) {
        if (pos >= bytes.size()) return std::nullopt;
        free = bytes[pos++];
      }
      // The bytes, the free space and at least the terminator must fit.
      if (pos >= bytes.size()) return std::nullopt;
      size_t room = bytes.size() - 1 - pos;
      if (*length > room || free > room - *length) return std::nullopt;
      out.Append(std::string_view(reinterpret_cast<const char*>(bytes.data() + pos), *length));
      pos += *length + free;
    }
    ++pairs;
  }
  if (pos != bytes.size() - 1) return std::nullopt;
  if (header_count < kZipmapBigLength && header_count != pairs) return std::nullopt;
  return out;
}

}  // namespace magnetar::persistence
