#include "error_stats.h"

#include <fmt/format.h>

#include <iterator>

#include "magnetar/server/server.h"

namespace magnetar::server {

void CountErrorReply(ServerStats& stats, std::string_view error) {
  // Redis looks for the space in the first 32 bytes of the error including its '-'.
  std::string_view head = error.substr(0, 31);
  head = head.substr(0, head.find('\r'));
  const size_t space = head.find(' ');
  const std::string_view code = space == std::string_view::npos ? "ERR" : head.substr(0, space);
  auto it = stats.error_counts.find(code);
  if (it == stats.error_counts.end()) it = stats.error_counts.emplace(code, 0).first;
  ++it->second;
}

namespace info {

// In the order of the codes' bytes, as Redis's radix tree keeps them. Characters that would break
// INFO's lines print as '_', as Redis's getSafeInfoString writes them.
void ErrorStatsSection(Server& server, std::string& out) {
  for (const auto& [code, count] : server.stats().error_counts) {
    out.append("errorstat_");
    for (char c : code) out.push_back(c == '#' || c == ':' || c == '\r' || c == '\n' ? '_' : c);
    fmt::format_to(std::back_inserter(out), ":count={}\r\n", count);
  }
}

}  // namespace info
}  // namespace magnetar::server
