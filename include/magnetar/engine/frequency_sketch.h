// A count-min sketch of how often keys are accessed, present or not, for the LFU policies: the
// "TinyLFU" idea (Einziger, Friedman, Manes: "TinyLFU: A Highly Efficient Cache Admission
// Policy", 2017). Redis's LFU counter lives in the key, so it is lost when the key is evicted: a
// popular key that was evicted comes back at the initial count and is the first to go again, and
// among the many keys with the same logarithmic counter eviction chooses blindly. The sketch
// remembers accesses of keys that are not stored as well, and tells keys with equal counters
// apart.
//
// Four rows of 4-bit counters (16 per word), indexed by four multiplicative hashes of the key's
// 64-bit hash. An access increments only the row counters equal to the minimum (conservative
// update); the estimate is the minimum. After 10 accesses per counter of a row, every counter is
// halved, so the figures follow recent popularity. Two bytes per counter column: 2 MB for a
// million keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace magnetar::engine {

class FrequencySketch {
 public:
  static constexpr uint32_t kMaxCount = 15;

  // Sizes the sketch for about `keys` keys (at least a minimum), forgetting every count.
  void Resize(size_t keys);
  size_t width() const { return width_; }
  void Record(uint64_t hash);
  uint32_t Estimate(uint64_t hash) const;
  size_t MemoryBytes() const { return words_.capacity() * sizeof(uint64_t); }

 private:
  static constexpr int kRows = 4;
  size_t Index(uint64_t hash, int row) const;
  uint32_t Get(size_t counter) const;
  void Halve();

  std::vector<uint64_t> words_;  // kRows rows of width_ counters
  size_t width_ = 0;             // a power of two
  int shift_ = 64;               // 64 - log2(width_)
  size_t additions_ = 0;
  size_t halve_at_ = 0;
};

}  // namespace magnetar::engine
