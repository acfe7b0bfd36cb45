#include "info_sections.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>

#include "info_metrics.h"
#include "magnetar/common/clock.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/blocking.h"
#include "magnetar/server/client.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "magnetar/server/version.h"

namespace magnetar::server::info {
namespace {

// Redis's LRU clock: seconds, wrapping at 24 bits.
constexpr int64_t kLruClockMax = (1 << 24) - 1;

int64_t UptimeSeconds(const Server& server) {
  return (MonotonicUs() - server.start_us()) / 1'000'000;
}

std::string OsText() {
  utsname name{};
  if (uname(&name) != 0) return "";
  return fmt::format("{} {} {}", name.sysname, name.release, name.machine);
}

std::string CompilerVersion() {
#if defined(__GNUC__)
  return fmt::format("{}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  return "0.0.0";
#endif
}

// Seconds and microseconds, as Redis prints CPU time ("%ld.%06ld").
void CpuField(std::string& out, std::string_view name, const timeval& time) {
  fmt::format_to(std::back_inserter(out), "{}:{}.{:06}\r\n", name, time.tv_sec, time.tv_usec);
}

void CommandStatsLine(std::string& out, const commands::RegisteredCommand& command) {
  const commands::CommandStats& stats = command.stats;
  if (stats.calls == 0 && stats.failed_calls == 0 && stats.rejected_calls == 0) return;
  double per_call = stats.calls ? static_cast<double>(stats.usec) / stats.calls : 0;
  fmt::format_to(std::back_inserter(out),
                 "cmdstat_{}:calls={},usec={},usec_per_call={:.2f},rejected_calls={},"
                 "failed_calls={}\r\n",
                 command.spec->name, stats.calls, stats.usec, per_call, stats.rejected_calls,
                 stats.failed_calls);
}

}  // namespace

void ServerSection(Server& server, std::string& out) {
  const Config& config = server.config();
  int64_t uptime = UptimeSeconds(server);
  Field(out, "redis_version", kRedisVersion);
  // Not built from Redis's git tree: a Redis built outside git prints the same sha1 and dirty
  // flag. Magnetar has no Redis build id; magnetar_version identifies the build.
  Field(out, "redis_git_sha1", "00000000");
  Field(out, "redis_git_dirty", 0);
  Field(out, "redis_build_id", 0);
  Field(out, "redis_mode", "standalone");
  Field(out, "os", OsText());
  Field(out, "arch_bits", sizeof(void*) * 8);
  // MonotonicUs() reads std::chrono::steady_clock, which is clock_gettime(CLOCK_MONOTONIC).
  Field(out, "monotonic_clock", "POSIX clock_gettime");
  Field(out, "multiplexing_api", "epoll");  // Asio's reactor on Linux
  Field(out, "atomicvar_api", "c11-builtin");
  Field(out, "gcc_version", CompilerVersion());
  Field(out, "process_id", getpid());
  Field(out, "process_supervised", "no");
  Field(out, "run_id", server.run_id());
  Field(out, "tcp_port", config.port);
  Field(out, "server_time_usec", server.clock().NowUs());
  Field(out, "uptime_in_seconds", uptime);
  Field(out, "uptime_in_days", uptime / 86400);
  // No dynamic-hz yet: the cron always runs at the configured rate.
  Field(out, "hz", config.hz);
  Field(out, "configured_hz", config.hz);
  Field(out, "lru_clock", (server.clock().NowMs() / 1000) & kLruClockMax);
  Field(out, "executable", config.executable);
  Field(out, "config_file", config.config_file);
  Field(out, "io_threads_active", 0);
  Field(out, "magnetar_version", kMagnetarVersion);
}

void ClientsSection(Server& server, std::string& out) {
  // Redis reports the largest buffers of the last few seconds; Magnetar reports the largest
  // buffers held right now.
  size_t max_input = 0, max_output = 0;
  for (const auto& [id, client] : server.clients()) {
    max_input = std::max(max_input, client->connection().query_buffer_capacity());
    max_output = std::max(max_output, client->connection().output_memory());
  }
  Field(out, "connected_clients", server.clients().size());
  Field(out, "cluster_connections", 0);
  Field(out, "maxclients", server.config().maxclients);
  Field(out, "client_recent_max_input_buffer", max_input);
  Field(out, "client_recent_max_output_buffer", max_output);
  // No blocking commands, client tracking or blocking timeouts yet.
  Field(out, "blocked_clients", server.blocking().blocked_clients());
  Field(out, "tracking_clients", 0);
  Field(out, "clients_in_timeout_table", 0);
}

void PersistenceSection(Server& server, std::string& out) {
  server.rdb_saver().AppendInfo(out);
  server.aof().AppendInfo(out);
}

void StatsSection(Server& server, std::string& out) {
  const ServerStats& stats = server.stats();
  const engine::KeyspaceStats& keyspace = server.keyspace().stats();
  const InfoSamples& samples = server.info_samples();
  net::TrafficCounters traffic = TotalTraffic(server);
  Field(out, "total_connections_received", stats.total_connections_received);
  Field(out, "total_commands_processed", stats.total_commands_processed);
  Field(out, "instantaneous_ops_per_sec", static_cast<uint64_t>(AverageRate(samples.ops)));
  Field(out, "total_net_input_bytes", traffic.input_bytes);
  Field(out, "total_net_output_bytes", traffic.output_bytes);
  // Replication, client eviction, forks, defragmentation, client tracking and DUMP/RESTORE do
  // not exist yet, so their counters are zero, as on a Redis that never used them.
  Field(out, "total_net_repl_input_bytes", 0);
  Field(out, "total_net_repl_output_bytes", 0);
  Fixed2Field(out, "instantaneous_input_kbps", AverageRate(samples.input_bytes) / 1024);
  Fixed2Field(out, "instantaneous_output_kbps", AverageRate(samples.output_bytes) / 1024);
  Field(out, "instantaneous_input_repl_kbps", "0.00");
  Field(out, "instantaneous_output_repl_kbps", "0.00");
  Field(out, "rejected_connections", stats.rejected_connections);
  Field(out, "sync_full", server.replication().sync_full());
  Field(out, "sync_partial_ok", server.replication().sync_partial_ok());
  Field(out, "sync_partial_err", server.replication().sync_partial_err());
  Field(out, "expired_keys", keyspace.expired);
  Field(out, "expired_stale_perc", "0.00");
  Field(out, "expired_time_cap_reached_count", 0);
  Field(out, "expire_cycle_cpu_milliseconds", 0);
  Field(out, "evicted_keys", keyspace.evicted);
  Field(out, "evicted_clients", 0);
  Field(out, "total_eviction_exceeded_time", 0);
  Field(out, "current_eviction_exceeded_time", 0);
  Field(out, "keyspace_hits", keyspace.hits);
  Field(out, "keyspace_misses", keyspace.misses);
  const PubSub& pubsub = server.pubsub();
  Field(out, "pubsub_channels", pubsub.TopicCount(SubscriptionKind::kChannel));
  Field(out, "pubsub_patterns", pubsub.TopicCount(SubscriptionKind::kPattern));
  Field(out, "pubsubshard_channels", pubsub.TopicCount(SubscriptionKind::kShardChannel));
  Field(out, "latest_fork_usec", 0);
  Field(out, "total_forks", 0);
  Field(out, "migrate_cached_sockets", 0);
  Field(out, "slave_expires_tracked_keys", 0);
  Field(out, "active_defrag_hits", 0);
  Field(out, "active_defrag_misses", 0);
  Field(out, "active_defrag_key_hits", 0);
  Field(out, "active_defrag_key_misses", 0);
  Field(out, "total_active_defrag_time", 0);
  Field(out, "current_active_defrag_time", 0);
  Field(out, "tracking_total_keys", 0);
  Field(out, "tracking_total_items", 0);
  Field(out, "tracking_total_prefixes", 0);
  Field(out, "unexpected_error_replies", stats.unexpected_error_replies);
  Field(out, "total_error_replies", stats.total_error_replies);
  Field(out, "dump_payload_sanitizations", 0);
  Field(out, "total_reads_processed", traffic.reads);
  Field(out, "total_writes_processed", traffic.writes);
  // One thread does all I/O, and the reply buffer is a growing string rather than Redis's
  // resizable fixed buffer.
  Field(out, "io_threaded_reads_processed", 0);
  Field(out, "io_threaded_writes_processed", 0);
  Field(out, "reply_buffer_shrinks", 0);
  Field(out, "reply_buffer_expands", 0);
}

void ReplicationSection(Server& server, std::string& out) { server.replication().AppendInfo(out); }

void CpuSection(Server&, std::string& out) {
  rusage self{}, children{}, main_thread{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  // INFO runs on the event loop thread, which is the main thread.
  getrusage(RUSAGE_THREAD, &main_thread);
  CpuField(out, "used_cpu_sys", self.ru_stime);
  CpuField(out, "used_cpu_user", self.ru_utime);
  CpuField(out, "used_cpu_sys_children", children.ru_stime);
  CpuField(out, "used_cpu_user_children", children.ru_utime);
  CpuField(out, "used_cpu_sys_main_thread", main_thread.ru_stime);
  CpuField(out, "used_cpu_user_main_thread", main_thread.ru_utime);
}

void CommandStatsSection(Server& server, std::string& out) {
  // Redis walks its command dictionary (an unspecified order); Magnetar prints registration
  // order, each container's subcommands right after it.
  for (const commands::RegisteredCommand* command : server.registry().commands()) {
    CommandStatsLine(out, *command);
    for (const commands::RegisteredCommand* sub : command->subcommands) CommandStatsLine(out, *sub);
  }
}

void ClusterSection(Server&, std::string& out) { Field(out, "cluster_enabled", 0); }

void KeyspaceSection(Server& server, std::string& out) {
  const engine::Keyspace& keyspace = server.keyspace();
  for (size_t i = 0; i < keyspace.database_count(); ++i) {
    const engine::Database& db = keyspace.db(i);
    if (db.Size() == 0) continue;
    // avg_ttl is exact here; Redis's is a running estimate from active expiry's samples.
    fmt::format_to(std::back_inserter(out), "db{}:keys={},expires={},avg_ttl={}\r\n", i, db.Size(),
                   db.ExpiresCount(), db.AverageTtlMs());
  }
}

}  // namespace magnetar::server::info
