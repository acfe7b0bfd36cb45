#include "magnetar/engine/intset.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include "magnetar/common/resize_block.h"

namespace magnetar::engine::intset {
namespace {

uint32_t LoadU32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

void StoreU32(uint8_t* p, uint32_t value) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(value >> (8 * i));
}

// The element at `p`, `width` bytes little-endian, sign-extended.
int64_t LoadElement(const uint8_t* p, uint32_t width) {
  uint64_t raw = 0;
  for (uint32_t i = 0; i < width; ++i) raw |= uint64_t{p[i]} << (8 * i);
  unsigned shift = 64 - 8 * width;
  return static_cast<int64_t>(raw << shift) >> shift;
}

void StoreElement(uint8_t* p, uint32_t width, int64_t value) {
  auto raw = static_cast<uint64_t>(value);
  for (uint32_t i = 0; i < width; ++i) p[i] = static_cast<uint8_t>(raw >> (8 * i));
}

uint32_t WidthFor(int64_t value) {
  if (value >= std::numeric_limits<int16_t>::min() && value <= std::numeric_limits<int16_t>::max())
    return 2;
  if (value >= std::numeric_limits<int32_t>::min() && value <= std::numeric_limits<int32_t>::max())
    return 4;
  return 8;
}

uint8_t* Contents(uint8_t* blob) { return blob + kHeaderBytes; }
const uint8_t* Contents(const uint8_t* blob) { return blob + kHeaderBytes; }

uint8_t* Allocate(size_t bytes) {
  auto* blob = static_cast<uint8_t*>(std::malloc(bytes));
  if (blob == nullptr) throw std::bad_alloc();
  return blob;
}

// Makes room for `elements` of `width` bytes in a blob that now holds `old_elements` of
// `old_width`.
uint8_t* Resize(uint8_t* blob, size_t old_elements, uint32_t old_width, size_t elements,
                uint32_t width) {
  return static_cast<uint8_t*>(
      ResizeBlock(blob, kHeaderBytes + old_elements * old_width, kHeaderBytes + elements * width));
}

// Binary search: the index of `value`, or of where it would go, and whether it is there.
bool Search(const uint8_t* blob, int64_t value, size_t* index) {
  size_t low = 0;
  size_t high = Size(blob);
  uint32_t width = Width(blob);
  const uint8_t* contents = Contents(blob);
  while (low < high) {
    size_t mid = low + (high - low) / 2;
    int64_t at = LoadElement(contents + mid * width, width);
    if (at == value) {
      *index = mid;
      return true;
    }
    if (at < value) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  *index = low;
  return false;
}

// Rewrites every element at `width` (wider than the current one) with room for one more, which
// goes first when negative and last when positive: a value that needs a wider encoding lies
// outside the range of every element already there.
void Upgrade(uint8_t*& blob, uint32_t width, int64_t value) {
  uint32_t old_width = Width(blob);
  size_t size = Size(blob);
  blob = Resize(blob, size, old_width, size + 1, width);
  bool first = value < 0;
  // Back to front, so no element is overwritten before it is read.
  for (size_t i = size; i-- > 0;) {
    int64_t element = LoadElement(Contents(blob) + i * old_width, old_width);
    StoreElement(Contents(blob) + (i + (first ? 1 : 0)) * width, width, element);
  }
  StoreElement(Contents(blob) + (first ? 0 : size) * width, width, value);
  StoreU32(blob, width);
  StoreU32(blob + 4, static_cast<uint32_t>(size + 1));
}

}  // namespace

uint8_t* New() {
  uint8_t* blob = Allocate(kHeaderBytes);
  StoreU32(blob, 2);
  StoreU32(blob + 4, 0);
  return blob;
}

uint8_t* FromBytes(std::span<const uint8_t> bytes) {
  uint8_t* blob = Allocate(bytes.size());
  std::memcpy(blob, bytes.data(), bytes.size());
  return blob;
}

void Free(uint8_t* blob) { std::free(blob); }

bool IsValid(std::span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderBytes) return false;
  uint32_t width = LoadU32(bytes.data());
  if (width != 2 && width != 4 && width != 8) return false;
  uint64_t length = LoadU32(bytes.data() + 4);
  if (bytes.size() != kHeaderBytes + length * width) return false;
  for (uint64_t i = 1; i < length; ++i) {
    const uint8_t* p = bytes.data() + kHeaderBytes + i * width;
    if (LoadElement(p - width, width) >= LoadElement(p, width)) return false;
  }
  return true;
}

uint32_t Width(const uint8_t* blob) { return LoadU32(blob); }

size_t Size(const uint8_t* blob) { return LoadU32(blob + 4); }

std::span<const uint8_t> Bytes(const uint8_t* blob) {
  return {blob, kHeaderBytes + Size(blob) * Width(blob)};
}

int64_t At(const uint8_t* blob, size_t index) {
  uint32_t width = Width(blob);
  return LoadElement(Contents(blob) + index * width, width);
}

bool Contains(const uint8_t* blob, int64_t value) {
  size_t index;
  return WidthFor(value) <= Width(blob) && Search(blob, value, &index);
}

bool Insert(uint8_t*& blob, int64_t value) {
  uint32_t width = WidthFor(value);
  if (width > Width(blob)) {
    Upgrade(blob, width, value);
    return true;
  }
  size_t index;
  if (Search(blob, value, &index)) return false;
  size_t size = Size(blob);
  width = Width(blob);
  blob = Resize(blob, size, width, size + 1, width);
  uint8_t* at = Contents(blob) + index * width;
  std::memmove(at + width, at, (size - index) * width);
  StoreElement(at, width, value);
  StoreU32(blob + 4, static_cast<uint32_t>(size + 1));
  return true;
}

bool Erase(uint8_t*& blob, int64_t value) {
  size_t index;
  if (WidthFor(value) > Width(blob) || !Search(blob, value, &index)) return false;
  size_t size = Size(blob);
  uint32_t width = Width(blob);
  uint8_t* at = Contents(blob) + index * width;
  std::memmove(at, at + width, (size - index - 1) * width);
  StoreU32(blob + 4, static_cast<uint32_t>(size - 1));
  blob = Resize(blob, size, width, size - 1, width);
  return true;
}

}  // namespace magnetar::engine::intset
