#include "magnetar/engine/frequency_sketch.h"

#include <algorithm>
#include <bit>

namespace magnetar::engine {
namespace {

constexpr size_t kMinWidth = 1024;
// Odd multipliers, one per row, spreading the hash's bits differently for each.
constexpr uint64_t kSeeds[] = {0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL, 0x165667b19e3779f9ULL,
                               0xd6e8feb86659fd93ULL};
constexpr uint64_t kLowBitsOfNibbles = 0x7777777777777777ULL;

}  // namespace

void FrequencySketch::Resize(size_t keys) {
  width_ = std::bit_ceil(std::max(keys, kMinWidth));
  shift_ = 64 - std::countr_zero(width_);
  words_.assign(kRows * width_ / 16, 0);
  additions_ = 0;
  halve_at_ = 10 * width_;
}

size_t FrequencySketch::Index(uint64_t hash, int row) const {
  return static_cast<size_t>(row) * width_ + static_cast<size_t>((hash * kSeeds[row]) >> shift_);
}

uint32_t FrequencySketch::Get(size_t counter) const {
  return static_cast<uint32_t>(words_[counter / 16] >> (counter % 16 * 4)) & 0xf;
}

uint32_t FrequencySketch::Estimate(uint64_t hash) const {
  if (width_ == 0) return 0;
  uint32_t least = kMaxCount;
  for (int row = 0; row < kRows; ++row) least = std::min(least, Get(Index(hash, row)));
  return least;
}

void FrequencySketch::Record(uint64_t hash) {
  if (width_ == 0) return;
  size_t counters[kRows];
  uint32_t least = kMaxCount;
  for (int row = 0; row < kRows; ++row) {
    counters[row] = Index(hash, row);
    least = std::min(least, Get(counters[row]));
  }
  if (least == kMaxCount) return;
  for (size_t counter : counters) {
    if (Get(counter) == least) words_[counter / 16] += uint64_t{1} << (counter % 16 * 4);
  }
  if (++additions_ >= halve_at_) Halve();
}

void FrequencySketch::Halve() {
  for (uint64_t& word : words_) word = (word >> 1) & kLowBitsOfNibbles;
  additions_ /= 2;
}

}  // namespace magnetar::engine
