// Keyed hashing of key names. Each database draws its own random key, so clients cannot choose
// names that collide on purpose (hash flooding), and the same name lands in unrelated buckets in
// different databases.
#pragma once

#include <cstdint>
#include <string_view>

namespace magnetar::engine {

struct HashKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;

  // A key from the operating system's random source.
  static HashKey Random();
};

// SipHash with `kCompressionRounds` rounds per 8-byte word and `kFinalizationRounds` at the end.
// The tables use 1-3 (the variant Rust's HashMap uses); 2-4 is instantiated so tests can check
// the implementation against the published test vectors.
template <int kCompressionRounds, int kFinalizationRounds>
uint64_t SipHash(const HashKey& key, std::string_view data);

inline uint64_t HashKeyName(const HashKey& key, std::string_view name) {
  return SipHash<1, 3>(key, name);
}

}  // namespace magnetar::engine
