#pragma once

#include <string_view>

namespace magnetar::server {

// Clients and tools decide which features to use from the Redis version a server reports, so
// Magnetar reports the Redis release whose behaviour it reproduces, and its own version beside it.
inline constexpr std::string_view kRedisVersion = "7.0.15";
inline constexpr std::string_view kMagnetarVersion = "0.1.0";

}  // namespace magnetar::server
