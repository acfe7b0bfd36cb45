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
};

class SystemClock final : public Clock {
 public:
  int64_t NowUs() const override;
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

}  // namespace magnetar
