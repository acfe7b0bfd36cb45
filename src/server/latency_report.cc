// LATENCY DOCTOR's report and LATENCY GRAPH's ASCII sparkline, both built from the latency
// monitor's samples. The graph is drawn as Redis draws it (same characters, rows and labels), so
// tools that show it look the same; the doctor's advice is Magnetar's own, given for the events
// Magnetar records.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "magnetar/server/latency_monitor.h"

namespace magnetar::server {
namespace {

struct EventStats {
  size_t samples = 0;
  uint64_t avg = 0;
  uint64_t mad = 0;    // mean absolute deviation from the average
  int64_t period = 0;  // seconds since the oldest sample, at least 1
};

EventStats Analyze(const LatencyMonitor::Series& series, int64_t now) {
  EventStats stats;
  std::vector<LatencyMonitor::Sample> history = series.History();
  if (history.empty()) return stats;
  stats.samples = history.size();
  uint64_t sum = 0;
  int64_t oldest = history.front().unix_seconds;
  for (const auto& sample : history) {
    sum += sample.latency_ms;
    oldest = std::min(oldest, sample.unix_seconds);
  }
  stats.avg = sum / stats.samples;
  stats.period = std::max<int64_t>(now - oldest, 1);
  uint64_t deviation = 0;
  for (const auto& sample : history) {
    deviation += static_cast<uint64_t>(
        std::llabs(static_cast<int64_t>(stats.avg) - static_cast<int64_t>(sample.latency_ms)));
  }
  stats.mad = deviation / stats.samples;
  return stats;
}

// What the doctor suggests, each at most once, in this order.
enum Advice : uint32_t {
  kEnableSlowlog = 1u << 0,
  kTuneSlowlog = 1u << 1,
  kInspectSlowlog = 1u << 2,
  kSystemNoise = 1u << 3,
  kRaiseHz = 1u << 4,
  kLargeObjects = 1u << 5,
  kMassEviction = 1u << 6,
};

uint32_t AdviceFor(std::string_view event, const LatencyReportContext& context) {
  uint32_t advice = 0;
  if (event == "command") {
    if (context.slowlog_log_slower_than_us < 0) {
      advice |= kEnableSlowlog;
    } else if (context.slowlog_log_slower_than_us / 1000 > context.threshold_ms) {
      advice |= kTuneSlowlog;
    }
    advice |= kInspectSlowlog | kLargeObjects;
  } else if (event == "fast-command") {
    advice |= kSystemNoise;
  } else if (event == "expire-cycle") {
    if (context.hz < 100) advice |= kRaiseHz;
    advice |= kLargeObjects;
  } else if (event == "eviction-cycle") {
    advice |= kMassEviction;
  }
  return advice;
}

void AppendAdvice(std::string& out, uint32_t advice, const LatencyReportContext& context) {
  auto line = std::back_inserter(out);
  const int64_t threshold_us = context.threshold_ms * 1000;
  if (advice & kEnableSlowlog) {
    fmt::format_to(line,
                   "- The slow log is disabled, so the slow commands behind these spikes are not "
                   "recorded: enable it with 'CONFIG SET slowlog-log-slower-than {}'.\n",
                   threshold_us);
  }
  if (advice & kTuneSlowlog) {
    fmt::format_to(line,
                   "- The slow log only records commands slower than the latency monitor's "
                   "threshold: lower it with 'CONFIG SET slowlog-log-slower-than {}'.\n",
                   threshold_us);
  }
  if (advice & kInspectSlowlog) {
    out.append(
        "- SLOWLOG GET lists the slowest recent commands with their arguments; look there "
        "for the commands behind the spikes.\n");
  }
  if (advice & kSystemNoise) {
    out.append(
        "- Commands that should take microseconds took milliseconds: the process was "
        "probably not given the CPU (system load, a noisy neighbour, a busy hypervisor). "
        "'redis-cli --intrinsic-latency 100' measures what the system itself adds.\n");
  }
  if (advice & kRaiseHz) {
    out.append(
        "- Expiring keys in smaller steps keeps each step short: try 'CONFIG SET hz 100'.\n");
  }
  if (advice & kLargeObjects) {
    out.append(
        "- Deleting, expiring or evicting a very large value blocks the server while it is "
        "freed: split such values into smaller keys, or use UNLINK and the lazyfree-lazy-* "
        "directives to free them in the background.\n");
  }
  if (advice & kMassEviction) {
    out.append(
        "- Evicting many keys at once blocks clients: avoid lowering maxmemory suddenly, "
        "and avoid commands that allocate a lot at once while memory is full.\n");
  }
}

}  // namespace

std::string LatencyDoctorReport(const LatencyMonitor& monitor,
                                const LatencyReportContext& context) {
  std::string out;
  if (monitor.series().empty() && context.threshold_ms == 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
           "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in "
           "order to enable it. If we weren't in a deep space mission I'd suggest to take a look "
           "at https://redis.io/topics/latency-monitor.\n";
  }
  uint32_t advice = 0;
  size_t number = 0;
  for (const LatencyMonitor::Series& series : monitor.series()) {
    if (++number == 1) {
      out.append(
          "Dave, I have observed latency spikes in this Redis instance. You don't mind "
          "talking about it, do you Dave?\n\n");
    }
    EventStats stats = Analyze(series, context.now_unix_seconds);
    fmt::format_to(std::back_inserter(out),
                   "{}. {}: {} latency spikes (average {}ms, mean deviation {}ms, period {:.2f} "
                   "sec). Worst all time event {}ms.\n",
                   number, series.event, stats.samples, stats.avg, stats.mad,
                   static_cast<double>(stats.period) / static_cast<double>(stats.samples),
                   series.max_ms);
    advice |= AdviceFor(series.event, context);
  }
  if (number == 0) {
    out.append(
        "Dave, no latency spike was observed during the lifetime of this Redis instance, "
        "not in the slightest bit. I honestly think you ought to sit down calmly, take a "
        "stress pill, and think things over.\n");
  } else if (advice == 0) {
    out.append(
        "\nThese events have no advice attached; the figures above and LATENCY HISTORY "
        "show when they happened.\n");
  } else {
    out.append("\nI have a few advices for you:\n\n");
    AppendAdvice(out, advice, context);
  }
  return out;
}

namespace {

constexpr int kGraphColumns = 80;
constexpr int kGraphRows = 4;
constexpr std::string_view kFill = "_o#";  // from low to high within a row
constexpr int kLabelMarginTop = 1;

struct Point {
  double value;
  std::string label;
};

// Rows of bars scaled between the samples' minimum and maximum, then the labels written
// vertically below a blank line, as Redis's sparklineRenderRange draws them.
void RenderRange(std::string& out, std::span<const Point> points, double min, double max) {
  double range = max - min;
  if (range == 0) range = 1;
  const int steps = static_cast<int>(kFill.size()) * kGraphRows;
  std::string chars;
  for (int row = 0;; ++row) {
    bool more = false;
    chars.assign(points.size(), ' ');
    for (size_t j = 0; j < points.size(); ++j) {
      if (row < kGraphRows) {
        int step = static_cast<int>(static_cast<int>((points[j].value - min) * steps) / range);
        step = std::clamp(step, 0, steps - 1);
        const int index = step - (kGraphRows - row - 1) * static_cast<int>(kFill.size());
        more = true;
        if (index >= 0 && index < static_cast<int>(kFill.size())) {
          chars[j] = kFill[index];
        } else if (index >= static_cast<int>(kFill.size())) {
          chars[j] = '|';
        }
        continue;
      }
      if (row - kGraphRows < kLabelMarginTop) {  // every point has a label
        more = true;
        break;
      }
      const auto label_row = static_cast<size_t>(row - kGraphRows - kLabelMarginTop);
      if (points[j].label.size() > label_row) {
        more = true;
        chars[j] = points[j].label[label_row];
      }
    }
    if (!more) return;
    out.append(chars).push_back('\n');
  }
}

std::string AgeLabel(int64_t elapsed) {
  if (elapsed < 60) return fmt::format("{}s", elapsed);
  if (elapsed < 3600) return fmt::format("{}m", elapsed / 60);
  if (elapsed < 3600 * 24) return fmt::format("{}h", elapsed / 3600);
  return fmt::format("{}d", elapsed / (3600 * 24));
}

}  // namespace

std::string LatencyGraph(const LatencyMonitor::Series& series, int64_t now_unix_seconds) {
  std::vector<Point> points;
  uint64_t low = 0, high = 0;
  for (const LatencyMonitor::Sample& sample : series.History()) {
    if (points.empty()) low = high = sample.latency_ms;
    low = std::min(low, sample.latency_ms);
    high = std::max(high, sample.latency_ms);
    points.push_back(
        {static_cast<double>(sample.latency_ms), AgeLabel(now_unix_seconds - sample.unix_seconds)});
  }
  std::string out = fmt::format("{} - high {} ms, low {} ms (all time high {} ms)\n", series.event,
                                high, low, series.max_ms);
  out.append(kGraphColumns, '-').push_back('\n');
  const std::span<const Point> all(points);
  for (size_t j = 0; j < points.size(); j += kGraphColumns) {
    if (j != 0) out.push_back('\n');
    RenderRange(out, all.subspan(j, std::min<size_t>(kGraphColumns, points.size() - j)),
                static_cast<double>(low), static_cast<double>(high));
  }
  return out;
}

}  // namespace magnetar::server
