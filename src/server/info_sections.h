// The sections of INFO. Each writer appends its "name:value\r\n" lines, without the "# Title"
// header, describing the server as it is now. Fields appear in the order Redis 7.0 prints them;
// figures of what Magnetar does not have (scripting, modules, cluster, threaded I/O) are reported
// as Redis reports them on a server where those features are idle.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

namespace magnetar::server {

class Server;

namespace info {

// INFO's text for the named sections (none: the default ones), as INFO's arguments name them.
std::string Render(Server& server, std::span<const std::string_view> sections);

void ServerSection(Server& server, std::string& out);
void ClientsSection(Server& server, std::string& out);
void MemorySection(Server& server, std::string& out);  // info_memory.cc
void PersistenceSection(Server& server, std::string& out);
void StatsSection(Server& server, std::string& out);
void ReplicationSection(Server& server, std::string& out);
void CpuSection(Server& server, std::string& out);
void CommandStatsSection(Server& server, std::string& out);
void ClusterSection(Server& server, std::string& out);
void KeyspaceSection(Server& server, std::string& out);

// Appends "name:value\r\n".
template <typename T>
void Field(std::string& out, std::string_view name, const T& value) {
  fmt::format_to(std::back_inserter(out), "{}:{}\r\n", name, value);
}

// Appends "name:value\r\n" with the value printed as "%.2f", as Redis prints ratios and rates.
inline void Fixed2Field(std::string& out, std::string_view name, double value) {
  fmt::format_to(std::back_inserter(out), "{}:{:.2f}\r\n", name, value);
}

}  // namespace info
}  // namespace magnetar::server
