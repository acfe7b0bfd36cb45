// INFO latencystats: for every command with a latency histogram (latency-tracking), the
// percentiles latency-tracking-info-percentiles asks for, in microseconds.
#include <fmt/format.h>

#include <iterator>

#include "config_values.h"
#include "error_stats.h"
#include "magnetar/server/server.h"

namespace magnetar::server::info {
namespace {

void PercentilesLine(std::string& out, const commands::RegisteredCommand& command,
                     const std::vector<double>& percentiles) {
  const LatencyHistogram* histogram = command.stats.latency.get();
  if (!histogram) return;
  auto line = std::back_inserter(out);
  fmt::format_to(line, "latency_percentiles_usec_{}:", command.spec->name);
  for (size_t i = 0; i < percentiles.size(); ++i) {
    if (i != 0) out.push_back(',');
    fmt::format_to(line, "p{}={:.3f}", FormatPercentile(percentiles[i]),
                   static_cast<double>(histogram->ValueAtPercentile(percentiles[i])) / 1000.0);
  }
  out.append("\r\n");
}

}  // namespace

void LatencyStatsSection(Server& server, std::string& out) {
  const std::vector<double>& percentiles = server.config().latency_tracking_info_percentiles;
  for (const commands::RegisteredCommand* command : server.registry().commands()) {
    PercentilesLine(out, *command, percentiles);
    for (const commands::RegisteredCommand* sub : command->subcommands) {
      PercentilesLine(out, *sub, percentiles);
    }
  }
}

}  // namespace magnetar::server::info
