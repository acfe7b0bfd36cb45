#include "magnetar/common/resize_block.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdint>
#include <cstdlib>

namespace magnetar {
namespace {

// A block grown and shrunk a few bytes at a time, as a listpack is by pushes and pops, always has
// room for what it holds (whether or not the allocator was asked) and keeps its contents.
TEST(ResizeBlockTest, ABlockResizedByFewBytesAlwaysHoldsItsBytes) {
  size_t size = 16;
  auto* block = static_cast<uint8_t*>(std::malloc(size));
  ASSERT_NE(block, nullptr);
  for (size_t i = 0; i < size; ++i) block[i] = static_cast<uint8_t>(i * 7);
  auto step = [&](size_t next) {
    block = static_cast<uint8_t*>(ResizeBlock(block, size, next));
    ASSERT_GE(malloc_usable_size(block), next) << size << " -> " << next;
    for (size_t i = size; i < next; ++i) block[i] = static_cast<uint8_t>(i * 7);
    for (size_t i = 0; i < next; ++i) {
      ASSERT_EQ(block[i], static_cast<uint8_t>(i * 7))
          << "byte " << i << " after " << size << " -> " << next;
    }
    size = next;
  };
  // Up past several size classes (small and large), then back down, 5 bytes at a time.
  while (size < 40000) step(size + 5);
  while (size > 16) step(size - 5);
  std::free(block);
}

}  // namespace
}  // namespace magnetar
