// Resizing the malloc'd blocks of compact encodings (listpacks, intsets), which change by a few
// bytes at a time.
#pragma once

#include <cstddef>

namespace magnetar {

// Resizes `block`, which holds `old_bytes`, to hold `new_bytes`, as realloc does; returns where
// it now is. Growing throws std::bad_alloc when there is no memory; a shrink that fails keeps the
// block as it is.
//
// jemalloc hands out blocks in size classes, and realloc within one class keeps the block. Most
// pushes and pops change a listpack by a few bytes, so most resizes stay in their class: they are
// answered here from the size arithmetic, without realloc's lookup of the block in the
// allocator's page map. That is exact because a block is never smaller than the class of the
// bytes it holds.
void* ResizeBlock(void* block, size_t old_bytes, size_t new_bytes);

// The bytes the allocator hands out for a request of `bytes`: its size class under jemalloc, so a
// block can be sized to use all of it; `bytes` itself with another allocator.
size_t BlockClassBytes(size_t bytes);

}  // namespace magnetar
