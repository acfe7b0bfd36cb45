// MEMORY DOCTOR's rules on made-up figures: each problem is named when its figures pass Redis's
// limits and only then. The differential script (tests/diff/scripts/memory.redis) compares the
// reply of a nearly empty server with Redis's; the other reports need hundreds of MB to provoke.
#include <gtest/gtest.h>

#include <string>

#include "server/memory_breakdown.h"

namespace magnetar::server {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

// 100 MB in use, with allocator and process figures that raise no concern.
MemoryBreakdown Healthy() {
  MemoryBreakdown memory;
  memory.used = memory.peak = 100 * kMiB;
  memory.startup = kMiB;
  memory.allocator = {.allocated = 100 * kMiB, .active = 102 * kMiB, .resident = 104 * kMiB};
  memory.rss = 106 * kMiB;
  memory.normal_client_count = 1;
  memory.clients_normal = 20 * 1024;
  return memory;
}

size_t Count(const std::string& text, std::string_view what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

TEST(MemoryDoctorTest, DeclinesBelowFiveMegabytes) {
  MemoryBreakdown memory = Healthy();
  memory.used = 5 * kMiB - 1;
  memory.peak = 50 * kMiB;  // a peak would be reported, but nothing is examined
  EXPECT_TRUE(MemoryDoctorReport(memory, "jemalloc-5.3.0")
                  .starts_with("Hi Sam, this instance is empty or is using very little memory"));
}

TEST(MemoryDoctorTest, HealthyFiguresRaiseNothing) {
  EXPECT_EQ(MemoryDoctorReport(Healthy(), "jemalloc-5.3.0"),
            "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
            "occurs on this base.\n");
}

TEST(MemoryDoctorTest, NamesEachProblemOnce) {
  MemoryBreakdown memory = Healthy();
  memory.peak = 151 * kMiB;                // more than 150% of used
  memory.rss = 200 * kMiB;                 // RSS 2x used, and 100 MB more
  memory.allocator.active = 120 * kMiB;    // allocator fragmentation 1.2, 20 MB
  memory.allocator.resident = 150 * kMiB;  // allocator RSS 1.25, 30 MB
  memory.replica_count = 2;
  memory.clients_replicas = 11 * kMiB;
  memory.normal_client_count = 4;
  memory.clients_normal = 4 * 201 * 1024;  // 201K a client
  const std::string report = MemoryDoctorReport(memory, "jemalloc-5.3.0");
  EXPECT_TRUE(report.starts_with(
      "Sam, I detected a few issues in this Redis instance memory implants:\n\n * Peak memory:"));
  EXPECT_TRUE(report.ends_with("\n\nI'm here to keep you safe, Sam. I want to help you.\n"));
  EXPECT_EQ(Count(report, "\n * "), 7) << report;
  EXPECT_EQ(Count(report, "High total RSS"), 1);
  EXPECT_EQ(Count(report, "The currently used allocator is \"jemalloc-5.3.0\""), 1);
  EXPECT_EQ(Count(report, "High allocator fragmentation"), 1);
  EXPECT_EQ(Count(report, "High allocator RSS overhead"), 1);
  // Process RSS over the allocator's resident bytes: 200 / 150 = 1.33, 50 MB.
  EXPECT_EQ(Count(report, "High process RSS overhead"), 1);
  EXPECT_EQ(Count(report, "Big replica buffers"), 1);
  EXPECT_EQ(Count(report, "Big client buffers"), 1);
}

TEST(MemoryDoctorTest, AHighRatioOverFewBytesIsNoProblem) {
  MemoryBreakdown memory = Healthy();
  memory.used = memory.peak = memory.allocator.allocated = 6 * kMiB;
  memory.allocator.active = memory.allocator.resident = 9 * kMiB;  // 1.5, but 3 MB
  memory.rss = 15 * kMiB;                                          // 2.5x used, but 9 MB more
  memory.clients_normal = 199 * 1024;
  EXPECT_TRUE(MemoryDoctorReport(memory, "libc").starts_with("Hi Sam, I can't find any"));
}

TEST(MemoryDoctorTest, DerivedFiguresFollowRedis) {
  MemoryBreakdown memory = Healthy();
  memory.keys = 1000;
  memory.dataset = 49 * kMiB + kMiB / 2;
  EXPECT_EQ(memory.BytesPerKey(), 99 * kMiB / 1000);  // (used - startup) / keys
  EXPECT_FLOAT_EQ(memory.DatasetPercentage(), 50.0f);
  memory.peak = 200 * kMiB;
  EXPECT_FLOAT_EQ(memory.PeakPercentage(), 50.0f);
  EXPECT_FLOAT_EQ(memory.Fragmentation(), 1.06f);
  EXPECT_EQ(memory.FragmentationBytes(), static_cast<int64_t>(6 * kMiB));
  memory.keys = 0;
  memory.used = memory.startup / 2;  // below the startup figure: Redis divides by 1
  EXPECT_EQ(memory.BytesPerKey(), 0u);
}

}  // namespace
}  // namespace magnetar::server
