// The latency monitor behind LATENCY LATEST, HISTORY, GRAPH, DOCTOR and RESET: for each event
// ("command", "fast-command", "expire-cycle", "eviction-cycle"), the worst latency of each of the
// last 160 seconds in which it reached latency-monitor-threshold milliseconds, and its all-time
// worst. Events appear when first recorded, so a server that never crosses the threshold holds
// nothing.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/common/clock.h"

namespace magnetar::server {

class LatencyMonitor {
 public:
  static constexpr size_t kSamples = 160;  // Redis's LATENCY_TS_LEN

  struct Sample {
    int64_t unix_seconds = 0;  // 0: an unused slot
    uint64_t latency_ms = 0;
  };
  struct Series {
    std::string event;
    std::array<Sample, kSamples> samples = {};
    size_t next = 0;  // the slot the next second's sample goes to
    uint64_t max_ms = 0;

    const Sample& latest() const { return samples[(next + kSamples - 1) % kSamples]; }
    // The used slots, oldest first.
    std::vector<Sample> History() const;
  };

  // Records that `event` took `latency_ms` at `unix_seconds`; a second already sampled keeps
  // its worst latency.
  void Add(std::string_view event, uint64_t latency_ms, int64_t unix_seconds);
  // Forgets `event` (any case), or every event; returns how many were forgotten.
  size_t Reset(std::string_view event);
  size_t ResetAll();
  // The series of `event` (exactly as named), or null.
  const Series* Find(std::string_view event) const;
  // In the order the events were first recorded.
  const std::vector<Series>& series() const { return series_; }

 private:
  std::vector<Series> series_;
};

// Records `latency_ms` for `event` when latency-monitor-threshold is set and reached. A caller
// on a hot path checks the threshold first, as this does, so the disabled monitor costs one
// comparison.
inline void AddLatencySampleIfNeeded(LatencyMonitor& monitor, int64_t threshold_ms,
                                     std::string_view event, int64_t latency_ms,
                                     const Clock& clock) {
  if (threshold_ms != 0 && latency_ms >= threshold_ms) [[unlikely]] {
    monitor.Add(event, static_cast<uint64_t>(latency_ms), clock.NowMs() / 1000);
  }
}

// LATENCY DOCTOR's report and LATENCY GRAPH's sparkline (latency_report.cc).
struct LatencyReportContext {
  int64_t threshold_ms;
  int64_t slowlog_log_slower_than_us;
  int hz;
  int64_t now_unix_seconds;
};
std::string LatencyDoctorReport(const LatencyMonitor& monitor, const LatencyReportContext& context);
std::string LatencyGraph(const LatencyMonitor::Series& series, int64_t now_unix_seconds);

}  // namespace magnetar::server
