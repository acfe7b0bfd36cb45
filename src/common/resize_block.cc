#include "magnetar/common/resize_block.h"

#include <cstdlib>
#include <new>

#if defined(MAGNETAR_WITH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif

namespace magnetar {

void* ResizeBlock(void* block, size_t old_bytes, size_t new_bytes) {
#if defined(MAGNETAR_WITH_JEMALLOC)
  // Both sizes in one class, found with one size computation: growing, the new size is within
  // the old one's class; shrinking, the old size is within the new one's.
  if (new_bytes >= old_bytes ? new_bytes <= nallocx(old_bytes, 0)
                             : nallocx(new_bytes, 0) >= old_bytes) {
    return block;
  }
#endif
  void* moved = std::realloc(block, new_bytes);
  if (moved != nullptr) return moved;
  if (new_bytes > old_bytes) throw std::bad_alloc();
  return block;
}

size_t BlockClassBytes(size_t bytes) {
#if defined(MAGNETAR_WITH_JEMALLOC)
  return nallocx(bytes, 0);
#else
  return bytes;
#endif
}

}  // namespace magnetar
