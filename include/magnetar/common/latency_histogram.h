// A latency histogram laid out as Redis 7.0's per-command histograms (an HdrHistogram of 1 ns to
// 1 s with 2 significant digits), so LATENCY HISTOGRAM and INFO latencystats print the same
// buckets and percentiles from the same samples. Log-linear: values below 256 ns have their own
// bucket, each further power of two is split in 128 equal buckets. Recording is a count-leading-
// zeros, a shift and an increment into a fixed array: nothing is allocated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace magnetar {

class LatencyHistogram {
 public:
  static constexpr int64_t kLowestNs = 1;
  static constexpr int64_t kHighestNs = 1'000'000'000;

  // Records one sample; values outside [kLowestNs, kHighestNs] count as the nearest bound.
  void Record(int64_t ns) {
    if (ns < kLowestNs) ns = kLowestNs;
    if (ns > kHighestNs) ns = kHighestNs;
    ++counts_[CountsIndex(ns)];
    ++total_;
  }

  uint64_t total() const { return total_; }

  // The value (ns) at or below which `percentile` percent of the samples lie, as
  // hdr_value_at_percentile reports it: the highest value of the sample's bucket (the lowest for
  // percentile 0); 0 without samples.
  int64_t ValueAtPercentile(double percentile) const;

  // LATENCY HISTOGRAM's cumulative distribution: for every power-of-two bucket from 1024 ns up
  // whose cumulative count grew, the bucket's reported bound in microseconds and the number of
  // samples up to it, as Redis walks hdr's logarithmic iterator.
  std::vector<std::pair<int64_t, uint64_t>> CumulativeBuckets() const;

  // For each bound (ns, ascending), the samples whose bucket lies wholly at or below it: a
  // Prometheus histogram's cumulative buckets, exact to the histogram's 1% resolution.
  std::vector<uint64_t> CountsAtOrBelow(std::span<const int64_t> bounds_ns) const;

 private:
  // HdrHistogram's layout for 2 significant digits: 256 sub-buckets, of which each further
  // bucket (a power of two) uses the upper half, 23 buckets to reach kHighestNs.
  static constexpr int kSubBucketHalfCountMagnitude = 7;
  static constexpr int64_t kSubBucketHalfCount = 1 << kSubBucketHalfCountMagnitude;
  static constexpr int64_t kSubBucketMask = 2 * kSubBucketHalfCount - 1;
  static constexpr int kBucketCount = 23;
  static constexpr size_t kCountsLen = (kBucketCount + 1) * kSubBucketHalfCount;

  static int BucketIndex(int64_t value) {
    return 64 - __builtin_clzll(static_cast<uint64_t>(value | kSubBucketMask)) -
           (kSubBucketHalfCountMagnitude + 1);
  }
  static size_t CountsIndex(int64_t value) {
    const int bucket = BucketIndex(value);
    const int64_t sub_bucket = value >> bucket;
    return static_cast<size_t>(((bucket + 1) << kSubBucketHalfCountMagnitude) + sub_bucket -
                               kSubBucketHalfCount);
  }
  static int64_t ValueAtIndex(size_t index);
  static int64_t LowestEquivalent(int64_t value);
  static int64_t HighestEquivalent(int64_t value);

  std::array<uint64_t, kCountsLen> counts_ = {};
  uint64_t total_ = 0;
};

}  // namespace magnetar
