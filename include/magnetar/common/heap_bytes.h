// What a string's buffer really takes from the allocator, for memory reports and maxmemory.
#pragma once

#include <malloc.h>

#include <cstddef>
#include <string>

namespace magnetar {

// The usable size of the string's heap block: its allocator size class, which for a buffer grown
// by doubling can be a quarter more than capacity() (jemalloc has four classes per power of two,
// and a capacity of 2^k asks for 2^k + 1 bytes). 0 for a short string kept inside the object.
inline size_t HeapBytes(const std::string& text) {
  static const size_t kInline = std::string().capacity();
  if (text.capacity() <= kInline) return 0;
  return malloc_usable_size(const_cast<char*>(text.data()));
}

}  // namespace magnetar
