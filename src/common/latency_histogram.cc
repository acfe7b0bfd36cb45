#include "magnetar/common/latency_histogram.h"

#include <algorithm>

namespace magnetar {

int64_t LatencyHistogram::ValueAtIndex(size_t index) {
  int bucket = static_cast<int>(index >> kSubBucketHalfCountMagnitude) - 1;
  int64_t sub_bucket =
      static_cast<int64_t>(index & (kSubBucketHalfCount - 1)) + kSubBucketHalfCount;
  if (bucket < 0) {
    sub_bucket -= kSubBucketHalfCount;
    bucket = 0;
  }
  return sub_bucket << bucket;
}

int64_t LatencyHistogram::LowestEquivalent(int64_t value) {
  const int bucket = BucketIndex(value);
  return (value >> bucket) << bucket;
}

int64_t LatencyHistogram::HighestEquivalent(int64_t value) {
  const int bucket = BucketIndex(value);
  const int64_t sub_bucket = value >> bucket;
  // The top sub-bucket of a bucket is as wide as the next bucket's (hdr's adjusted bucket).
  const int width_bucket = sub_bucket >= 2 * kSubBucketHalfCount ? bucket + 1 : bucket;
  return (sub_bucket << bucket) + (int64_t{1} << width_bucket) - 1;
}

int64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  const double requested = std::min(percentile, 100.0);
  auto wanted = static_cast<uint64_t>(requested / 100 * static_cast<double>(total_) + 0.5);
  wanted = std::max<uint64_t>(wanted, 1);
  uint64_t seen = 0;
  for (size_t i = 0; i < kCountsLen; ++i) {
    seen += counts_[i];
    if (seen >= wanted) {
      const int64_t value = ValueAtIndex(i);
      return percentile == 0.0 ? LowestEquivalent(value) : HighestEquivalent(value);
    }
  }
  return 0;
}

// hdr_iter_log_init(1024, 2) walked as Redis's fillCommandCDF walks it: a level is reported at
// the first index whose value reaches it, with the samples of that index included (at the end
// of the array, at the last index), and only when the cumulative count grew since the previous
// level.
std::vector<std::pair<int64_t, uint64_t>> LatencyHistogram::CumulativeBuckets() const {
  std::vector<std::pair<int64_t, uint64_t>> out;
  int64_t level = 1024;
  int64_t level_lowest = LowestEquivalent(level);
  int64_t index = -1;
  int64_t value = 0;
  uint64_t cumulative = 0;
  uint64_t reported = 0;
  auto peek_next = [&] {
    return static_cast<size_t>(index + 1) < kCountsLen ? ValueAtIndex(index + 1) : 0;
  };
  while (cumulative < total_ || peek_next() > level_lowest) {
    // Past the last index hdr reports the level anyway, with the last index's bound.
    while (value < level_lowest && static_cast<size_t>(index + 1) < kCountsLen) {
      cumulative += counts_[++index];
      value = ValueAtIndex(index);
    }
    if (value < level_lowest) index = kCountsLen;
    if (cumulative > reported) out.emplace_back(HighestEquivalent(value) / 1000, cumulative);
    reported = cumulative;
    level *= 2;
    level_lowest = LowestEquivalent(level);
  }
  return out;
}

std::vector<uint64_t> LatencyHistogram::CountsAtOrBelow(std::span<const int64_t> bounds_ns) const {
  std::vector<uint64_t> counts;
  counts.reserve(bounds_ns.size());
  uint64_t cumulative = 0;
  size_t index = 0;
  for (int64_t bound : bounds_ns) {
    while (index < kCountsLen && HighestEquivalent(ValueAtIndex(index)) <= bound) {
      cumulative += counts_[index++];
    }
    counts.push_back(cumulative);
  }
  return counts;
}

}  // namespace magnetar
