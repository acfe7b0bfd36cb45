// INFO errorstats: every error reply counted by its code, the word after '-' ("ERR",
// "WRONGTYPE"), as Redis 7.0 counts them: a reply whose first 32 bytes hold no space counts as ERR.
#pragma once

#include <string>
#include <string_view>

namespace magnetar::server {

struct ServerStats;
class Server;

// Counts one error reply; `error` is its text after the '-' (what follows the line is ignored).
void CountErrorReply(ServerStats& stats, std::string_view error);

namespace info {
void ErrorStatsSection(Server& server, std::string& out);    // errorstat_<code>:count=<n>
void LatencyStatsSection(Server& server, std::string& out);  // info_latency.cc
}  // namespace info

}  // namespace magnetar::server
