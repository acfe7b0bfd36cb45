// Reads one field of an INFO section, as the end-to-end tests check a server's state.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "support/resp_client.h"

namespace magnetar::e2e {

// The value of `field` in INFO `section`, or "" when absent.
inline std::string InfoField(test_support::RespClient& client, std::string_view section,
                             std::string_view field) {
  std::string info = client.Call({"INFO", section});
  std::string needle = fmt::format("\r\n{}:", field);
  size_t at = info.find(needle);
  if (at == std::string::npos) return {};
  at += needle.size();
  return info.substr(at, info.find("\r\n", at) - at);
}

}  // namespace magnetar::e2e
