#include "magnetar/common/resize_block.h"

#include <cstdlib>
#include <new>

#if defined(MAGNETAR_WITH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif

namespace magnetar {

void* ResizeBlock(void* block, size_t old_bytes, size_t new_bytes) {
#if defined(MAGNETAR_WITH_JEMALLOC)
  if (nallocx(new_bytes, 0) == nallocx(old_bytes, 0)) return block;
#endif
  void* moved = std::realloc(block, new_bytes);
  if (moved != nullptr) return moved;
  if (new_bytes > old_bytes) throw std::bad_alloc();
  return block;
}

}  // namespace magnetar
