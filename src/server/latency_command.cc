// LATENCY DOCTOR, GRAPH, HISTORY, LATEST, RESET (the latency monitor,
// magnetar/server/latency_monitor.h), HISTOGRAM (the per-command latency histograms of
// latency-tracking) and HELP.
#include <string_view>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/server/latency_monitor.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "server_families.h"

namespace magnetar::server {
namespace {

using namespace commands;

LatencyMonitor& Monitor(CommandContext& ctx) { return AsServer(ctx).server.latency_monitor(); }

int64_t NowSeconds(CommandContext& ctx) { return ctx.clock.NowMs() / 1000; }

void LatencyDoctor(CommandContext& ctx) {
  const Config& config = AsServer(ctx).server.config();
  ctx.reply.Verbatim(LatencyDoctorReport(
      Monitor(ctx), {.threshold_ms = config.latency_monitor_threshold,
                     .slowlog_log_slower_than_us = config.slowlog_log_slower_than,
                     .hz = config.hz,
                     .now_unix_seconds = NowSeconds(ctx)}));
}

void LatencyGraphReply(CommandContext& ctx) {
  const LatencyMonitor::Series* series = Monitor(ctx).Find(ctx.args[2]);
  if (!series) {
    return ctx.reply.Error(fmt::format("ERR No samples available for event '{}'", ctx.args[2]));
  }
  ctx.reply.Verbatim(LatencyGraph(*series, NowSeconds(ctx)));
}

void LatencyHistory(CommandContext& ctx) {
  const LatencyMonitor::Series* series = Monitor(ctx).Find(ctx.args[2]);
  if (!series) return ctx.reply.Array(0);
  std::vector<LatencyMonitor::Sample> history = series->History();
  ctx.reply.Array(history.size());
  for (const LatencyMonitor::Sample& sample : history) {
    ctx.reply.Array(2);
    ctx.reply.Integer(sample.unix_seconds);
    ctx.reply.Integer(static_cast<int64_t>(sample.latency_ms));
  }
}

void LatencyLatest(CommandContext& ctx) {
  const auto& all = Monitor(ctx).series();
  ctx.reply.Array(all.size());
  for (const LatencyMonitor::Series& series : all) {
    ctx.reply.Array(4);
    ctx.reply.Bulk(series.event);
    ctx.reply.Integer(series.latest().unix_seconds);
    ctx.reply.Integer(static_cast<int64_t>(series.latest().latency_ms));
    ctx.reply.Integer(static_cast<int64_t>(series.max_ms));
  }
}

void LatencyReset(CommandContext& ctx) {
  LatencyMonitor& monitor = Monitor(ctx);
  size_t resets = 0;
  if (ctx.args.size() == 2) resets = monitor.ResetAll();
  for (std::string_view event : ctx.args.subspan(2)) resets += monitor.Reset(event);
  ctx.reply.Integer(static_cast<int64_t>(resets));
}

// One command's entry of LATENCY HISTOGRAM: its name, then its calls and cumulative
// distribution, if it has a histogram.
size_t ReplyHistogram(resp::ReplyBuilder& reply, const RegisteredCommand& command) {
  const magnetar::LatencyHistogram* histogram = command.stats.latency.get();
  if (!histogram) return 0;
  reply.Bulk(command.spec->name);
  reply.Map(2);
  reply.Bulk("calls");
  reply.Integer(static_cast<int64_t>(histogram->total()));
  reply.Bulk("histogram_usec");
  const auto buckets = histogram->CumulativeBuckets();
  reply.Map(buckets.size());
  for (const auto& [usec, count] : buckets) {
    reply.Integer(usec);
    reply.Integer(static_cast<int64_t>(count));
  }
  return 1;
}

// A command and its subcommands, as Redis replies for a container's name.
size_t ReplyHistograms(resp::ReplyBuilder& reply, const RegisteredCommand& command) {
  size_t replied = ReplyHistogram(reply, command);
  for (const RegisteredCommand* sub : command.subcommands) replied += ReplyHistogram(reply, *sub);
  return replied;
}

// The command a LATENCY HISTOGRAM argument names: "get", or "config|set" for a subcommand.
const RegisteredCommand* FindByFullName(CommandRegistry& registry, std::string_view name) {
  const size_t bar = name.find('|');
  RegisteredCommand* command = registry.Find(name.substr(0, bar));
  if (!command || bar == std::string_view::npos) return command;
  std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos || command->subcommands.empty()) return nullptr;
  return registry.FindSubcommand(*command, sub);
}

// The reply is a map whose size is known only at the end, so it is built in a scratch builder
// of the same protocol and appended after the header.
void LatencyHistogramReply(CommandContext& ctx) {
  CommandRegistry& registry = AsServer(ctx).server.registry();
  resp::ReplyBuilder& out = ctx.reply;
  resp::ReplyBuilder body;
  body.set_protocol(out.protocol());
  size_t entries = 0;
  if (ctx.args.size() == 2) {
    for (const RegisteredCommand* command : registry.commands()) {
      entries += ReplyHistograms(body, *command);
    }
  }
  for (std::string_view name : ctx.args.subspan(2)) {
    if (const RegisteredCommand* command = FindByFullName(registry, name)) {
      entries += ReplyHistograms(body, *command);
    }
  }
  out.Map(entries);
  out.buffer().append(body.buffer());
}

void LatencyHelp(CommandContext& ctx) {
  constexpr std::string_view kHelp[] = {
      "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return a human readable latency analysis report.",
      "GRAPH <event>",
      "    Return an ASCII latency graph for the <event> class.",
      "HISTORY <event>",
      "    Return time-latency samples for the <event> class.",
      "LATEST",
      "    Return the latest latency samples for all events.",
      "RESET [<event> ...]",
      "    Reset latency data of one or more <event> classes.",
      "    (default: reset all data for all event classes)",
      "HISTOGRAM [COMMAND ...]",
      "    Return a cumulative distribution of latencies in the format of a histogram for the "
      "specified command names.",
      "    If no commands are specified then all histograms are replied.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.Array(std::size(kHelp));
  for (std::string_view line : kHelp) ctx.reply.SimpleString(line);
}

constexpr uint32_t kAdminFlags = kAdmin | kNoScript | kLoading | kStale;
constexpr uint32_t kAdminAcl = kAclAdmin | kAclSlow | kAclDangerous;
constexpr std::string_view kReportTips[] = {"nondeterministic_output", "request_policy:all_nodes",
                                            "response_policy:special"};
constexpr std::string_view kResetTips[] = {"request_policy:all_nodes",
                                           "response_policy:all_succeeded"};
constexpr ArgDoc kEventArg[] = {{.name = "event", .type = ArgType::kString}};
constexpr ArgDoc kEventsArg[] = {
    {.name = "event", .type = ArgType::kString, .flags = kArgOptional | kArgMultiple}};
constexpr ArgDoc kCommandsArg[] = {
    {.name = "command", .type = ArgType::kString, .flags = kArgOptional | kArgMultiple}};

constexpr CommandDoc LatencyDoc(std::string_view summary, std::span<const ArgDoc> arguments = {}) {
  return {.summary = summary,
          .since = "2.8.13",
          .group = "server",
          .complexity = "O(1)",
          .arguments = arguments};
}

// In the order Redis 7.0.15 lists them in COMMAND INFO.
constexpr CommandSpec kLatencySubcommands[] = {
    {.name = "latency|doctor",
     .arity = 2,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &LatencyDoctor,
     .doc = LatencyDoc("Return a human readable latency analysis report."),
     .tips = kReportTips},
    {.name = "latency|help",
     .arity = 2,
     .flags = kLoading | kStale,
     .acl = kAclSlow,
     .handler = &LatencyHelp,
     .doc = LatencyDoc("Show helpful text about the different subcommands.")},
    {.name = "latency|reset",
     .arity = -2,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &LatencyReset,
     .doc = LatencyDoc("Reset latency data for one or more events.", kEventsArg),
     .tips = kResetTips},
    {.name = "latency|graph",
     .arity = 3,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &LatencyGraphReply,
     .doc = LatencyDoc("Return a latency graph for the event.", kEventArg),
     .tips = kReportTips},
    {.name = "latency|history",
     .arity = 3,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &LatencyHistory,
     .doc = LatencyDoc("Return timestamp-latency samples for the event.", kEventArg),
     .tips = kReportTips},
    {.name = "latency|histogram",
     .arity = -2,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &LatencyHistogramReply,
     .doc = {.summary = "Return the cumulative distribution of latencies of a subset of commands "
                        "or all.",
             .since = "7.0.0",
             .group = "server",
             .complexity = "O(N) where N is the number of commands with latency information "
                           "being retrieved.",
             .arguments = kCommandsArg},
     .tips = kReportTips},
    {.name = "latency|latest",
     .arity = 2,
     .flags = kAdminFlags,
     .acl = kAdminAcl,
     .handler = &LatencyLatest,
     .doc = LatencyDoc("Return the latest latency samples for all events."),
     .tips = kReportTips},
};

constexpr CommandSpec kLatencyCommands[] = {
    {.name = "latency",
     .arity = -2,
     .flags = 0,
     .acl = kAclSlow,
     .doc = {.summary = "A container for latency diagnostics commands",
             .since = "2.8.13",
             .group = "server",
             .complexity = "Depends on subcommand."},
     .subcommands = kLatencySubcommands},
};

}  // namespace

std::span<const CommandSpec> LatencyCommands() { return kLatencyCommands; }

}  // namespace magnetar::server
