#include "magnetar/server/latency_monitor.h"

#include <algorithm>

#include "magnetar/commands/arg_parser.h"

namespace magnetar::server {

std::vector<LatencyMonitor::Sample> LatencyMonitor::Series::History() const {
  std::vector<Sample> out;
  for (size_t j = 0; j < kSamples; ++j) {
    const Sample& sample = samples[(next + j) % kSamples];
    if (sample.unix_seconds != 0) out.push_back(sample);
  }
  return out;
}

void LatencyMonitor::Add(std::string_view event, uint64_t latency_ms, int64_t unix_seconds) {
  auto it = std::ranges::find(series_, event, &Series::event);
  if (it == series_.end()) {
    series_.push_back(Series{.event = std::string(event)});
    it = series_.end() - 1;
  }
  Series& series = *it;
  series.max_ms = std::max(series.max_ms, latency_ms);
  Sample& previous = series.samples[(series.next + kSamples - 1) % kSamples];
  if (previous.unix_seconds == unix_seconds) {
    previous.latency_ms = std::max(previous.latency_ms, latency_ms);
    return;
  }
  series.samples[series.next] = {unix_seconds, latency_ms};
  series.next = (series.next + 1) % kSamples;
}

size_t LatencyMonitor::Reset(std::string_view event) {
  return std::erase_if(series_, [&](const Series& series) {
    return commands::EqualsIgnoreCase(series.event, event);
  });
}

size_t LatencyMonitor::ResetAll() {
  const size_t count = series_.size();
  series_.clear();
  return count;
}

const LatencyMonitor::Series* LatencyMonitor::Find(std::string_view event) const {
  auto it = std::ranges::find(series_, event, &Series::event);
  return it == series_.end() ? nullptr : &*it;
}

}  // namespace magnetar::server
