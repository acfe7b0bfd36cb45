#include "prometheus_metrics.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <optional>
#include <string_view>
#include <vector>

#include "info_sections.h"
#include "magnetar/server/latency_monitor.h"
#include "magnetar/server/server.h"
#include "magnetar/server/slowlog.h"

namespace magnetar::server {
namespace {

enum class Type { kGauge, kCounter };

// How an INFO value becomes a sample's.
enum class Convert {
  kNumber,        // as printed
  kOkIsOne,       // "ok" is 1, anything else 0 (the *_status fields)
  kMicroseconds,  // to seconds
};

struct InfoMetric {
  std::string_view field;  // INFO's
  std::string_view name;   // the exporter's, without "redis_"
  Type type = Type::kGauge;
  Convert convert = Convert::kNumber;
};

constexpr Type kCounter = Type::kCounter;
constexpr Type kGauge = Type::kGauge;

// The exporter's names for INFO's plain fields, in INFO's order.
constexpr InfoMetric kInfoMetrics[] = {
    {"process_id", "process_id"},
    {"uptime_in_seconds", "uptime_in_seconds"},
    {"connected_clients", "connected_clients"},
    {"cluster_connections", "cluster_connections"},
    {"client_recent_max_input_buffer", "client_recent_max_input_buffer_bytes"},
    {"client_recent_max_output_buffer", "client_recent_max_output_buffer_bytes"},
    {"blocked_clients", "blocked_clients"},
    {"tracking_clients", "tracking_clients"},
    {"clients_in_timeout_table", "clients_in_timeout_table"},
    {"used_memory", "memory_used_bytes"},
    {"used_memory_rss", "memory_used_rss_bytes"},
    {"used_memory_peak", "memory_used_peak_bytes"},
    {"used_memory_overhead", "memory_used_overhead_bytes"},
    {"used_memory_startup", "memory_used_startup_bytes"},
    {"used_memory_dataset", "memory_used_dataset_bytes"},
    {"allocator_allocated", "allocator_allocated_bytes"},
    {"allocator_active", "allocator_active_bytes"},
    {"allocator_resident", "allocator_resident_bytes"},
    {"used_memory_lua", "memory_used_lua_bytes"},
    {"number_of_cached_scripts", "number_of_cached_scripts"},
    {"used_memory_scripts", "memory_used_scripts_bytes"},
    {"maxmemory", "memory_max_bytes"},
    {"allocator_frag_ratio", "allocator_frag_ratio"},
    {"allocator_frag_bytes", "allocator_frag_bytes"},
    {"allocator_rss_ratio", "allocator_rss_ratio"},
    {"allocator_rss_bytes", "allocator_rss_bytes"},
    {"mem_fragmentation_ratio", "mem_fragmentation_ratio"},
    {"mem_fragmentation_bytes", "mem_fragmentation_bytes"},
    {"mem_not_counted_for_evict", "mem_not_counted_for_eviction_bytes"},
    {"mem_clients_slaves", "mem_clients_slaves"},
    {"mem_clients_normal", "mem_clients_normal"},
    {"active_defrag_running", "active_defrag_running"},
    {"lazyfree_pending_objects", "lazyfree_pending_objects"},
    {"loading", "loading_dump_file"},
    {"rdb_changes_since_last_save", "rdb_changes_since_last_save"},
    {"rdb_bgsave_in_progress", "rdb_bgsave_in_progress"},
    {"rdb_last_save_time", "rdb_last_save_timestamp_seconds"},
    {"rdb_last_bgsave_status", "rdb_last_bgsave_status", kGauge, Convert::kOkIsOne},
    {"rdb_last_bgsave_time_sec", "rdb_last_bgsave_duration_sec"},
    {"rdb_current_bgsave_time_sec", "rdb_current_bgsave_duration_sec"},
    {"rdb_last_cow_size", "rdb_last_cow_size_bytes"},
    {"aof_enabled", "aof_enabled"},
    {"aof_rewrite_in_progress", "aof_rewrite_in_progress"},
    {"aof_rewrite_scheduled", "aof_rewrite_scheduled"},
    {"aof_last_rewrite_time_sec", "aof_last_rewrite_duration_sec"},
    {"aof_current_rewrite_time_sec", "aof_current_rewrite_duration_sec"},
    {"aof_last_bgrewrite_status", "aof_last_bgrewrite_status", kGauge, Convert::kOkIsOne},
    {"aof_last_write_status", "aof_last_write_status", kGauge, Convert::kOkIsOne},
    {"aof_last_cow_size", "aof_last_cow_size_bytes"},
    {"module_fork_in_progress", "module_fork_in_progress"},
    {"module_fork_last_cow_size", "module_fork_last_cow_size"},
    {"aof_current_size", "aof_current_size_bytes"},
    {"aof_base_size", "aof_base_size_bytes"},
    {"aof_pending_rewrite", "aof_pending_rewrite"},
    {"aof_buffer_length", "aof_buffer_length"},
    {"aof_pending_bio_fsync", "aof_pending_bio_fsync"},
    {"aof_delayed_fsync", "aof_delayed_fsync"},
    {"total_connections_received", "connections_received_total", kCounter},
    {"total_commands_processed", "commands_processed_total", kCounter},
    {"total_net_input_bytes", "net_input_bytes_total", kCounter},
    {"total_net_output_bytes", "net_output_bytes_total", kCounter},
    {"rejected_connections", "rejected_connections_total", kCounter},
    {"sync_full", "replica_resyncs_full"},
    {"sync_partial_ok", "replica_partial_resync_accepted"},
    {"sync_partial_err", "replica_partial_resync_denied"},
    {"expired_keys", "expired_keys_total", kCounter},
    {"expired_stale_perc", "expired_stale_percentage"},
    {"expired_time_cap_reached_count", "expired_time_cap_reached_total"},
    {"evicted_keys", "evicted_keys_total", kCounter},
    {"keyspace_hits", "keyspace_hits_total", kCounter},
    {"keyspace_misses", "keyspace_misses_total", kCounter},
    {"pubsub_channels", "pubsub_channels"},
    {"pubsub_patterns", "pubsub_patterns"},
    {"latest_fork_usec", "latest_fork_seconds", kGauge, Convert::kMicroseconds},
    {"migrate_cached_sockets", "migrate_cached_sockets_total"},
    {"slave_expires_tracked_keys", "slave_expires_tracked_keys"},
    {"active_defrag_hits", "defrag_hits"},
    {"active_defrag_misses", "defrag_misses"},
    {"active_defrag_key_hits", "defrag_key_hits"},
    {"active_defrag_key_misses", "defrag_key_misses"},
    {"tracking_total_keys", "tracking_total_keys"},
    {"tracking_total_items", "tracking_total_items"},
    {"tracking_total_prefixes", "tracking_total_prefixes"},
    {"unexpected_error_replies", "unexpected_error_replies", kCounter},
    {"total_error_replies", "total_error_replies", kCounter},
    {"dump_payload_sanitizations", "dump_payload_sanitizations", kCounter},
    {"total_reads_processed", "total_reads_processed", kCounter},
    {"total_writes_processed", "total_writes_processed", kCounter},
    {"io_threaded_reads_processed", "io_threaded_reads_processed", kCounter},
    {"io_threaded_writes_processed", "io_threaded_writes_processed", kCounter},
    {"slave_priority", "slave_priority"},
    {"connected_slaves", "connected_slaves"},
    {"master_repl_offset", "master_repl_offset"},
    {"second_repl_offset", "second_repl_offset"},
    {"repl_backlog_active", "repl_backlog_is_active"},
    {"repl_backlog_size", "replication_backlog_bytes"},
    {"repl_backlog_first_byte_offset", "repl_backlog_first_byte_offset"},
    {"repl_backlog_histlen", "repl_backlog_history_bytes"},
    {"used_cpu_sys", "cpu_sys_seconds_total", kCounter},
    {"used_cpu_user", "cpu_user_seconds_total", kCounter},
    {"used_cpu_sys_children", "cpu_sys_children_seconds_total", kCounter},
    {"used_cpu_user_children", "cpu_user_children_seconds_total", kCounter},
    {"used_cpu_sys_main_thread", "cpu_sys_main_thread_seconds_total", kCounter},
    {"used_cpu_user_main_thread", "cpu_user_main_thread_seconds_total", kCounter},
    {"cluster_enabled", "cluster_enabled"},
    {"io_threads_active", "io_threads_active"},
};

// The upper bounds of redis_command_latency_seconds' buckets, in nanoseconds.
constexpr int64_t kLatencyBoundsNs[] = {
    10'000,      25'000,      50'000,      100'000,       250'000,    500'000,
    1'000'000,   2'500'000,   5'000'000,   10'000'000,    25'000'000, 50'000'000,
    100'000'000, 250'000'000, 500'000'000, 1'000'000'000,
};

// INFO's "name:value" lines, in order.
class InfoFields {
 public:
  explicit InfoFields(std::string_view text) {
    while (!text.empty()) {
      const size_t end = text.find("\r\n");
      std::string_view line = text.substr(0, end);
      text.remove_prefix(end == std::string_view::npos ? text.size() : end + 2);
      const size_t colon = line.find(':');
      if (line.empty() || line[0] == '#' || colon == std::string_view::npos) continue;
      fields_.push_back({line.substr(0, colon), line.substr(colon + 1)});
    }
  }
  std::optional<std::string_view> Find(std::string_view name) const {
    for (const auto& [field, value] : fields_) {
      if (field == name) return value;
    }
    return std::nullopt;
  }
  // The fields whose names start with `prefix`, the prefix removed.
  std::vector<std::pair<std::string_view, std::string_view>> WithPrefix(
      std::string_view prefix) const {
    std::vector<std::pair<std::string_view, std::string_view>> found;
    for (const auto& [field, value] : fields_) {
      if (field.starts_with(prefix)) found.push_back({field.substr(prefix.size()), value});
    }
    return found;
  }

 private:
  std::vector<std::pair<std::string_view, std::string_view>> fields_;
};

// A "key=value,key=value" INFO value's `key`, or empty.
std::string_view Attribute(std::string_view value, std::string_view key) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view pair = value.substr(0, comma);
    value.remove_prefix(comma == std::string_view::npos ? value.size() : comma + 1);
    if (pair.size() > key.size() && pair.starts_with(key) && pair[key.size()] == '=') {
      return pair.substr(key.size() + 1);
    }
  }
  return {};
}

// Attribute for a sample's value: "0" when INFO lacks it, so no sample line is left without one.
std::string_view Figure(std::string_view value, std::string_view key) {
  const std::string_view found = Attribute(value, key);
  return found.empty() ? "0" : found;
}

double Number(std::string_view text) {
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// Prometheus's text format: each family's TYPE line, then its samples.
class Writer {
 public:
  void Family(std::string_view name, std::string_view type) {
    fmt::format_to(std::back_inserter(out_), "# TYPE redis_{} {}\n", name, type);
  }
  void Family(std::string_view name, Type type) {
    Family(name, type == Type::kCounter ? "counter" : "gauge");
  }
  // `labels` is empty or `name="value",...` with the values escaped.
  template <typename T>
  void Sample(std::string_view name, std::string_view labels, const T& value) {
    if (labels.empty()) {
      fmt::format_to(std::back_inserter(out_), "redis_{} {}\n", name, value);
    } else {
      fmt::format_to(std::back_inserter(out_), "redis_{}{{{}}} {}\n", name, labels, value);
    }
  }
  template <typename T>
  void Single(std::string_view name, Type type, const T& value) {
    Family(name, type);
    Sample(name, "", value);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// A label value with Prometheus's escapes.
std::string Escaped(std::string_view value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\' || c == '"') escaped.push_back('\\');
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped.push_back(c);
  }
  return escaped;
}

void WritePlainFields(const InfoFields& info, Writer& out) {
  for (const InfoMetric& metric : kInfoMetrics) {
    const std::optional<std::string_view> value = info.Find(metric.field);
    if (!value) continue;
    switch (metric.convert) {
      case Convert::kNumber:
        out.Single(metric.name, metric.type, *value);
        break;
      case Convert::kOkIsOne:
        out.Single(metric.name, metric.type, *value == "ok" ? 1 : 0);
        break;
      case Convert::kMicroseconds:
        out.Single(metric.name, metric.type, Number(*value) / 1e6);
        break;
    }
  }
}

void WriteInstance(const InfoFields& info, Writer& out) {
  const auto field = [&](std::string_view name) { return Escaped(info.Find(name).value_or("")); };
  out.Family("instance_info", Type::kGauge);
  out.Sample("instance_info",
             fmt::format("maxmemory_policy=\"{}\",os=\"{}\",process_id=\"{}\","
                         "redis_build_id=\"{}\",redis_mode=\"{}\",redis_version=\"{}\","
                         "role=\"{}\",run_id=\"{}\",tcp_port=\"{}\"",
                         field("maxmemory_policy"), field("os"), field("process_id"),
                         field("redis_build_id"), field("redis_mode"), field("redis_version"),
                         field("role"), field("run_id"), field("tcp_port")),
             1);
  const int64_t uptime = static_cast<int64_t>(Number(info.Find("uptime_in_seconds").value_or("")));
  out.Single("start_time_seconds", Type::kGauge, static_cast<int64_t>(std::time(nullptr)) - uptime);
}

// A replica's link to its primary, and a primary's replicas.
void WriteReplication(const InfoFields& info, Writer& out) {
  if (const std::optional<std::string_view> host = info.Find("master_host")) {
    const std::string labels = fmt::format("master_host=\"{}\",master_port=\"{}\"", Escaped(*host),
                                           info.Find("master_port").value_or(""));
    const auto labelled = [&](std::string_view name, std::string_view value) {
      out.Family(name, Type::kGauge);
      out.Sample(name, labels, value);
    };
    labelled("master_link_up", info.Find("master_link_status") == "up" ? "1" : "0");
    labelled("master_last_io_seconds_ago", info.Find("master_last_io_seconds_ago").value_or("0"));
    labelled("master_sync_in_progress", info.Find("master_sync_in_progress").value_or("0"));
    labelled("slave_repl_offset", info.Find("slave_repl_offset").value_or("0"));
    out.Family("slave_info", Type::kGauge);
    out.Sample("slave_info",
               fmt::format("{},read_only=\"{}\"", labels,
                           Escaped(info.Find("slave_read_only").value_or(""))),
               1);
  }
  const auto replicas = info.WithPrefix("slave");
  std::vector<std::pair<std::string, std::string_view>> lines;  // labels, value
  for (const auto& [suffix, value] : replicas) {
    if (suffix.empty() || suffix.find_first_not_of("0123456789") != std::string_view::npos) {
      continue;  // slave_repl_offset and the like, not slaveN
    }
    lines.push_back({fmt::format("slave_ip=\"{}\",slave_port=\"{}\",slave_state=\"{}\"",
                                 Escaped(Attribute(value, "ip")), Attribute(value, "port"),
                                 Escaped(Attribute(value, "state"))),
                     value});
  }
  if (lines.empty()) return;
  out.Family("connected_slave_offset_bytes", Type::kGauge);
  for (const auto& [labels, value] : lines) {
    out.Sample("connected_slave_offset_bytes", labels, Figure(value, "offset"));
  }
  out.Family("connected_slave_lag_seconds", Type::kGauge);
  for (const auto& [labels, value] : lines) {
    out.Sample("connected_slave_lag_seconds", labels, Figure(value, "lag"));
  }
}

// commandstats, latencystats and errorstats.
void WriteCommands(Server& server, const InfoFields& info, Writer& out) {
  const auto stats = info.WithPrefix("cmdstat_");
  // Each family reads one attribute, divided by `divisor` (microseconds to seconds).
  const auto family = [&](std::string_view name, std::string_view attribute, double divisor) {
    out.Family(name, Type::kCounter);
    for (const auto& [command, value] : stats) {
      const std::string labels = fmt::format("cmd=\"{}\"", Escaped(command));
      if (divisor == 1) {
        out.Sample(name, labels, Figure(value, attribute));
      } else {
        out.Sample(name, labels, Number(Figure(value, attribute)) / divisor);
      }
    }
  };
  family("commands_total", "calls", 1);
  family("commands_duration_seconds_total", "usec", 1e6);
  family("commands_rejected_calls_total", "rejected_calls", 1);
  family("commands_failed_calls_total", "failed_calls", 1);

  // latencystats as a summary: each percentile INFO lists, with commandstats' sum and count.
  out.Family("latency_percentiles_usec", "summary");
  for (const auto& [command, value] : info.WithPrefix("latency_percentiles_usec_")) {
    const std::string cmd = Escaped(command);
    for (std::string_view rest = value; !rest.empty();) {
      const size_t comma = rest.find(',');
      const std::string_view pair = rest.substr(0, comma);
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
      const size_t equals = pair.find('=');
      if (pair.size() < 2 || pair[0] != 'p' || equals == std::string_view::npos) continue;
      out.Sample("latency_percentiles_usec",
                 fmt::format("cmd=\"{}\",quantile=\"{}\"", cmd, pair.substr(1, equals - 1)),
                 pair.substr(equals + 1));
    }
    const std::optional<std::string_view> calls = info.Find(fmt::format("cmdstat_{}", command));
    const std::string labels = fmt::format("cmd=\"{}\"", cmd);
    out.Sample("latency_percentiles_usec_sum", labels, Figure(calls.value_or(""), "usec"));
    out.Sample("latency_percentiles_usec_count", labels, Figure(calls.value_or(""), "calls"));
  }

  // Magnetar's own: every tracked command's histogram, with cumulative buckets.
  out.Family("command_latency_seconds", "histogram");
  const auto histogram = [&](const commands::RegisteredCommand& command) {
    const LatencyHistogram* latency = command.stats.latency.get();
    if (latency == nullptr) return;
    const std::string cmd = Escaped(command.spec->name);
    const std::vector<uint64_t> counts = latency->CountsAtOrBelow(kLatencyBoundsNs);
    for (size_t i = 0; i < counts.size(); ++i) {
      out.Sample("command_latency_seconds_bucket",
                 fmt::format("cmd=\"{}\",le=\"{}\"", cmd, kLatencyBoundsNs[i] / 1e9), counts[i]);
    }
    out.Sample("command_latency_seconds_bucket", fmt::format("cmd=\"{}\",le=\"+Inf\"", cmd),
               latency->total());
    out.Sample("command_latency_seconds_sum", fmt::format("cmd=\"{}\"", cmd),
               static_cast<double>(command.stats.usec) / 1e6);
    out.Sample("command_latency_seconds_count", fmt::format("cmd=\"{}\"", cmd), latency->total());
  };
  for (const commands::RegisteredCommand* command : server.registry().commands()) {
    histogram(*command);
    for (const commands::RegisteredCommand* sub : command->subcommands) histogram(*sub);
  }

  out.Family("errors_total", Type::kCounter);
  for (const auto& [code, value] : info.WithPrefix("errorstat_")) {
    out.Sample("errors_total", fmt::format("err=\"{}\"", Escaped(code)), Figure(value, "count"));
  }
}

// Every database's key counts (0 for an empty one), and the average TTL of those with keys.
void WriteKeyspace(Server& server, const InfoFields& info, Writer& out) {
  const size_t databases = static_cast<size_t>(server.config().databases);
  const auto per_db = [&](std::string_view name, std::string_view attribute, bool empty_too,
                          double divisor) {
    out.Family(name, Type::kGauge);
    for (size_t i = 0; i < databases; ++i) {
      const std::optional<std::string_view> value = info.Find(fmt::format("db{}", i));
      if (!value && !empty_too) continue;
      const std::string_view figure = value ? Figure(*value, attribute) : "0";
      out.Sample(name, fmt::format("db=\"db{}\"", i), Number(figure) / divisor);
    }
  };
  per_db("db_keys", "keys", true, 1);
  per_db("db_keys_expiring", "expires", true, 1);
  per_db("db_avg_ttl_seconds", "avg_ttl", false, 1000);
}

void WriteServerState(Server& server, Writer& out) {
  const Config& config = server.config();
  out.Single("config_maxclients", Type::kGauge, config.maxclients);
  out.Single("config_maxmemory", Type::kGauge, config.maxmemory);
  out.Single("config_io_threads", Type::kGauge, 1);

  const std::deque<SlowlogEntry>& slowlog = server.slowlog().entries();
  out.Single("slowlog_length", Type::kGauge, slowlog.size());
  out.Single("slowlog_last_id", Type::kGauge, slowlog.empty() ? 0 : slowlog.front().id);
  out.Single("last_slow_execution_duration_seconds", Type::kGauge,
             slowlog.empty() ? 0 : static_cast<double>(slowlog.front().duration_us) / 1e6);

  const std::vector<LatencyMonitor::Series>& events = server.latency_monitor().series();
  out.Family("latency_spike_last", Type::kGauge);
  for (const LatencyMonitor::Series& series : events) {
    out.Sample("latency_spike_last", fmt::format("event_name=\"{}\"", Escaped(series.event)),
               series.latest().unix_seconds);
  }
  out.Family("latency_spike_duration_seconds", Type::kGauge);
  for (const LatencyMonitor::Series& series : events) {
    out.Sample("latency_spike_duration_seconds",
               fmt::format("event_name=\"{}\"", Escaped(series.event)),
               static_cast<double>(series.latest().latency_ms) / 1e3);
  }
}

}  // namespace

std::string RenderPrometheusMetrics(Server& server) {
  constexpr std::string_view kEverything[] = {"everything"};
  const std::string text = info::Render(server, kEverything);
  const InfoFields info(text);
  Writer out;
  out.Single("up", Type::kGauge, 1);
  WriteInstance(info, out);
  WritePlainFields(info, out);
  WriteReplication(info, out);
  WriteCommands(server, info, out);
  WriteKeyspace(server, info, out);
  WriteServerState(server, out);
  return out.Take();
}

}  // namespace magnetar::server
