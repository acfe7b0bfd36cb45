#include "magnetar/common/clock.h"

#include <chrono>

namespace magnetar {

int64_t SystemClock::NowUs() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

void SystemClock::Resync() { offset_us_ = NowUs() - MonotonicUs(); }

int64_t MonotonicUs() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace magnetar
