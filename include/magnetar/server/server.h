// Server owns everything: configuration, keyspace, command registry, event loop and the clients.
// It is the net layer's SessionFactory, and everything else reaches shared state through it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "magnetar/commands/command_registry.h"
#include "magnetar/common/clock.h"
#include "magnetar/engine/keyspace.h"
#include "magnetar/net/event_loop.h"
#include "magnetar/server/config.h"
#include "magnetar/server/latency_monitor.h"
#include "magnetar/server/monitor.h"
#include "magnetar/server/propagator.h"
#include "magnetar/server/pubsub.h"
#include "magnetar/server/slowlog.h"
#include "magnetar/server/watched_keys.h"

namespace magnetar::server {

class AllocatorGauge;
class MetricsEndpoint;
class Client;
class KeyspaceHooks;
class Blocking;
class RdbSaver;
class Aof;
class Replication;

// 40 random hex characters: run ids, replication ids, the end mark of a diskless RDB transfer.
std::string RandomHexId();

struct ServerStats {
  uint64_t total_connections_received = 0;
  uint64_t total_commands_processed = 0;
  uint64_t rejected_connections = 0;
  uint64_t total_error_replies = 0;
  uint64_t unexpected_error_replies = 0;
  // Error replies by their code ("ERR", "WRONGTYPE"), for INFO errorstats (server/error_stats.h).
  std::map<std::string, uint64_t, std::less<>> error_counts;
  net::TrafficCounters closed_traffic;  // of closed connections; INFO adds the open ones
};

// What the cron samples for INFO (server/info_metrics.cc): the memory peak and per-second rates.
struct InfoSamples {
  // A per-second rate averaged over the last kSlots samples, as Redis's instantaneous_* fields.
  struct Rate {
    static constexpr size_t kSlots = 16;
    int64_t last_us = 0;
    uint64_t last_total = 0;
    std::array<uint64_t, kSlots> per_second = {};
    size_t next = 0;
  };
  uint64_t used_memory_startup = 0;
  uint64_t used_memory_peak = 0;
  Rate ops, input_bytes, output_bytes;
};

class Server final : public net::SessionFactory {
 public:
  explicit Server(Config config);
  ~Server() override;

  // Opens the listeners; throws ConfigError when one cannot be opened.
  void Listen();
  // SIGTERM and SIGINT shut the server down (Shutdown("signal")): from before the startup load on,
  // which they end without saving.
  void HandleShutdownSignals();
  // Runs the event loop until shutdown.
  void Run();
  // Saves as SHUTDOWN's option says (kDefault: when save points are set), then stops the loop at
  // the end of the current iteration; Run() then returns. False, and the server keeps running,
  // when the save failed and `force` is not set.
  enum class ShutdownSave { kDefault, kSave, kNoSave };
  bool Shutdown(std::string_view reason, ShutdownSave save = ShutdownSave::kDefault,
                bool force = false);

  // Pushes configuration values that live elsewhere (connection limits) to where they are used.
  void ApplyConfig();
  // Gives the evictor maxmemory and its policy, or no limit while this server is a replica (the
  // role changes call it too).
  void ConfigureEviction();

  std::unique_ptr<net::Session> Open(net::Connection& connection, std::string& refusal) override;
  void AddClient(Client& client);
  void RemoveClient(Client& client);
  void LogClientClosed(const Client& client, std::string_view reason);

  Config& config() { return config_; }
  engine::Keyspace& keyspace() { return keyspace_; }
  commands::CommandRegistry& registry() { return registry_; }
  const Clock& clock() const { return clock_; }
  Propagator& propagator() { return propagator_; }
  WatchedKeys& watched_keys() { return watched_keys_; }
  PubSub& pubsub() { return pubsub_; }
  // Clients blocked on keys (server/blocking.h).
  Blocking& blocking() { return *blocking_; }
  Slowlog& slowlog() { return slowlog_; }
  LatencyMonitor& latency_monitor() { return latency_monitor_; }
  Monitors& monitors() { return monitors_; }  // MONITOR's clients
  net::EventLoop& loop() { return loop_; }
  // RDB persistence (server/rdb_saver.h).
  RdbSaver& rdb_saver() { return *rdb_saver_; }
  // The append-only file (server/aof.h).
  Aof& aof() { return *aof_; }
  ServerStats& stats() { return stats_; }
  InfoSamples& info_samples() { return info_samples_; }
  const std::map<uint64_t, Client*>& clients() const { return clients_; }
  const std::string& run_id() const { return run_id_; }
  // Replication, both roles (server/replication.h).
  Replication& replication() { return *replication_; }
  // The connection limits every connection reads (a replica's link to its primary too).
  const net::ConnectionLimits& connection_limits() const { return limits_; }
  // A new client's id (accepted connections, a replica's link to its primary).
  uint64_t NextClientId() { return next_client_id_++; }
  // DEBUG SET-ACTIVE-EXPIRE: whether the cron and the expiry timer remove keys whose deadline
  // passed; when off, keys expire only when a command finds them (lazy expiry).
  void SetActiveExpire(bool enabled);
  bool active_expire() const { return active_expire_; }
  // Whether keys past their deadline are removed without a command finding them: not on a
  // replica, whose primary sends the deletions.
  bool ExpiresActively() const;
  // What counts against maxmemory and is INFO's used_memory (server/memory_gauge.h).
  const engine::MemoryGauge& memory_gauge() const;
  // Evicts for one slice while over maxmemory; when the slice runs out of time, the eviction
  // timer continues soon after, between other clients' requests.
  engine::EvictionResult Evict();
  // Whether the eviction timer is working through an excess over maxmemory.
  bool evicting_in_background() const { return eviction_timer_armed_; }
  int64_t start_us() const { return start_us_; }  // monotonic
  bool shutting_down() const { return shutting_down_; }

 private:
  void Cron();
  // Arms the expiry timer for the engine's next active-expiry work, if that is sooner than the
  // timer's current expiry.
  void ScheduleExpiry();
  void OnExpiryTimer();
  // Arms the eviction timer when memory is over the limit.
  void ScheduleEviction();

  Config config_;
  SystemClock clock_;
  engine::Keyspace keyspace_;
  commands::CommandRegistry registry_;
  Propagator propagator_;
  WatchedKeys watched_keys_;
  PubSub pubsub_;
  std::unique_ptr<AllocatorGauge> memory_gauge_;
  std::unique_ptr<KeyspaceHooks> keyspace_hooks_;  // the keyspace's observer
  std::unique_ptr<Blocking> blocking_;
  net::ConnectionLimits limits_;
  net::ListenerOptions listener_options_;
  // metrics-port's listener: before the loop, whose acceptors point at its options and limits.
  std::unique_ptr<MetricsEndpoint> metrics_;
  net::EventLoop loop_;
  Slowlog slowlog_;
  LatencyMonitor latency_monitor_;
  Monitors monitors_;
  std::unique_ptr<RdbSaver> rdb_saver_;       // after the loop, whose timer it holds
  std::unique_ptr<Aof> aof_;                  // after the propagator, which holds its writer
  std::unique_ptr<Replication> replication_;  // after the loop and the propagator
  ServerStats stats_;
  InfoSamples info_samples_;
  std::map<uint64_t, Client*> clients_;
  uint64_t next_client_id_ = 1;
  std::string run_id_;
  int64_t start_us_;
  bool shutting_down_ = false;
  bool active_expire_ = true;
  // The expiry timer's id in the event loop; none until Run() adds it.
  static constexpr size_t kNoTimer = SIZE_MAX;
  size_t expiry_timer_ = kNoTimer;
  int64_t expiry_timer_at_ms_ = 0;  // when the expiry timer fires (wall ms); 0: not armed
  size_t eviction_timer_ = kNoTimer;
  bool eviction_timer_armed_ = false;
};

}  // namespace magnetar::server
