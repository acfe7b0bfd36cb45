// The expected figures are what Redis 7.0.15 printed for the same samples (LATENCY HISTOGRAM and
// INFO latencystats after PINGs of 2 and 3 us, DEBUG SLEEPs and a CONFIG RESETSTAT).
#include "magnetar/common/latency_histogram.h"

#include <gtest/gtest.h>

namespace magnetar {
namespace {

using Buckets = std::vector<std::pair<int64_t, uint64_t>>;

TEST(LatencyHistogramTest, EmptyHasNoBucketsAndZeroPercentiles) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.total(), 0u);
  EXPECT_EQ(histogram.CumulativeBuckets(), Buckets{});
  EXPECT_EQ(histogram.ValueAtPercentile(50), 0);
}

TEST(LatencyHistogramTest, CumulativeBucketsAsRedisReportsThem) {
  LatencyHistogram histogram;
  histogram.Record(2000);
  histogram.Record(2000);
  histogram.Record(3000);
  EXPECT_EQ(histogram.total(), 3u);
  EXPECT_EQ(histogram.CumulativeBuckets(), (Buckets{{2, 2}, {4, 3}}));
}

TEST(LatencyHistogramTest, BucketBoundsGrowByPowersOfTwoWithHdrRounding) {
  LatencyHistogram histogram;
  histogram.Record(774'000);
  EXPECT_EQ(histogram.CumulativeBuckets(), (Buckets{{1056, 1}}));
  LatencyHistogram sleeps;
  sleeps.Record(3'090'000);
  sleeps.Record(20'180'000);
  EXPECT_EQ(sleeps.CumulativeBuckets(), (Buckets{{4227, 1}, {33816, 2}}));
}

TEST(LatencyHistogramTest, PercentilesReportTheBucketBounds) {
  LatencyHistogram histogram;
  histogram.Record(2000);
  histogram.Record(2000);
  histogram.Record(3000);
  EXPECT_EQ(histogram.ValueAtPercentile(0), 2000);  // the lowest value of the bucket
  EXPECT_EQ(histogram.ValueAtPercentile(50), 2007);
  EXPECT_EQ(histogram.ValueAtPercentile(99), 3007);
  EXPECT_EQ(histogram.ValueAtPercentile(100), 3007);
  EXPECT_EQ(histogram.ValueAtPercentile(250), 3007);  // beyond 100 counts as 100
}

TEST(LatencyHistogramTest, SmallValuesAreExactAndOutOfRangeValuesClamp) {
  LatencyHistogram histogram;
  histogram.Record(0);  // counts as 1 ns
  EXPECT_EQ(histogram.ValueAtPercentile(100), 1);
  histogram.Record(255);
  EXPECT_EQ(histogram.ValueAtPercentile(100), 255);
  LatencyHistogram huge;
  huge.Record(int64_t{1} << 40);  // counts as 1 s
  EXPECT_EQ(huge.ValueAtPercentile(0), 998'244'352);
  EXPECT_EQ(huge.ValueAtPercentile(100), 1'002'438'655);
  EXPECT_EQ(huge.CumulativeBuckets(), (Buckets{{1073741, 1}}));
}

// Prometheus's cumulative buckets: a sample counts in a bound's bucket when its whole histogram
// bucket lies at or below the bound, so a sample just above a bound is left out of it, and one
// at the 1 s ceiling (or beyond it) is in no bound's, only in Prometheus's +Inf.
TEST(LatencyHistogramTest, CountsAtOrBelowBounds) {
  LatencyHistogram histogram;
  for (int64_t ns : {5'000, 9'000, 20'000, 1'000'000, 2'000'000'000}) histogram.Record(ns);
  constexpr int64_t kBounds[] = {1'000, 10'000, 25'000, 999'000, 1'000'000'000};
  EXPECT_EQ(histogram.CountsAtOrBelow(kBounds), (std::vector<uint64_t>{0, 2, 3, 3, 4}));
  EXPECT_EQ(LatencyHistogram().CountsAtOrBelow(kBounds), (std::vector<uint64_t>{0, 0, 0, 0, 0}));
}

}  // namespace
}  // namespace magnetar
