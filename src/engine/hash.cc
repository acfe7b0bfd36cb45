#include "magnetar/engine/hash.h"

#include <bit>
#include <cstring>
#include <random>

namespace magnetar::engine {
namespace {

struct SipState {
  uint64_t v0, v1, v2, v3;

  void Round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }

  void Absorb(uint64_t word, int rounds) {
    v3 ^= word;
    for (int i = 0; i < rounds; ++i) Round();
    v0 ^= word;
  }
};

uint64_t LoadLittleEndian64(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
  return word;
}

}  // namespace

HashKey HashKey::Random() {
  std::random_device device;
  auto draw = [&device] { return (uint64_t{device()} << 32) | device(); };
  return HashKey{draw(), draw()};
}

uint64_t SipHash(const HashKey& key, std::string_view data, int compression_rounds,
                 int finalization_rounds) {
  SipState s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
             key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
  const char* p = data.data();
  size_t words = data.size() / 8;
  for (size_t i = 0; i < words; ++i, p += 8) s.Absorb(LoadLittleEndian64(p), compression_rounds);
  // The last word carries the length in its top byte and the leftover bytes below it.
  uint64_t last = uint64_t{data.size() & 0xff} << 56;
  for (size_t i = 0; i < data.size() % 8; ++i)
    last |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  s.Absorb(last, compression_rounds);
  s.v2 ^= 0xff;
  for (int i = 0; i < finalization_rounds; ++i) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace magnetar::engine
