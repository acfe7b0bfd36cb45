// Time as the server sees it. Commands and the engine read time only through a Clock, so tests
// drive expiry with ManualClock instead of sleeping.
#pragma once

#include <cstdint>

namespace magnetar {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in microseconds since the Unix epoch.
  virtual int64_t NowUs() const = 0;
  int64_t NowMs() const { return NowUs() / 1000; }
  // The wall-clock time at which MonotonicUs() read `monotonic_us`: a caller that has just read
  // the monotonic clock gets the wall-clock time without a second read (each read costs about
  // 70 ns on a virtual machine: half of what a pipelined PING costs the server in user time).
  virtual int64_t NowUsAt(int64_t /*monotonic_us*/) const { return NowUs(); }
};

class SystemClock final : public Clock {
 public:
  SystemClock() { Resync(); }
  int64_t NowUs() const override;
  int64_t NowUsAt(int64_t monotonic_us) const override { return monotonic_us + offset_us_; }
  // Measures the two clocks' offset again, so NowUsAt follows a wall clock that was set or is
  // being slewed; the server does it every cron tick, so a step shows within 1/hz seconds.
  void Resync();

 private:
  int64_t offset_us_ = 0;  // wall-clock minus monotonic time
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_us = 1'700'000'000'000'000) : now_us_(now_us) {}
  int64_t NowUs() const override { return now_us_; }
  void AdvanceMs(int64_t ms) { now_us_ += ms * 1000; }
  void SetUs(int64_t now_us) { now_us_ = now_us; }

 private:
  int64_t now_us_;
};

// Microseconds from a monotonic clock, for measuring durations (uptime, latency, timeouts).
int64_t MonotonicUs();
// The same clock in milliseconds (replication's timeouts and lags).
inline int64_t MonotonicMs() { return MonotonicUs() / 1000; }

}  // namespace magnetar
