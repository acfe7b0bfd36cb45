// The Asio-free part of Connection, shared by the Asio connection and the tests' fake one.
#include "magnetar/net/connection.h"

#include "magnetar/common/clock.h"

namespace magnetar::net {

void Connection::CloseSoon(std::string_view reason) {
  if (closed_ || close_soon_) return;
  close_soon_ = true;
  close_soon_reason_ = reason;
  // The output will never be sent: give its memory back now rather than at the close.
  std::string().swap(reply_.buffer());
  ScheduleFlush();
}

bool Connection::SoftLimitExpired(const OutputLimit& limit) {
  const int64_t now = MonotonicUs();
  if (soft_limit_since_us_ == 0) {
    soft_limit_since_us_ = now;
    return false;
  }
  return now - soft_limit_since_us_ > limit.soft_seconds * 1'000'000;
}

}  // namespace magnetar::net
