#include "config_directives.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <type_traits>
#include <utility>

#include "config_values.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/numbers.h"
#include "magnetar/engine/eviction.h"
#include "magnetar/engine/keyspace_observer.h"

namespace magnetar::server {
namespace {

using commands::EqualsIgnoreCase;
using Lines = std::vector<std::string>;

// The type of the Config member `kField` points to.
template <auto kField>
using FieldType = std::remove_cvref_t<decltype(std::declval<Config&>().*kField)>;

template <auto kField>
struct YesNo {
  static std::string Set(Config& config, ConfigArgs args) {
    std::optional<bool> value = ParseYesNo(args[0]);
    if (!value) return "argument must be 'yes' or 'no'";
    config.*kField = *value;
    return {};
  }
  static std::string Get(const Config& config) { return config.*kField ? "yes" : "no"; }
  static Lines Rewrite(const Config& config) { return {Get(config)}; }
};

// An integer accepted in [kMin, kMax] and then stored clamped to [kLow, kHigh]: Redis clamps hz
// to 1..500 rather than refusing, and Magnetar stores maxclients (up to 2^32-1 in Redis) in an
// int, which the open files limit reduces far below that anyway.
template <auto kField, int64_t kMin, int64_t kMax, int64_t kLow = kMin, int64_t kHigh = kMax>
struct Integer {
  static std::string Set(Config& config, ConfigArgs args) {
    std::optional<int64_t> value = ParseInt64(args[0]);
    if (!value) return "argument couldn't be parsed into an integer";
    if (*value < kMin || *value > kMax) return RangeError(kMin, kMax);
    config.*kField = static_cast<FieldType<kField>>(std::clamp(*value, kLow, kHigh));
    return {};
  }
  static std::string Get(const Config& config) { return std::to_string(config.*kField); }
  static Lines Rewrite(const Config& config) { return {Get(config)}; }
};

// Bytes, written with units ("1gb") by CONFIG REWRITE and as plain bytes by CONFIG GET.
template <auto kField, int64_t kMin, int64_t kMax>
struct Memory {
  static std::string Set(Config& config, ConfigArgs args) {
    std::optional<int64_t> value = ParseMemory(args[0]);
    if (!value) return "argument must be a memory value";
    if (*value < kMin || *value > kMax) return RangeError(kMin, kMax);
    config.*kField = *value;
    return {};
  }
  static std::string Get(const Config& config) { return std::to_string(config.*kField); }
  static Lines Rewrite(const Config& config) { return {FormatMemory(config.*kField)}; }
};

// maxmemory is unsigned: Redis takes any memory value up to 2^64-1 (digits beyond saturate, a unit
// then wraps), so there is no range error.
struct MaxMemory {
  static std::string Set(Config& config, ConfigArgs args) {
    std::optional<int64_t> value = ParseMemory(args[0]);
    if (!value) return "argument must be a memory value";
    config.maxmemory = static_cast<uint64_t>(*value);
    return {};
  }
  static std::string Get(const Config& config) { return std::to_string(config.maxmemory); }
  static Lines Rewrite(const Config& config) {
    if (config.maxmemory > INT64_MAX) return {Get(config)};
    return {FormatMemory(static_cast<int64_t>(config.maxmemory))};
  }
};

// A string. For pidfile, unixsocket and requirepass Redis treats the empty string as "not set",
// and CONFIG REWRITE then removes the directive instead of writing "".
template <auto kField, bool kEmptyIsUnset>
struct Text {
  static std::string Set(Config& config, ConfigArgs args) {
    config.*kField = std::string(args[0]);
    return {};
  }
  static std::string Get(const Config& config) { return config.*kField; }
  static Lines Rewrite(const Config& config) {
    if (kEmptyIsUnset && (config.*kField).empty()) return {};
    return {QuoteArg(config.*kField)};
  }
};

// An enum whose values are the positions of kNames.
template <auto kField, const auto& kNames>
struct Choice {
  static std::string Set(Config& config, ConfigArgs args) {
    for (size_t i = 0; i < kNames.size(); ++i) {
      if (EqualsIgnoreCase(args[0], kNames[i])) {
        config.*kField = static_cast<FieldType<kField>>(i);
        return {};
      }
    }
    return fmt::format("argument(s) must be one of the following: {}", fmt::join(kNames, ", "));
  }
  static std::string Get(const Config& config) {
    auto index = static_cast<size_t>(config.*kField);
    return index < kNames.size() ? std::string(kNames[index]) : std::string();
  }
  static Lines Rewrite(const Config& config) { return {Get(config)}; }
};

constexpr std::array<std::string_view, 4> kLogLevelNames = {"debug", "verbose", "notice",
                                                            "warning"};
constexpr std::array<std::string_view, 3> kProtectedAccessNames = {"no", "yes", "local"};
static_assert(static_cast<int>(LogLevel::kWarning) == 3);
static_assert(static_cast<int>(ProtectedAccess::kLocal) == 2);
constexpr std::array<std::string_view, 3> kSanitizeDumpPayloadNames = {"no", "yes", "clients"};
static_assert(static_cast<int>(SanitizeDumpPayload::kClients) == 2);

struct UnixSocketPerm {
  static constexpr int64_t kMax = 0777;
  static std::string Set(Config& config, ConfigArgs args) {
    std::optional<int64_t> value = ParseCLong(args[0], 8);
    if (!value) return "argument couldn't be parsed as an octal number";
    if (*value < 0 || *value > kMax) {
      return fmt::format("argument must be between 0 and {:o} inclusive", kMax);
    }
    config.unixsocketperm = static_cast<unsigned>(*value);
    return {};
  }
  static std::string Get(const Config& config) {
    return fmt::format("{:o}", config.unixsocketperm);
  }
  static Lines Rewrite(const Config& config) { return {Get(config)}; }
};

struct Bind {
  static constexpr size_t kMaxAddresses = 16;
  static std::string Set(Config& config, ConfigArgs args) {
    if (args.size() > kMaxAddresses) return "Too many bind addresses specified.";
    config.bind.assign(args.begin(), args.end());
    return {};
  }
  static std::string Get(const Config& config) {
    return fmt::format("{}", fmt::join(config.bind, " "));
  }
  static Lines Rewrite(const Config& config) { return {Get(config)}; }
};

// The working directory. Redis changes into it while it reads the configuration, so a later
// relative `dir` or `include` is relative to it; Magnetar keeps the absolute path instead and
// the server changes into it at startup.
struct Dir {
  static std::string Set(Config& config, ConfigArgs args) {
    namespace fs = std::filesystem;
    if (args[0].empty()) return std::strerror(ENOENT);
    std::error_code ignored;
    fs::path target = fs::absolute(config.dir, ignored) / std::string(args[0]);
    struct stat info;
    if (stat(target.c_str(), &info) != 0) return std::strerror(errno);
    if (!S_ISDIR(info.st_mode)) return std::strerror(ENOTDIR);
    if (access(target.c_str(), X_OK) != 0) return std::strerror(errno);
    std::error_code error;
    fs::path resolved = fs::canonical(target, error);
    config.dir = error ? target.lexically_normal().string() : resolved.string();
    return {};
  }
  // As Redis reports its current directory.
  static std::string Get(const Config& config) {
    namespace fs = std::filesystem;
    std::error_code error;
    fs::path resolved = fs::weakly_canonical(fs::absolute(config.dir, error), error);
    return error ? config.dir : resolved.string();
  }
  static Lines Rewrite(const Config& config) { return {QuoteArg(Get(config))}; }
};

// client-output-buffer-limit <class> <hard> <soft> <soft seconds> [<class> ...]
struct OutputBufferLimits {
  struct Class {
    std::string_view name;
    OutputBufferLimit Config::*field;
  };
  // CONFIG GET names the replica class "slave", CONFIG REWRITE "replica"; both are accepted.
  static constexpr Class kClasses[] = {
      {"normal", &Config::client_output_buffer_limit_normal},
      {"slave", &Config::client_output_buffer_limit_replica},
      {"replica", &Config::client_output_buffer_limit_replica},
      {"pubsub", &Config::client_output_buffer_limit_pubsub},
  };
  static constexpr Class kWritten[] = {kClasses[0], kClasses[2], kClasses[3]};

  static std::string Set(Config& config, ConfigArgs args) {
    if (args.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
    // Every group is checked before any is applied.
    std::vector<std::pair<OutputBufferLimit Config::*, OutputBufferLimit>> updates;
    for (size_t i = 0; i < args.size(); i += 4) {
      auto found = std::find_if(std::begin(kClasses), std::end(kClasses),
                                [&](const Class& c) { return EqualsIgnoreCase(c.name, args[i]); });
      if (found == std::end(kClasses)) {
        return "Invalid client class specified in buffer limit configuration.";
      }
      std::optional<int64_t> hard = ParseMemory(args[i + 1]);
      std::optional<int64_t> soft = ParseMemory(args[i + 2]);
      std::optional<int64_t> seconds = ParseCLong(args[i + 3], 10);
      if (!hard || !soft || !seconds || *seconds < 0) {
        return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
      }
      updates.emplace_back(found->field, OutputBufferLimit{static_cast<uint64_t>(*hard),
                                                           static_cast<uint64_t>(*soft), *seconds});
    }
    for (const auto& [field, limit] : updates) config.*field = limit;
    return {};
  }
  static std::string Get(const Config& config) {
    std::string text;
    for (const Class& c : {kClasses[0], kClasses[1], kClasses[3]}) {
      const OutputBufferLimit& limit = config.*c.field;
      fmt::format_to(std::back_inserter(text), "{}{} {} {} {}", text.empty() ? "" : " ", c.name,
                     limit.hard_bytes, limit.soft_bytes, limit.soft_seconds);
    }
    return text;
  }
  static Lines Rewrite(const Config& config) {
    Lines lines;
    for (const Class& c : kWritten) {
      const OutputBufferLimit& limit = config.*c.field;
      lines.push_back(
          fmt::format("{} {} {} {}", c.name, FormatMemory(static_cast<int64_t>(limit.hard_bytes)),
                      FormatMemory(static_cast<int64_t>(limit.soft_bytes)), limit.soft_seconds));
    }
    return lines;
  }
};

// notify-keyspace-events: one letter per class of keyspace events, stored as NotifyClass bits.
struct NotifyKeyspaceEvents {
  struct Letter {
    char letter;
    uint32_t klass;
  };
  // CONFIG GET writes the classes in this order, but all of kAll as "A" and then, as Redis 7.0
  // does, not 'n' even when it is set ('n' still takes effect).
  static constexpr Letter kClassLetters[] = {
      {'g', engine::kNotifyGeneric}, {'$', engine::kNotifyString},  {'l', engine::kNotifyList},
      {'s', engine::kNotifySet},     {'h', engine::kNotifyHash},    {'z', engine::kNotifyZset},
      {'x', engine::kNotifyExpired}, {'e', engine::kNotifyEvicted}, {'t', engine::kNotifyStream},
      {'d', engine::kNotifyModule},  {'n', engine::kNotifyNew},
  };
  // Written after the classes, whether or not they were written as "A".
  static constexpr Letter kTrailingLetters[] = {{'K', engine::kNotifyKeyspace},
                                                {'E', engine::kNotifyKeyevent},
                                                {'m', engine::kNotifyKeyMiss}};
  // What 'A' stands for: every class but key misses (m) and new keys (n).
  static constexpr uint32_t kAll =
      engine::kNotifyGeneric | engine::kNotifyString | engine::kNotifyList | engine::kNotifySet |
      engine::kNotifyHash | engine::kNotifyZset | engine::kNotifyExpired | engine::kNotifyEvicted |
      engine::kNotifyStream | engine::kNotifyModule;

  static std::string Set(Config& config, ConfigArgs args) {
    uint32_t mask = 0;
    for (char c : args[0]) {
      uint32_t klass = c == 'A' ? kAll : 0;
      for (const auto& letters :
           {std::span<const Letter>(kClassLetters), std::span<const Letter>(kTrailingLetters)}) {
        for (const Letter& letter : letters) {
          if (letter.letter == c) klass = letter.klass;
        }
      }
      if (klass == 0) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
      mask |= klass;
    }
    config.notify_keyspace_events = mask;
    return {};
  }
  static std::string Get(const Config& config) {
    const uint32_t mask = config.notify_keyspace_events;
    std::string text;
    if ((mask & kAll) == kAll) {
      text = "A";
    } else {
      for (const Letter& letter : kClassLetters) {
        if (mask & letter.klass) text.push_back(letter.letter);
      }
    }
    for (const Letter& letter : kTrailingLetters) {
      if (mask & letter.klass) text.push_back(letter.letter);
    }
    return text;
  }
  static Lines Rewrite(const Config& config) { return {QuoteArg(Get(config))}; }
};

// latency-tracking-info-percentiles <p> [<p> ...], each in [0, 100], or "" for none.
struct Percentiles {
  static std::string Set(Config& config, ConfigArgs args) {
    if (args.size() == 1 && args[0].empty()) args = {};
    std::vector<double> percentiles;
    for (std::string_view arg : args) {
      std::optional<double> value = ParseDouble(arg);
      if (!value) return "Invalid latency-tracking-info-percentiles parameters";
      if (*value < 0.0 || *value > 100.0) {
        return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
      }
      percentiles.push_back(*value);
    }
    config.latency_tracking_info_percentiles = std::move(percentiles);
    return {};
  }
  static std::string Get(const Config& config) {
    std::string text;
    for (double percentile : config.latency_tracking_info_percentiles) {
      if (!text.empty()) text += ' ';
      text += FormatPercentile(percentile);
    }
    return text;
  }
  static Lines Rewrite(const Config& config) {
    if (config.latency_tracking_info_percentiles.empty()) return {"\"\""};
    return {Get(config)};
  }
};

// save <seconds> <changes> [<seconds> <changes> ...], or `save ""` for none. Redis replaces the
// list on each occurrence in a file (a later `save` line overrides the defaults, lines add up).
struct Save {
  static std::string Set(Config& config, ConfigArgs args) {
    // A single empty argument (`save ""`) means no save points.
    if (args.size() == 1 && args[0].empty()) args = {};
    if (args.size() % 2 != 0) return "Invalid save parameters";
    std::vector<Config::SavePoint> points;
    for (size_t i = 0; i < args.size(); i += 2) {
      // Pairs of <seconds> (at least 1) and <changes> (at least 0).
      std::optional<int64_t> seconds = ParseCLong(args[i], 10);
      std::optional<int64_t> changes = ParseCLong(args[i + 1], 10);
      if (!seconds || *seconds < 1 || !changes || *changes < 0) return "Invalid save parameters";
      points.push_back({*seconds, *changes});
    }
    config.save = std::move(points);
    return {};
  }
  static std::string Get(const Config& config) {
    std::string text;
    for (const Config::SavePoint& point : config.save) {
      if (!text.empty()) text += ' ';
      text += fmt::format("{} {}", point.seconds, point.changes);
    }
    return text;
  }
  static Lines Rewrite(const Config& config) {
    if (config.save.empty()) return {"\"\""};
    Lines lines;
    for (const Config::SavePoint& point : config.save) {
      lines.push_back(fmt::format("{} {}", point.seconds, point.changes));
    }
    return lines;
  }
};

// dbfilename: a name inside `dir`, never a path (Redis refuses one).
struct DbFilename {
  static std::string Set(Config& config, ConfigArgs args) {
    if (args[0].find('/') != std::string_view::npos) {
      return "dbfilename can't be a path, just a filename";
    }
    config.dbfilename = std::string(args[0]);
    return {};
  }
  static std::string Get(const Config& config) { return config.dbfilename; }
  static Lines Rewrite(const Config& config) { return {QuoteArg(config.dbfilename)}; }
};

// appendfilename and appenddirname: names inside `dir`, never paths (Redis refuses one).
template <auto kField, const char* kWhat>
struct FileName {
  static std::string Set(Config& config, ConfigArgs args) {
    if (args[0].find('/') != std::string_view::npos) {
      return fmt::format("{} can't be a path, just a filename", kWhat);
    }
    config.*kField = std::string(args[0]);
    return {};
  }
  static std::string Get(const Config& config) { return config.*kField; }
  static Lines Rewrite(const Config& config) { return {QuoteArg(config.*kField)}; }
};
constexpr char kAppendFilename[] = "appendfilename";
constexpr char kAppendDirname[] = "appenddirname";

constexpr std::array<std::string_view, 3> kAppendFsyncNames = {"always", "everysec", "no"};
static_assert(static_cast<int>(AppendFsync::kNo) == 2);

template <typename T>
constexpr Directive Row(std::string_view name, uint32_t flags = 0) {
  return {name, flags, &T::Set, &T::Get, &T::Rewrite};
}

template <typename T>
constexpr Directive AliasRow(std::string_view name, std::string_view canonical,
                             uint32_t flags = 0) {
  Directive row = Row<T>(name, flags);
  row.alias_of = canonical;
  return row;
}

constexpr int64_t kMb = 1024 * 1024;

constexpr std::array<std::string_view, 3> kReplDisklessLoadNames = {"disabled", "on-empty-db",
                                                                    "swapdb"};
static_assert(static_cast<int>(ReplDisklessLoad::kSwapDb) == 2);

// replicaof <host> <port> in a file or on the command line; REPLICAOF changes it at run time.
struct ReplicaOf {
  static std::string Set(Config& config, ConfigArgs args) {
    if (args.size() != 2) return "wrong number of arguments";
    if (EqualsIgnoreCase(args[0], "no") && EqualsIgnoreCase(args[1], "one")) {
      config.replicaof_host.clear();
      config.replicaof_port = 0;
      return {};
    }
    std::optional<int64_t> port = ParseInt64(args[1]);
    if (!port || *port < 0 || *port > 65535) return "Invalid master port";
    config.replicaof_host = std::string(args[0]);
    config.replicaof_port = static_cast<int>(*port);
    return {};
  }
  static std::string Get(const Config& config) {
    if (config.replicaof_host.empty()) return {};
    return fmt::format("{} {}", config.replicaof_host, config.replicaof_port);
  }
  static Lines Rewrite(const Config& config) {
    if (config.replicaof_host.empty()) return {};
    return {fmt::format("{} {}", QuoteArg(config.replicaof_host), config.replicaof_port)};
  }
};

// repl-backlog-size: Redis takes 1 and up, and keeps at least 16 KiB.
struct ReplBacklogSize {
  static constexpr int64_t kMinimum = 16 * 1024;
  static std::string Set(Config& config, ConfigArgs args) {
    std::optional<int64_t> value = ParseMemory(args[0]);
    if (!value) return "argument must be a memory value";
    if (*value < 1) return RangeError(1, INT64_MAX);
    config.repl_backlog_size = std::max(*value, kMinimum);
    return {};
  }
  static std::string Get(const Config& config) { return std::to_string(config.repl_backlog_size); }
  static Lines Rewrite(const Config& config) { return {FormatMemory(config.repl_backlog_size)}; }
};

// Magnetar cannot reopen its listeners yet, so port and bind are immutable here (Redis rebinds).
constexpr Directive kDirectives[] = {
    Row<Bind>("bind", kDirectiveImmutable | kDirectiveMultiArg),
    Row<Integer<&Config::port, 0, 65535>>("port", kDirectiveImmutable),
    Row<Integer<&Config::metrics_port, 0, 65535>>("metrics-port", kDirectiveImmutable),
    Row<YesNo<&Config::protected_mode>>("protected-mode"),
    Row<Integer<&Config::tcp_backlog, 0, INT_MAX>>("tcp-backlog", kDirectiveImmutable),
    Row<Text<&Config::unixsocket, true>>("unixsocket", kDirectiveImmutable),
    Row<UnixSocketPerm>("unixsocketperm", kDirectiveImmutable),
    Row<Integer<&Config::timeout, 0, INT_MAX>>("timeout"),
    Row<Integer<&Config::tcp_keepalive, 0, INT_MAX>>("tcp-keepalive"),
    Row<YesNo<&Config::daemonize>>("daemonize", kDirectiveImmutable),
    Row<Text<&Config::pidfile, true>>("pidfile", kDirectiveImmutable),
    Row<Choice<&Config::loglevel, kLogLevelNames>>("loglevel"),
    Row<Text<&Config::logfile, false>>("logfile", kDirectiveImmutable),
    Row<Integer<&Config::databases, 1, INT_MAX>>("databases", kDirectiveImmutable),
    Row<Dir>("dir", kDirectiveProtected | kDirectiveAlwaysRewrite),
    Row<Text<&Config::requirepass, true>>("requirepass"),
    Row<Integer<&Config::maxclients, 1, UINT32_MAX, 1, INT_MAX>>("maxclients"),
    Row<Choice<&Config::enable_debug_command, kProtectedAccessNames>>("enable-debug-command",
                                                                      kDirectiveImmutable),
    Row<Integer<&Config::hz, 0, INT_MAX, 1, 500>>("hz"),
    Row<OutputBufferLimits>("client-output-buffer-limit", kDirectiveMultiArg),
    Row<Memory<&Config::client_query_buffer_limit, kMb, INT64_MAX>>("client-query-buffer-limit"),
    Row<Memory<&Config::proto_max_bulk_len, kMb, INT64_MAX>>("proto-max-bulk-len"),
    Row<NotifyKeyspaceEvents>("notify-keyspace-events"),
    Row<YesNo<&Config::lazyfree_lazy_expire>>("lazyfree-lazy-expire"),
    Row<YesNo<&Config::lazyfree_lazy_user_del>>("lazyfree-lazy-user-del"),
    Row<MaxMemory>("maxmemory"),
    Row<Choice<&Config::maxmemory_policy, engine::kEvictionPolicyNames>>("maxmemory-policy"),
    Row<Integer<&Config::maxmemory_samples, 1, INT_MAX>>("maxmemory-samples"),
    Row<Integer<&Config::maxmemory_eviction_tenacity, 0, 100>>("maxmemory-eviction-tenacity"),
    Row<Integer<&Config::lfu_log_factor, 0, INT_MAX>>("lfu-log-factor"),
    Row<Integer<&Config::lfu_decay_time, 0, INT_MAX>>("lfu-decay-time"),
    Row<YesNo<&Config::lazyfree_lazy_eviction>>("lazyfree-lazy-eviction"),
    Row<Integer<&Config::slowlog_log_slower_than, -1, INT64_MAX>>("slowlog-log-slower-than"),
    Row<Integer<&Config::slowlog_max_len, 0, INT64_MAX>>("slowlog-max-len"),
    Row<Integer<&Config::latency_monitor_threshold, 0, INT64_MAX>>("latency-monitor-threshold"),
    Row<YesNo<&Config::latency_tracking>>("latency-tracking"),
    Row<Percentiles>("latency-tracking-info-percentiles", kDirectiveMultiArg),
    Row<Save>("save", kDirectiveMultiArg | kDirectiveAllLinesOrNone),
    Row<DbFilename>("dbfilename", kDirectiveProtected),
    Row<YesNo<&Config::rdbcompression>>("rdbcompression"),
    Row<YesNo<&Config::rdbchecksum>>("rdbchecksum", kDirectiveImmutable),
    Row<YesNo<&Config::rdb_del_sync_files>>("rdb-del-sync-files"),
    Row<Choice<&Config::sanitize_dump_payload, kSanitizeDumpPayloadNames>>("sanitize-dump-payload"),
    Row<YesNo<&Config::stop_writes_on_bgsave_error>>("stop-writes-on-bgsave-error"),
    Row<YesNo<&Config::rdb_save_incremental_fsync>>("rdb-save-incremental-fsync"),
    Row<YesNo<&Config::appendonly>>("appendonly"),
    Row<Choice<&Config::appendfsync, kAppendFsyncNames>>("appendfsync"),
    Row<FileName<&Config::appendfilename, kAppendFilename>>("appendfilename", kDirectiveImmutable),
    Row<FileName<&Config::appenddirname, kAppendDirname>>("appenddirname", kDirectiveImmutable),
    Row<YesNo<&Config::aof_use_rdb_preamble>>("aof-use-rdb-preamble"),
    Row<YesNo<&Config::aof_load_truncated>>("aof-load-truncated"),
    Row<YesNo<&Config::aof_timestamp_enabled>>("aof-timestamp-enabled"),
    Row<YesNo<&Config::aof_rewrite_incremental_fsync>>("aof-rewrite-incremental-fsync"),
    Row<YesNo<&Config::no_appendfsync_on_rewrite>>("no-appendfsync-on-rewrite"),
    Row<Integer<&Config::auto_aof_rewrite_percentage, 0, INT_MAX>>("auto-aof-rewrite-percentage"),
    Row<Memory<&Config::auto_aof_rewrite_min_size, 0, INT64_MAX>>("auto-aof-rewrite-min-size"),
    Row<ReplicaOf>("replicaof", kDirectiveImmutable | kDirectiveMultiArg),
    AliasRow<ReplicaOf>("slaveof", "replicaof", kDirectiveImmutable | kDirectiveMultiArg),
    Row<Text<&Config::masterauth, true>>("masterauth"),
    Row<Text<&Config::masteruser, true>>("masteruser"),
    Row<ReplBacklogSize>("repl-backlog-size"),
    Row<Integer<&Config::repl_backlog_ttl, 0, INT64_MAX>>("repl-backlog-ttl"),
    Row<YesNo<&Config::repl_diskless_sync>>("repl-diskless-sync"),
    Row<Integer<&Config::repl_diskless_sync_delay, 0, INT_MAX>>("repl-diskless-sync-delay"),
    Row<Integer<&Config::repl_diskless_sync_max_replicas, 0, INT_MAX>>(
        "repl-diskless-sync-max-replicas"),
    Row<Choice<&Config::repl_diskless_load, kReplDisklessLoadNames>>("repl-diskless-load"),
    Row<Integer<&Config::repl_ping_replica_period, 1, INT_MAX>>("repl-ping-replica-period"),
    AliasRow<Integer<&Config::repl_ping_replica_period, 1, INT_MAX>>("repl-ping-slave-period",
                                                                     "repl-ping-replica-period"),
    Row<Integer<&Config::repl_timeout, 1, INT_MAX>>("repl-timeout"),
    Row<Integer<&Config::min_replicas_to_write, 0, INT_MAX>>("min-replicas-to-write"),
    AliasRow<Integer<&Config::min_replicas_to_write, 0, INT_MAX>>("min-slaves-to-write",
                                                                  "min-replicas-to-write"),
    Row<Integer<&Config::min_replicas_max_lag, 0, INT_MAX>>("min-replicas-max-lag"),
    AliasRow<Integer<&Config::min_replicas_max_lag, 0, INT_MAX>>("min-slaves-max-lag",
                                                                 "min-replicas-max-lag"),
    Row<YesNo<&Config::replica_read_only>>("replica-read-only"),
    AliasRow<YesNo<&Config::replica_read_only>>("slave-read-only", "replica-read-only"),
    Row<YesNo<&Config::replica_serve_stale_data>>("replica-serve-stale-data"),
    AliasRow<YesNo<&Config::replica_serve_stale_data>>("slave-serve-stale-data",
                                                       "replica-serve-stale-data"),
    Row<Integer<&Config::replica_priority, 0, INT_MAX>>("replica-priority"),
    AliasRow<Integer<&Config::replica_priority, 0, INT_MAX>>("slave-priority", "replica-priority"),
    Row<Text<&Config::replica_announce_ip, true>>("replica-announce-ip"),
    AliasRow<Text<&Config::replica_announce_ip, true>>("slave-announce-ip", "replica-announce-ip"),
    Row<Integer<&Config::replica_announce_port, 0, 65535>>("replica-announce-port"),
    AliasRow<Integer<&Config::replica_announce_port, 0, 65535>>("slave-announce-port",
                                                                "replica-announce-port"),
    // The compact encodings' thresholds (engine/encoding_limits.h). Redis 7.0.15 takes
    // hash-max-listpack-value and zset-max-listpack-value as memory values ("1kb") and the entry
    // counts as plain integers.
    Row<Integer<&Config::list_max_listpack_size, INT_MIN, INT_MAX>>("list-max-listpack-size"),
    Row<Integer<&Config::list_compress_depth, 0, INT_MAX>>("list-compress-depth"),
    Row<Integer<&Config::hash_max_listpack_entries, 0, INT64_MAX>>("hash-max-listpack-entries"),
    Row<Memory<&Config::hash_max_listpack_value, 0, INT64_MAX>>("hash-max-listpack-value"),
    Row<Integer<&Config::set_max_intset_entries, 0, INT64_MAX>>("set-max-intset-entries"),
    Row<Integer<&Config::zset_max_listpack_entries, 0, INT64_MAX>>("zset-max-listpack-entries"),
    Row<Memory<&Config::zset_max_listpack_value, 0, INT64_MAX>>("zset-max-listpack-value"),
    Row<Memory<&Config::hll_sparse_max_bytes, 0, INT64_MAX>>("hll-sparse-max-bytes"),
    AliasRow<Integer<&Config::list_max_listpack_size, INT_MIN, INT_MAX>>("list-max-ziplist-size",
                                                                         "list-max-listpack-size"),
    AliasRow<Integer<&Config::hash_max_listpack_entries, 0, INT64_MAX>>(
        "hash-max-ziplist-entries", "hash-max-listpack-entries"),
    AliasRow<Memory<&Config::hash_max_listpack_value, 0, INT64_MAX>>("hash-max-ziplist-value",
                                                                     "hash-max-listpack-value"),
    AliasRow<Integer<&Config::zset_max_listpack_entries, 0, INT64_MAX>>(
        "zset-max-ziplist-entries", "zset-max-listpack-entries"),
    AliasRow<Memory<&Config::zset_max_listpack_value, 0, INT64_MAX>>("zset-max-ziplist-value",
                                                                     "zset-max-listpack-value"),
};

// Redis 7.0's deprecated_configs: a file may name them, nothing else does.
constexpr std::string_view kDeprecatedDirectives[] = {
    "list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"};

}  // namespace

std::vector<std::string_view> SplitOnSpaces(std::string_view value) {
  std::vector<std::string_view> parts;
  if (value.empty()) return parts;
  while (true) {
    size_t space = value.find(' ');
    parts.push_back(value.substr(0, space));
    if (space == std::string_view::npos) return parts;
    value.remove_prefix(space + 1);
  }
}

std::string NotImplementedWarning(std::string_view name) {
  return fmt::format("Directive '{}' is not implemented by Magnetar yet: accepted and ignored",
                     name);
}

std::span<const Directive> Directives() { return kDirectives; }

bool IsDeprecatedDirective(std::string_view name) {
  return std::any_of(std::begin(kDeprecatedDirectives), std::end(kDeprecatedDirectives),
                     [name](std::string_view old) { return EqualsIgnoreCase(old, name); });
}

const Directive* FindDirective(std::string_view name) {
  for (const Directive& directive : kDirectives) {
    if (EqualsIgnoreCase(directive.name, name)) return &directive;
  }
  return nullptr;
}

}  // namespace magnetar::server
