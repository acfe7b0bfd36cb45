// The 24 bits of access metadata every entry carries (entry.h), read and written as Redis reads
// and writes its object's `lru` field, in one of two modes chosen by the eviction policy:
//
// LRU (every policy but the two LFU ones): a clock stamp of the last access. Redis stamps in whole
// seconds; a fast cache touches tens of thousands of keys within one second, which then all look
// equally old and approximated LRU degrades to random choice among them. Magnetar stamps in
// sixteenths of a second instead (kLruTicksPerSecond), so the clock wraps after 12 days rather
// than Redis's 194 (OBJECT IDLETIME of a key idle longer reads modulo that).
//
// LFU (allkeys-lfu, volatile-lfu): Redis's layout and arithmetic, as published in its
// documentation and redis.conf: the high 16 bits are the time in minutes (modulo 2^16) at which
// the counter was last decremented, the low 8 bits a logarithmic access counter. A key starts at
// kLfuInitValue; an access increments the counter with probability 1 / ((counter - init) *
// lfu-log-factor + 1), and the counter loses one for every lfu-decay-time minutes that passed.
#pragma once

#include <cstdint>

namespace magnetar::engine {

enum class AccessMode : uint8_t { kLru, kLfu };

constexpr uint32_t kAccessBits = 24;
constexpr uint32_t kAccessMask = (1u << kAccessBits) - 1;

// LRU mode.
constexpr int64_t kLruTicksPerSecond = 16;
constexpr uint32_t LruClockAt(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms * kLruTicksPerSecond / 1000) & kAccessMask;
}
// Ticks between a stamp and the clock, assuming the clock wrapped at most once since.
constexpr uint32_t LruIdleTicks(uint32_t clock, uint32_t stamp) {
  return clock >= stamp ? clock - stamp : clock + (kAccessMask - stamp);
}
constexpr int64_t LruIdleSeconds(uint32_t clock, uint32_t stamp) {
  return LruIdleTicks(clock, stamp) / kLruTicksPerSecond;
}

// LFU mode.
constexpr uint8_t kLfuInitValue = 5;
constexpr uint32_t kLfuCounterMax = 255;

struct LfuParams {
  int64_t log_factor = 10;
  int64_t decay_minutes = 1;  // lfu-decay-time; 0: never decay
};

constexpr uint32_t LfuMinutesAt(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 60000) & 0xffff;
}
constexpr uint32_t LfuPack(uint32_t minutes, uint32_t counter) { return (minutes << 8) | counter; }
constexpr uint32_t LfuCounter(uint32_t access) { return access & 0xff; }

// The counter after the decay due since it was last decremented (OBJECT FREQ's answer).
constexpr uint32_t LfuDecayed(uint32_t access, uint32_t now_minutes, const LfuParams& params) {
  uint32_t then = access >> 8;
  uint32_t elapsed = now_minutes >= then ? now_minutes - then : 0xffff - then + now_minutes;
  uint32_t counter = LfuCounter(access);
  if (params.decay_minutes <= 0) return counter;
  uint64_t periods = elapsed / static_cast<uint64_t>(params.decay_minutes);
  return periods >= counter ? 0 : counter - static_cast<uint32_t>(periods);
}

// The counter after one more access; `random01` is uniform in [0, 1).
constexpr uint32_t LfuIncremented(uint32_t counter, const LfuParams& params, double random01) {
  if (counter >= kLfuCounterMax) return counter;
  double base = counter > kLfuInitValue ? counter - kLfuInitValue : 0;
  double p = 1.0 / (base * static_cast<double>(params.log_factor) + 1);
  return random01 < p ? counter + 1 : counter;
}

}  // namespace magnetar::engine
