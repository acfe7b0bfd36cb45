// Pub/sub: channels, patterns and shard channels, and the clients subscribed to them.
#pragma once

#include <cstddef>
#include <string_view>

namespace magnetar::server {

class PubSub {
 public:
  // Delivers `message` to every client subscribed to `channel` or to a pattern matching it;
  // returns how many received it.
  size_t Publish(std::string_view channel, std::string_view message);
};

}  // namespace magnetar::server
