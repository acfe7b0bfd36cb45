// INFO [section ...]: the server's state as "# Title" blocks of "name:value" lines.
#include <bitset>
#include <string>

#include "error_stats.h"
#include "info_sections.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/server/server_context.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using namespace commands;

using SectionWriter = void (*)(Server&, std::string&);

struct Section {
  std::string_view name;  // as INFO's arguments name it
  std::string_view title;
  SectionWriter write;
  bool in_default;  // printed by INFO without arguments
};

// Modules cannot be loaded, so the list of loaded modules is always empty.
void NoModules(Server&, std::string&) {}

// In Redis's printing order. "all" and "everything" are the same: there are no module sections.
constexpr Section kSections[] = {
    {"server", "Server", &info::ServerSection, true},
    {"clients", "Clients", &info::ClientsSection, true},
    {"memory", "Memory", &info::MemorySection, true},
    {"persistence", "Persistence", &info::PersistenceSection, true},
    {"stats", "Stats", &info::StatsSection, true},
    {"replication", "Replication", &info::ReplicationSection, true},
    {"cpu", "CPU", &info::CpuSection, true},
    {"modules", "Modules", &NoModules, true},
    {"commandstats", "Commandstats", &info::CommandStatsSection, false},
    {"errorstats", "Errorstats", &info::ErrorStatsSection, true},
    {"latencystats", "Latencystats", &info::LatencyStatsSection, false},
    {"cluster", "Cluster", &info::ClusterSection, true},
    {"keyspace", "Keyspace", &info::KeyspaceSection, true},
};
constexpr size_t kSectionCount = std::size(kSections);

// Which sections the names ask for (none: the default ones). Unknown names select nothing, as
// in Redis.
std::bitset<kSectionCount> SelectSections(std::span<const std::string_view> names) {
  std::bitset<kSectionCount> selected;
  if (names.empty()) {
    for (size_t i = 0; i < kSectionCount; ++i) selected.set(i, kSections[i].in_default);
  }
  for (std::string_view name : names) {
    bool all = EqualsIgnoreCase(name, "all") || EqualsIgnoreCase(name, "everything");
    bool defaults = EqualsIgnoreCase(name, "default");
    for (size_t i = 0; i < kSectionCount; ++i) {
      if (all || (defaults && kSections[i].in_default) || EqualsIgnoreCase(name, kSections[i].name))
        selected.set(i);
    }
  }
  return selected;
}

void Info(CommandContext& ctx) {
  ctx.reply.Verbatim(info::Render(AsServer(ctx).server, ctx.args.subspan(1)));
}

constexpr HistoryEntry kInfoHistory[] = {
    {"7.0.0", "Added support for taking multiple section arguments."},
};
constexpr ArgDoc kInfoArgs[] = {
    {.name = "section", .type = ArgType::kString, .flags = kArgOptional | kArgMultiple},
};
constexpr std::string_view kInfoTips[] = {"nondeterministic_output", "request_policy:all_shards",
                                          "response_policy:special"};

constexpr CommandSpec kInfoCommands[] = {
    {.name = "info",
     .arity = -1,
     .flags = kLoading | kStale,
     .acl = kAclSlow | kAclDangerous,
     .handler = &Info,
     .doc = {.summary = "Get information and statistics about the server",
             .since = "1.0.0",
             .group = "server",
             .complexity = "O(1)",
             .history = kInfoHistory,
             .arguments = kInfoArgs},
     .tips = kInfoTips},
};

}  // namespace

std::string info::Render(Server& server, std::span<const std::string_view> sections) {
  const std::bitset<kSectionCount> selected = SelectSections(sections);
  std::string text;
  for (size_t i = 0; i < kSectionCount; ++i) {
    if (!selected.test(i)) continue;
    if (!text.empty()) text.append("\r\n");
    fmt::format_to(std::back_inserter(text), "# {}\r\n", kSections[i].title);
    kSections[i].write(server, text);
  }
  return text;
}

std::span<const CommandSpec> InfoCommands() { return kInfoCommands; }

}  // namespace magnetar::server
