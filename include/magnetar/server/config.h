// The server's configuration: one struct, filled from redis.conf syntax and the command line, and
// changed at run time by CONFIG SET. Field names follow the redis.conf directives.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "magnetar/engine/eviction.h"

namespace magnetar::server {

// Redis 7.0's levels ("nothing" came with 7.2).
enum class LogLevel { kDebug, kVerbose, kNotice, kWarning };

// enable-debug-command and its siblings: no, yes, or only from loopback / unix socket.
enum class ProtectedAccess { kNo, kYes, kLocal };

// sanitize-dump-payload: how deeply RESTORE checks a payload (yes and clients: every element).
enum class SanitizeDumpPayload { kNo, kYes, kClients };

// appendfsync: when the append-only file's writes reach the disk.
enum class AppendFsync { kAlways, kEverysec, kNo };

// repl-diskless-load: how a replica takes its primary's RDB payload.
enum class ReplDisklessLoad { kDisabled, kOnEmptyDb, kSwapDb };

struct OutputBufferLimit {
  uint64_t hard_bytes = 0;
  uint64_t soft_bytes = 0;
  int64_t soft_seconds = 0;
};

struct Config {
  // Where the configuration came from, for CONFIG REWRITE and INFO server.
  std::string config_file;  // absolute path, empty when started without one
  std::string executable;   // absolute path of the binary

  bool daemonize = false;
  std::string pidfile;
  std::string logfile;  // empty: standard output
  LogLevel loglevel = LogLevel::kNotice;
  std::string dir = ".";

  std::vector<std::string> bind = {"*", "-::*"};
  int port = 6379;
  // Magnetar's own: the port of the Prometheus endpoint (GET /metrics) on the `bind` addresses;
  // 0 (the default) serves none.
  int metrics_port = 0;
  std::string unixsocket;
  unsigned unixsocketperm = 0;
  int tcp_backlog = 511;
  int tcp_keepalive = 300;
  int timeout = 0;  // seconds a client may stay idle; 0: forever
  int maxclients = 10000;
  int databases = 16;
  std::string requirepass;
  bool protected_mode = true;
  ProtectedAccess enable_debug_command = ProtectedAccess::kNo;
  int hz = 10;

  // notify-keyspace-events: the engine's NotifyClass bits (engine/keyspace_observer.h) of the
  // keyspace events published; 0 publishes none.
  uint32_t notify_keyspace_events = 0;

  // Deletions the server makes on its own behalf are propagated as UNLINK rather than DEL.
  bool lazyfree_lazy_expire = false;    // keys removed by expiry
  bool lazyfree_lazy_user_del = false;  // DEL, and GETDEL's deletion

  // maxmemory and eviction (engine/eviction.h, docs/eviction.md).
  uint64_t maxmemory = 0;  // bytes; 0: no limit
  engine::EvictionPolicy maxmemory_policy = engine::EvictionPolicy::kNoEviction;
  int64_t maxmemory_samples = 5;
  int64_t maxmemory_eviction_tenacity = 10;
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;           // minutes
  bool lazyfree_lazy_eviction = false;  // evicted keys are UNLINKed

  // When compact encodings convert (engine/encoding_limits.h has the meanings).
  int64_t list_max_listpack_size = -2;
  int64_t list_compress_depth = 0;
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int64_t hll_sparse_max_bytes = 3000;

  // SLOWLOG (server/slowlog.h): commands that run at least this many microseconds are logged;
  // -1 logs none. The log keeps the newest slowlog_max_len entries.
  int64_t slowlog_log_slower_than = 10000;
  int64_t slowlog_max_len = 128;
  // The latency monitor (server/latency_monitor.h) records events that last at least this many
  // milliseconds; 0 records none.
  int64_t latency_monitor_threshold = 0;
  // Per-command latency histograms (LATENCY HISTOGRAM) and the percentiles INFO latencystats
  // prints from them.
  bool latency_tracking = true;
  std::vector<double> latency_tracking_info_percentiles = {50, 99, 99.9};

  // RDB persistence (docs/persistence.md). Save points: a BGSAVE starts once at least `changes`
  // writes happened and `seconds` passed since the last save. Redis 7.0's default.
  struct SavePoint {
    int64_t seconds;
    int64_t changes;
  };
  std::vector<SavePoint> save = {{3600, 1}, {300, 100}, {60, 10000}};
  std::string dbfilename = "dump.rdb";
  bool rdbcompression = true;
  SanitizeDumpPayload sanitize_dump_payload = SanitizeDumpPayload::kNo;
  bool rdbchecksum = true;
  bool rdb_del_sync_files = false;
  bool stop_writes_on_bgsave_error = true;
  bool rdb_save_incremental_fsync = true;  // fsync an RDB file every 4 MB as it is written
  // The append-only file (server/aof.h, docs/persistence.md): Redis 7.0's multi-part layout in
  // dir/appenddirname, files named after appendfilename.
  bool appendonly = false;
  AppendFsync appendfsync = AppendFsync::kEverysec;
  std::string appenddirname = "appendonlydir";
  std::string appendfilename = "appendonly.aof";
  bool aof_use_rdb_preamble = true;
  bool aof_load_truncated = true;
  bool aof_timestamp_enabled = false;  // "#TS:<unix time>" lines before the writes of a second
  bool aof_rewrite_incremental_fsync = true;  // fsync a rewrite's base every 4 MB as it is written
  bool no_appendfsync_on_rewrite = false;     // no fsync while a rewrite or a save writes its file
  // The automatic rewrite: when the AOF has grown by this percentage over its size after the last
  // rewrite (or the load) and is at least the minimum size. 0 turns it off.
  int auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64 * 1024 * 1024;
  // Replication (server/replication.h, docs/replication.md). Redis 7.0's defaults.
  std::string replicaof_host;  // empty: a primary
  int replicaof_port = 0;
  std::string masterauth;
  std::string masteruser;
  int64_t repl_backlog_size = 1024 * 1024;
  int64_t repl_backlog_ttl = 3600;  // seconds without replicas before the backlog is freed
  bool repl_diskless_sync = true;
  int64_t repl_diskless_sync_delay = 5;  // seconds a full sync waits for more replicas
  int64_t repl_diskless_sync_max_replicas = 0;
  ReplDisklessLoad repl_diskless_load = ReplDisklessLoad::kDisabled;
  int64_t repl_ping_replica_period = 10;  // seconds
  int64_t repl_timeout = 60;              // seconds
  int64_t min_replicas_to_write = 0;
  int64_t min_replicas_max_lag = 10;  // seconds
  bool replica_read_only = true;
  bool replica_serve_stale_data = true;
  int64_t replica_priority = 100;
  std::string replica_announce_ip;
  int64_t replica_announce_port = 0;
  int64_t proto_max_bulk_len = 512ll * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024ll * 1024 * 1024;
  OutputBufferLimit client_output_buffer_limit_normal = {};
  OutputBufferLimit client_output_buffer_limit_replica = {256ull << 20, 64ull << 20, 60};
  OutputBufferLimit client_output_buffer_limit_pubsub = {32ull << 20, 8ull << 20, 60};
};

// A configuration that cannot be used; the message is what Redis would print, e.g. the
// "*** FATAL CONFIG FILE ERROR ***" block naming the file, line and reason.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace magnetar::server

namespace magnetar::server {

// What redis-server's command line asks for: a configuration to run with, or an exit code and
// text to print (--help, --version).
struct CommandLine {
  Config config;
  bool run = true;
  int exit_code = 0;
  std::string output;                 // printed to stdout when !run
  std::vector<std::string> warnings;  // e.g. directives accepted but not implemented yet
};

// Parses `magnetar-server [config-file] [--<directive> <value> ...]`: the file (redis.conf syntax,
// with include) first, then the command-line directives on top. Throws ConfigError.
CommandLine ParseCommandLine(int argc, const char* const* argv);

}  // namespace magnetar::server
