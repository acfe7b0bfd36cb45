// CONFIG GET, SET, RESETSTAT, REWRITE and HELP over the directive table (config_directives.h)
// and the Redis directives Magnetar does not implement (config_unimplemented.h): CONFIG GET shows
// those with the value that describes what Magnetar does, and CONFIG SET refuses to change them.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "config_directives.h"
#include "config_limits.h"
#include "config_rewrite.h"
#include "config_unimplemented.h"
#include "info_metrics.h"
#include "logging.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/glob.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using namespace commands;

std::string SetFailed(std::string_view name, std::string_view reason) {
  return fmt::format("ERR CONFIG SET failed (possibly related to argument '{}') - {}", name,
                     reason);
}

// CONFIG GET pattern [pattern ...]. A name without glob characters is looked up directly and
// shown as the client spelled it; a pattern matches names in any case. Each directive once:
// implemented ones first, in the table's order, then the unimplemented ones by name.
void ConfigGet(CommandContext& ctx) {
  const Config& config = AsServer(ctx).server.config();
  struct Found {
    std::string_view shown;
    const void* directive;  // a Directive or an UnimplementedDirective, to list each once
    std::string value;
  };
  std::vector<Found> found;
  auto add = [&](std::string_view shown, const void* directive, auto value) {
    bool seen = std::any_of(found.begin(), found.end(), [directive](const Found& entry) {
      return entry.directive == directive;
    });
    if (!seen) found.push_back({shown, directive, std::string(value())});
  };
  auto add_implemented = [&](std::string_view shown, const Directive* directive) {
    add(shown, directive, [&] { return directive->get(config); });
  };
  auto add_unimplemented = [&](std::string_view shown, const UnimplementedDirective* directive) {
    add(shown, directive, [directive] { return directive->value; });
  };
  for (std::string_view pattern : ctx.args.subspan(2)) {
    if (pattern.find_first_of("[*?") == std::string_view::npos) {
      if (const Directive* directive = FindDirective(pattern)) {
        add_implemented(pattern, directive);
      } else if (const UnimplementedDirective* other = FindUnimplementedDirective(pattern)) {
        add_unimplemented(pattern, other);
      }
      continue;
    }
    for (const Directive& directive : Directives()) {
      if (GlobMatch(pattern, directive.name, /*nocase=*/true)) {
        add_implemented(directive.name, &directive);
      }
    }
    for (const UnimplementedDirective& directive : UnimplementedDirectives()) {
      if (GlobMatch(pattern, directive.name, /*nocase=*/true)) {
        add_unimplemented(directive.name, &directive);
      }
    }
  }
  ctx.reply.Map(found.size());
  for (const Found& entry : found) {
    ctx.reply.Bulk(entry.shown);
    ctx.reply.Bulk(entry.value);
  }
}

// Effects of a new configuration that need more than storing it: the directive CONFIG SET
// refuses and why, or no reason when the configuration can be taken.
struct LiveRefusal {
  std::string_view name;  // the directive refused
  std::string reason;     // empty: no refusal
};
LiveRefusal CheckLive(const Config& before, const Config& after) {
  if (after.maxclients > before.maxclients) {
    int fitting = FitMaxclientsToFileLimit(after.maxclients, nullptr);
    if (fitting < after.maxclients) {
      return {"maxclients",
              fmt::format("The operating system is not able to handle the specified number of "
                          "clients, try with {}",
                          fitting)};
    }
  }
  return {};
}

// CONFIG SET name value [name value ...]: every name is checked, then every value parsed into a
// copy of the configuration, and only a copy that is wholly valid replaces the running one.
void ConfigSet(CommandContext& ctx) {
  std::span<const std::string_view> pairs = ctx.args.subspan(2);
  if (pairs.size() % 2 != 0) return ctx.reply.Error(OpStatus::kSyntaxError);
  // One of the two per pair. An unimplemented directive passes only with the value it reports,
  // which changes nothing (tools and test suites send such no-ops).
  struct Chosen {
    const Directive* directive;
    const UnimplementedDirective* unimplemented;
    bool operator==(const Chosen&) const = default;
  };
  std::vector<Chosen> chosen;
  for (size_t i = 0; i < pairs.size(); i += 2) {
    Chosen entry = {FindDirective(pairs[i]), nullptr};
    if (!entry.directive) entry.unimplemented = FindUnimplementedDirective(pairs[i]);
    if (!entry.directive && !entry.unimplemented) {
      return ctx.reply.Error(
          fmt::format("ERR Unknown option or number of arguments for CONFIG SET - '{}'", pairs[i]));
    }
    uint32_t flags = entry.directive ? entry.directive->flags : 0;
    if (flags & kDirectiveImmutable) {
      return ctx.reply.Error(SetFailed(pairs[i], "can't set immutable config"));
    }
    if (flags & kDirectiveProtected) {
      return ctx.reply.Error(SetFailed(pairs[i], "can't set protected config"));
    }
    if (std::find(chosen.begin(), chosen.end(), entry) != chosen.end()) {
      return ctx.reply.Error(SetFailed(pairs[i], "duplicate parameter"));
    }
    chosen.push_back(entry);
  }

  Server& server = AsServer(ctx).server;
  Config updated = server.config();
  for (size_t i = 0; i < pairs.size(); i += 2) {
    const Chosen& entry = chosen[i / 2];
    if (entry.unimplemented) {
      std::string_view current = entry.unimplemented->value;
      if (EqualsIgnoreCase(pairs[i + 1], current)) continue;
      return ctx.reply.Error(SetFailed(
          pairs[i],
          fmt::format("Magnetar does not implement it yet; the only value accepted is '{}'",
                      current)));
    }
    const Directive& directive = *entry.directive;
    std::vector<std::string_view> values = {pairs[i + 1]};
    if (directive.flags & kDirectiveMultiArg) values = SplitOnSpaces(pairs[i + 1]);
    std::string reason = directive.set(updated, values);
    if (!reason.empty()) return ctx.reply.Error(SetFailed(pairs[i], reason));
  }
  LiveRefusal refusal = CheckLive(server.config(), updated);
  if (!refusal.reason.empty()) {
    size_t index =
        std::find(chosen.begin(), chosen.end(), Chosen{FindDirective(refusal.name), nullptr}) -
        chosen.begin();
    return ctx.reply.Error(SetFailed(pairs[2 * index], refusal.reason));
  }

  if (updated.loglevel != server.config().loglevel) SetLogLevel(updated.loglevel);
  const bool aof_was_on = server.config().appendonly;
  server.config() = std::move(updated);
  server.ApplyConfig();
  if (server.config().appendonly != aof_was_on) server.aof().Switch();
  ctx.reply.Ok();
}

void ConfigResetStat(CommandContext& ctx) {
  Server& server = AsServer(ctx).server;
  server.stats() = ServerStats{};
  server.keyspace().stats() = engine::KeyspaceStats{};
  server.registry().ResetStats();
  ResetInfoMetrics(server);
  ctx.reply.Ok();
}

void ConfigRewrite(CommandContext& ctx) {
  const Config& config = AsServer(ctx).server.config();
  if (config.config_file.empty()) {
    return ctx.reply.Error("ERR The server is running without a config file");
  }
  std::string error = RewriteConfigFile(config);
  if (!error.empty()) {
    spdlog::warn("CONFIG REWRITE failed: {}", std::string_view(error).substr(4));
    return ctx.reply.Error(error);
  }
  spdlog::info("CONFIG REWRITE executed with success.");
  ctx.reply.Ok();
}

void ConfigHelp(CommandContext& ctx) {
  constexpr std::string_view kHelp[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.Array(std::size(kHelp));
  for (std::string_view line : kHelp) ctx.reply.SimpleString(line);
}

constexpr uint32_t kAdminFlags = kAdmin | kNoScript | kLoading | kStale;
constexpr uint32_t kAdminAcl = kAclAdmin | kAclSlow | kAclDangerous;

constexpr HistoryEntry kGetHistory[] = {
    {"7.0.0", "Added the ability to pass multiple pattern parameters in one call"}};
constexpr ArgDoc kGetParameter[] = {{.name = "parameter", .type = ArgType::kString}};
constexpr ArgDoc kGetArgs[] = {{.name = "parameter",
                                .type = ArgType::kBlock,
                                .flags = kArgMultiple,
                                .arguments = kGetParameter}};
constexpr HistoryEntry kSetHistory[] = {
    {"7.0.0", "Added the ability to set multiple parameters in one call."}};
constexpr ArgDoc kSetPair[] = {{.name = "parameter", .type = ArgType::kString},
                               {.name = "value", .type = ArgType::kString}};
constexpr ArgDoc kSetArgs[] = {{.name = "parameter_value",
                                .type = ArgType::kBlock,
                                .flags = kArgMultiple,
                                .arguments = kSetPair}};
constexpr std::string_view kSetTips[] = {"request_policy:all_nodes",
                                         "response_policy:all_succeeded"};

// In the order Redis 7.0.15 lists them in COMMAND INFO.
constexpr CommandSpec kConfigSubcommands[] = {
    {.name = "config|rewrite",
     .arity = 2,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &ConfigRewrite,
     .doc = {.summary = "Rewrite the configuration file with the in memory configuration",
             .since = "2.8.0",
             .group = "server",
             .complexity = "O(1)"}},
    {.name = "config|resetstat",
     .arity = 2,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &ConfigResetStat,
     .doc = {.summary = "Reset the stats returned by INFO",
             .since = "2.0.0",
             .group = "server",
             .complexity = "O(1)"}},
    {.name = "config|get",
     .arity = -3,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &ConfigGet,
     .doc = {.summary = "Get the values of configuration parameters",
             .since = "2.0.0",
             .group = "server",
             .complexity = "O(N) when N is the number of configuration parameters provided",
             .history = kGetHistory,
             .arguments = kGetArgs}},
    {.name = "config|help",
     .arity = 2,
     .flags = kLoading | kStale,
     .acl = kAclSlow,
     .handler = &ConfigHelp,
     .doc = {.summary = "Show helpful text about the different subcommands",
             .since = "5.0.0",
             .group = "server",
             .complexity = "O(1)"}},
    {.name = "config|set",
     .arity = -4,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &ConfigSet,
     .doc = {.summary = "Set configuration parameters to the given values",
             .since = "2.0.0",
             .group = "server",
             .complexity = "O(N) when N is the number of configuration parameters provided",
             .history = kSetHistory,
             .arguments = kSetArgs},
     .tips = kSetTips},
};

constexpr CommandSpec kConfigCommands[] = {
    {.name = "config",
     .arity = -2,
     .flags = 0,
     .acl = kAclSlow,
     .doc = {.summary = "A container for server configuration commands",
             .since = "2.0.0",
             .group = "server",
             .complexity = "Depends on subcommand."},
     .subcommands = kConfigSubcommands},
};

}  // namespace

std::span<const CommandSpec> ConfigCommands() { return kConfigCommands; }

}  // namespace magnetar::server
