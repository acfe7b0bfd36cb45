// MEMORY: what a key costs, and the allocator's own reports.
//
// USAGE answers with Magnetar's estimate of the bytes it holds for the key, computed from its own
// structures rather than Redis's: the key's Entry (header, key bytes, inline value or pointer,
// deadline, and a heap string's block), the key's share of the database's table (the table's
// bucket bytes divided by its keys), and for a list, hash or set the bytes the object reports
// (Object::MemoryBytes). Those objects keep their totals as they change, or walk a short list of
// nodes, so the figure is exact and SAMPLES, which Redis needs to extrapolate from a few elements,
// is validated as Redis validates it and then has nothing left to do.
//
// STATS and DOCTOR report MemoryBreakdown: STATS as Redis's map of figures, DOCTOR as Redis's
// report of the problems they show.
#include <string>

#include "magnetar/commands/arg_parser.h"
#include "magnetar/commands/command_context.h"
#include "magnetar/engine/database.h"
#include "magnetar/server/server.h"
#include "magnetar/server/server_context.h"
#include "memory_breakdown.h"
#include "server_families.h"

#if defined(MAGNETAR_WITH_JEMALLOC)
#include <jemalloc/jemalloc.h>
#endif

namespace magnetar::server {
namespace {

using namespace commands;

// The bytes of a stored key, counted as described above.
size_t KeyMemoryBytes(engine::Database& db, const engine::Entry& entry) {
  size_t bytes = entry.AllocatedBytes();
  if (entry.encoding() == engine::Encoding::kObject) bytes += entry.object()->MemoryBytes();
  // Peek found the entry, so the table holds at least one key.
  return bytes + db.Memory().table_bytes / db.Size();
}

// MEMORY USAGE key [SAMPLES count]. Like Redis it looks in the table directly: a key past its
// deadline that nothing has removed yet is still measured, and nothing counts as a hit or miss.
void Usage(CommandContext& ctx) {
  ArgParser parser(ctx.args, 3);
  while (parser.ok() && parser.HasNext()) {
    // SAMPLES needs its count; anything else, a count included, is a syntax error.
    if (parser.remaining() < 2 || !parser.NextIs("samples")) {
      parser.Fail(OpStatus::kSyntaxError);
    } else if (parser.NextInt64() < 0) {
      parser.Fail(OpStatus::kSyntaxError);
    }
  }
  if (!parser.ok()) return ctx.reply.Error(parser.status());
  engine::Database& db = ctx.db();
  const engine::Entry* entry = db.Peek(ctx.args[2]);
  if (entry == nullptr) return ctx.reply.Null();
  ctx.reply.Integer(static_cast<int64_t>(KeyMemoryBytes(db, *entry)));
}

// MEMORY STATS: Redis's 27 figures, with one nested map for each database that holds keys.
void Stats(CommandContext& ctx) {
  const MemoryBreakdown memory = ReadMemoryBreakdown(AsServer(ctx).server);
  resp::ReplyBuilder& reply = ctx.reply;
  const auto integer = [&](std::string_view name, int64_t value) {
    reply.Bulk(name);
    reply.Integer(value);
  };
  const auto ratio = [&](std::string_view name, float value) {
    reply.Bulk(name);
    reply.Double(value);
  };
  reply.Map(27 + memory.dbs.size());
  integer("peak.allocated", memory.peak);
  integer("total.allocated", memory.used);
  integer("startup.allocated", memory.startup);
  integer("replication.backlog", memory.replication_backlog);
  integer("clients.slaves", memory.clients_replicas);
  integer("clients.normal", memory.clients_normal);
  integer("cluster.links", 0);
  integer("aof.buffer", memory.aof_buffer);
  integer("lua.caches", 0);  // no scripting
  // Redis's empty function library engine holds 200 bytes; Magnetar has none.
  integer("functions.caches", 0);
  for (const MemoryBreakdown::Db& db : memory.dbs) {
    reply.Bulk(fmt::format("db.{}", db.index));
    reply.Map(3);
    integer("overhead.hashtable.main", db.table_bytes);
    integer("overhead.hashtable.expires", db.expires_bytes);
    integer("overhead.hashtable.slot-to-keys", 0);
  }
  integer("overhead.total", memory.overhead);
  integer("keys.count", memory.keys);
  integer("keys.bytes-per-key", memory.BytesPerKey());
  integer("dataset.bytes", memory.dataset);
  ratio("dataset.percentage", memory.DatasetPercentage());
  ratio("peak.percentage", memory.PeakPercentage());
  integer("allocator.allocated", memory.allocator.allocated);
  integer("allocator.active", memory.allocator.active);
  integer("allocator.resident", memory.allocator.resident);
  ratio("allocator-fragmentation.ratio", memory.AllocatorFragmentation());
  integer("allocator-fragmentation.bytes", memory.AllocatorFragmentationBytes());
  ratio("allocator-rss.ratio", memory.AllocatorRss());
  integer("allocator-rss.bytes", memory.AllocatorRssBytes());
  ratio("rss-overhead.ratio", memory.RssOverhead());
  integer("rss-overhead.bytes", memory.RssOverheadBytes());
  ratio("fragmentation", memory.Fragmentation());
  integer("fragmentation.bytes", memory.FragmentationBytes());
}

void Doctor(CommandContext& ctx) {
  ctx.reply.Verbatim(
      MemoryDoctorReport(ReadMemoryBreakdown(AsServer(ctx).server), AllocatorName()));
}

// MEMORY MALLOC-STATS: jemalloc's statistics report, as Redis prints it.
void MallocStats(CommandContext& ctx) {
#if defined(MAGNETAR_WITH_JEMALLOC)
  std::string report;
  malloc_stats_print(
      [](void* out, const char* text) { static_cast<std::string*>(out)->append(text); }, &report,
      nullptr);
  ctx.reply.Verbatim(report);
#else
  ctx.reply.Verbatim("Stats not supported for the current allocator");
#endif
}

// MEMORY PURGE: jemalloc hands every arena's dirty pages back to the system at once rather than
// when its background thread's decay gets to them. Other allocators have nothing to ask.
void Purge(CommandContext& ctx) {
#if defined(MAGNETAR_WITH_JEMALLOC)
  const std::string name = "arena." + std::to_string(MALLCTL_ARENAS_ALL) + ".purge";
  if (mallctl(name.c_str(), nullptr, nullptr, nullptr, 0) != 0) {
    return ctx.reply.Error("ERR Error purging dirty pages");
  }
#endif
  ctx.reply.Ok();
}

void Help(CommandContext& ctx) {
  constexpr std::string_view kHelp[] = {
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return memory problems reports.",
      "MALLOC-STATS",
      "    Return internal statistics report from the memory allocator.",
      "PURGE",
      "    Attempt to purge dirty pages for reclamation by the allocator.",
      "STATS",
      "    Return information about the memory usage of the server.",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply.Array(std::size(kHelp));
  for (std::string_view line : kHelp) ctx.reply.SimpleString(line);
}

constexpr ArgDoc kUsageArgs[] = {
    {.name = "key", .type = ArgType::kKey, .key_spec_index = 0},
    {.name = "count", .type = ArgType::kInteger, .token = "SAMPLES", .flags = kArgOptional},
};
constexpr KeySpec kUsageKeySpecs[] = {
    {.flags = kKsRO, .begin_search = SearchIndex(2), .find_keys = KeyRange(0, 1, 0)},
};
// MALLOC-STATS, STATS and DOCTOR carry the same tips.
constexpr std::string_view kReportTips[] = {"nondeterministic_output", "request_policy:all_shards",
                                            "response_policy:special"};
constexpr std::string_view kPurgeTips[] = {"request_policy:all_shards",
                                           "response_policy:all_succeeded"};

// Redis lists a container's subcommands in its hash table's order, which changes from run to run;
// these keep no particular order either.
constexpr CommandSpec kMemorySubcommands[] = {
    {.name = "memory|help",
     .arity = 2,
     .flags = kLoading | kStale,
     .acl = kAclSlow,
     .handler = &Help,
     .doc = {.summary = "Show helpful text about the different subcommands",
             .since = "4.0.0",
             .group = "server",
             .complexity = "O(1)"}},
    {.name = "memory|usage",
     .arity = -3,
     .flags = kReadOnly,
     .acl = kAclRead | kAclSlow,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .handler = &Usage,
     .doc = {.summary = "Estimate the memory usage of a key",
             .since = "4.0.0",
             .group = "server",
             .complexity = "O(N) where N is the number of samples.",
             .arguments = kUsageArgs},
     .key_specs = kUsageKeySpecs},
    {.name = "memory|malloc-stats",
     .arity = 2,
     .flags = 0,
     .acl = kAclSlow,
     .handler = &MallocStats,
     .doc = {.summary = "Show allocator internal stats",
             .since = "4.0.0",
             .group = "server",
             .complexity = "Depends on how much memory is allocated, could be slow"},
     .tips = kReportTips},
    {.name = "memory|stats",
     .arity = 2,
     .flags = 0,
     .acl = kAclSlow,
     .handler = &Stats,
     .doc = {.summary = "Show memory usage details",
             .since = "4.0.0",
             .group = "server",
             .complexity = "O(1)"},
     .tips = kReportTips},
    {.name = "memory|doctor",
     .arity = 2,
     .flags = 0,
     .acl = kAclSlow,
     .handler = &Doctor,
     .doc = {.summary = "Outputs memory problems report",
             .since = "4.0.0",
             .group = "server",
             .complexity = "O(1)"},
     .tips = kReportTips},
    {.name = "memory|purge",
     .arity = 2,
     .flags = 0,
     .acl = kAclSlow,
     .handler = &Purge,
     .doc = {.summary = "Ask the allocator to release memory",
             .since = "4.0.0",
             .group = "server",
             .complexity = "Depends on how much memory is allocated, could be slow"},
     .tips = kPurgeTips},
};

constexpr CommandSpec kMemoryCommands[] = {
    {.name = "memory",
     .arity = -2,
     .flags = 0,
     .acl = kAclSlow,
     .doc = {.summary = "A container for memory diagnostics commands",
             .since = "4.0.0",
             .group = "server",
             .complexity = "Depends on subcommand."},
     .subcommands = kMemorySubcommands},
};

}  // namespace

std::span<const CommandSpec> MemoryCommands() { return kMemoryCommands; }

}  // namespace magnetar::server
