// The latency monitor's series, and the GRAPH and DOCTOR texts built from them. The graph's
// expected texts are what Redis 7.0.15's sparkline code draws for the same samples (the first
// as LATENCY GRAPH printed it).
#include "magnetar/server/latency_monitor.h"

#include <gtest/gtest.h>

namespace magnetar::server {
namespace {

TEST(LatencyMonitorTest, KeepsTheWorstLatencyOfEachSecond) {
  LatencyMonitor monitor;
  monitor.Add("command", 5, 1000);
  monitor.Add("command", 9, 1000);
  monitor.Add("command", 7, 1000);
  monitor.Add("command", 3, 1001);
  const LatencyMonitor::Series* series = monitor.Find("command");
  ASSERT_NE(series, nullptr);
  auto history = series->History();
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].unix_seconds, 1000);
  EXPECT_EQ(history[0].latency_ms, 9u);
  EXPECT_EQ(history[1].latency_ms, 3u);
  EXPECT_EQ(series->latest().latency_ms, 3u);
  EXPECT_EQ(series->max_ms, 9u);
}

TEST(LatencyMonitorTest, KeepsTheLast160SecondsOldestFirst) {
  LatencyMonitor monitor;
  for (int64_t second = 1; second <= 200; ++second) {
    monitor.Add("fast-command", static_cast<uint64_t>(second), second);
  }
  auto history = monitor.Find("fast-command")->History();
  ASSERT_EQ(history.size(), LatencyMonitor::kSamples);
  EXPECT_EQ(history.front().unix_seconds, 41);
  EXPECT_EQ(history.back().unix_seconds, 200);
  EXPECT_EQ(monitor.Find("fast-command")->max_ms, 200u);
}

TEST(LatencyMonitorTest, FindIsExactResetIgnoresCase) {
  LatencyMonitor monitor;
  monitor.Add("command", 1, 10);
  monitor.Add("expire-cycle", 1, 10);
  EXPECT_EQ(monitor.Find("COMMAND"), nullptr);
  EXPECT_EQ(monitor.Reset("COMMAND"), 1u);
  EXPECT_EQ(monitor.Reset("command"), 0u);
  ASSERT_EQ(monitor.series().size(), 1u);
  EXPECT_EQ(monitor.ResetAll(), 1u);
  EXPECT_TRUE(monitor.series().empty());
}

TEST(LatencyMonitorTest, AddsASampleOnlyWhenEnabledAndReached) {
  LatencyMonitor monitor;
  ManualClock clock;
  AddLatencySampleIfNeeded(monitor, 0, "command", 100, clock);
  AddLatencySampleIfNeeded(monitor, 10, "command", 9, clock);
  EXPECT_TRUE(monitor.series().empty());
  AddLatencySampleIfNeeded(monitor, 10, "command", 10, clock);
  EXPECT_EQ(monitor.series().size(), 1u);
}

TEST(LatencyGraphTest, DrawsOneSampleAsRedisDoes) {
  LatencyMonitor monitor;
  monitor.Add("command", 10, 5000);
  EXPECT_EQ(LatencyGraph(*monitor.Find("command"), 5000),
            "command - high 10 ms, low 10 ms (all time high 10 ms)\n" + std::string(80, '-') +
                "\n \n \n \n_\n \n0\ns\n");
}

TEST(LatencyGraphTest, ScalesBarsBetweenTheLowestAndHighestSample) {
  LatencyMonitor monitor;
  monitor.Add("command", 1, 100);
  monitor.Add("command", 12, 130);
  monitor.Add("command", 6, 4000);
  EXPECT_EQ(LatencyGraph(*monitor.Find("command"), 4000),
            "command - high 12 ms, low 1 ms (all time high 12 ms)\n" + std::string(80, '-') +
                "\n # \n | \n |#\n_||\n   \n110\nhhs\n");
}

TEST(LatencyDoctorTest, SaysWhenMonitoringIsDisabledOrQuiet) {
  LatencyMonitor monitor;
  LatencyReportContext context{
      .threshold_ms = 0, .slowlog_log_slower_than_us = 10000, .hz = 10, .now_unix_seconds = 10};
  EXPECT_NE(LatencyDoctorReport(monitor, context).find("Latency monitoring is disabled"),
            std::string::npos);
  context.threshold_ms = 5;
  EXPECT_NE(LatencyDoctorReport(monitor, context).find("no latency spike was observed"),
            std::string::npos);
}

TEST(LatencyDoctorTest, DescribesEachEventWithAdvice) {
  LatencyMonitor monitor;
  monitor.Add("command", 10, 100);
  monitor.Add("command", 20, 102);
  LatencyReportContext context{
      .threshold_ms = 5, .slowlog_log_slower_than_us = -1, .hz = 10, .now_unix_seconds = 104};
  std::string report = LatencyDoctorReport(monitor, context);
  EXPECT_NE(report.find("1. command: 2 latency spikes (average 15ms, mean deviation 5ms, period "
                        "2.00 sec). Worst all time event 20ms.\n"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("slowlog-log-slower-than 5000"), std::string::npos) << report;
}

}  // namespace
}  // namespace magnetar::server
