#include "magnetar/server/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <optional>
#include <random>

#include "command_families.h"
#include "info_metrics.h"
#include "keyspace_hooks.h"
#include "magnetar/server/aof.h"
#include "magnetar/server/blocking.h"
#include "magnetar/server/client.h"
#include "magnetar/server/rdb_saver.h"
#include "magnetar/server/replication.h"
#include "memory_gauge.h"
#include "metrics_endpoint.h"

namespace magnetar::server {
namespace {

constexpr std::string_view kProtectedModeDenied =
    "DENIED Redis is running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the loopback "
    "interface. If you want to connect from external computers to Redis you may adopt one of the "
    "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET "
    "protected-mode no' from the loopback interface by connecting to Redis from the same host the "
    "server is running, however MAKE SURE Redis is not publicly accessible from internet if you do "
    "so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable "
    "the protected mode by editing the Redis configuration file, and setting the protected mode "
    "option to 'no', and then restarting the server. 3) If you started the server manually just "
    "for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication "
    "password for the default user. NOTE: You only need to do one of the above things in order for "
    "the server to start accepting connections from the outside.";

// Background work runs in slices this short so that no client waits on it for long: active
// expiry (Redis's slow cycle would take a quarter of every cron period in one go; the expiry timer
// instead comes back every millisecond while due keys remain) and the rehash of an idle table.
constexpr int64_t kExpirySliceUs = 500;
constexpr int64_t kRehashSliceUs = 250;

// Runs a slice of background work, recorded as the latency monitor's `event` when it took at
// least latency-monitor-threshold: a slice overruns when one step of it (freeing a big value)
// is slow.
template <typename Work>
auto Timed(Server& server, std::string_view event, Work&& work) {
  const int64_t start = MonotonicUs();
  auto result = work();
  AddLatencySampleIfNeeded(server.latency_monitor(), server.config().latency_monitor_threshold,
                           event, (MonotonicUs() - start) / 1000, server.clock());
  return result;
}

}  // namespace

std::string RandomHexId() {
  std::random_device device;
  std::mt19937_64 random(device());
  const char* hex = "0123456789abcdef";
  std::string id(40, '0');
  for (char& c : id) c = hex[random() % 16];
  return id;
}

Server::Server(Config config)
    : config_(std::move(config)),
      keyspace_(static_cast<size_t>(config_.databases), clock_),
      run_id_(RandomHexId()),
      start_us_(MonotonicUs()) {
  memory_gauge_ = std::make_unique<AllocatorGauge>(*this);
  keyspace_hooks_ = std::make_unique<KeyspaceHooks>(*this);
  blocking_ = std::make_unique<Blocking>(*this);
  rdb_saver_ = std::make_unique<RdbSaver>(*this);
  aof_ = std::make_unique<Aof>(*this);
  replication_ = std::make_unique<Replication>(*this);
  keyspace_.SetObserver(keyspace_hooks_.get());
  RegisterAllCommands(registry_);
  ApplyConfig();
  SampleInfoMetrics(*this);  // the first sample is used_memory_startup
}

Server::~Server() {
  // Close every client before the parts they refer to go away (members are destroyed in reverse
  // order, the event loop among the last): after Run(), and as well when the server ends before it
  // (a failed or interrupted startup load, with clients that connected meanwhile).
  while (!clients_.empty()) clients_.begin()->second->connection().Close("");
  keyspace_.SetObserver(nullptr);
  keyspace_.evictor().Configure({}, nullptr);
}

const engine::MemoryGauge& Server::memory_gauge() const { return *memory_gauge_; }

void Server::ApplyConfig() {
  limits_.parser.max_bulk_len = config_.proto_max_bulk_len;
  limits_.parser.max_query_buffer = static_cast<size_t>(config_.client_query_buffer_limit);
  limits_.output_hard_limit = config_.client_output_buffer_limit_normal.hard_bytes;
  limits_.output_soft_limit = config_.client_output_buffer_limit_normal.soft_bytes;
  limits_.output_soft_seconds = config_.client_output_buffer_limit_normal.soft_seconds;
  const OutputBufferLimit& pubsub = config_.client_output_buffer_limit_pubsub;
  limits_.pubsub_output = {pubsub.hard_bytes, pubsub.soft_bytes, pubsub.soft_seconds};
  const OutputBufferLimit& replica = config_.client_output_buffer_limit_replica;
  limits_.replica_output = {replica.hard_bytes, replica.soft_bytes, replica.soft_seconds};
  listener_options_.tcp_keepalive_seconds = config_.tcp_keepalive;  // read at each accept
  keyspace_.SetNotifyMask(config_.notify_keyspace_events);
  keyspace_.SetEncodingLimits({.list_max_listpack_size = config_.list_max_listpack_size,
                               .list_compress_depth = config_.list_compress_depth,
                               .hash_max_listpack_entries = config_.hash_max_listpack_entries,
                               .hash_max_listpack_value = config_.hash_max_listpack_value,
                               .set_max_intset_entries = config_.set_max_intset_entries,
                               .zset_max_listpack_entries = config_.zset_max_listpack_entries,
                               .zset_max_listpack_value = config_.zset_max_listpack_value,
                               .hll_sparse_max_bytes = config_.hll_sparse_max_bytes});
  keyspace_.SetAccessMode(
      engine::IsLfu(config_.maxmemory_policy) ? engine::AccessMode::kLfu : engine::AccessMode::kLru,
      {.log_factor = config_.lfu_log_factor, .decay_minutes = config_.lfu_decay_time},
      config_.maxmemory != 0 && engine::UsesFrequency(config_.maxmemory_policy));
  ConfigureEviction();
}

void Server::ConfigureEviction() {
  // A replica ignores maxmemory (replica-ignore-maxmemory, fixed at Redis's default yes): its
  // primary's DELs do the evicting, and keys it evicted on its own would diverge from the
  // primary's. It neither evicts nor refuses the key table's growth.
  const bool ignored = !config_.replicaof_host.empty();
  keyspace_.evictor().Configure({.maxmemory = ignored ? 0 : config_.maxmemory,
                                 .policy = config_.maxmemory_policy,
                                 .samples = config_.maxmemory_samples,
                                 .tenacity = config_.maxmemory_eviction_tenacity,
                                 .lazy = config_.lazyfree_lazy_eviction},
                                memory_gauge_.get());
  // A limit lowered below the memory in use (CONFIG SET maxmemory, or a replica promoted) is
  // reached from the timer, slice by slice, as Redis does, rather than in one long stall.
  ScheduleEviction();
}

engine::EvictionResult Server::Evict() {
  // Every command asks while maxmemory is set: under the limit there is no slice to time (and a
  // preemption in the middle of asking is no eviction-cycle for LATENCY to report).
  if (!keyspace_.evictor().OverLimit()) return engine::EvictionResult::kOk;
  engine::EvictionResult result =
      Timed(*this, "eviction-cycle", [&] { return keyspace_.evictor().Perform(); });
  if (result == engine::EvictionResult::kRunning) ScheduleEviction();
  return result;
}

void Server::ScheduleEviction() {
  if (eviction_timer_ == kNoTimer || eviction_timer_armed_ || !keyspace_.evictor().OverLimit()) {
    return;
  }
  eviction_timer_armed_ = true;
  loop_.ArmTimer(eviction_timer_, 0);
}

void Server::Listen() {
  listener_options_.bind_addresses = config_.bind;
  listener_options_.port = config_.port;
  listener_options_.unix_socket = config_.unixsocket;
  listener_options_.unix_socket_perm = config_.unixsocketperm;
  listener_options_.tcp_backlog = config_.tcp_backlog;
  listener_options_.tcp_keepalive_seconds = config_.tcp_keepalive;
  std::string error = loop_.Listen(listener_options_, limits_, *this);
  if (error.empty() && config_.metrics_port != 0) {
    metrics_ = std::make_unique<MetricsEndpoint>(*this);
    error = metrics_->Listen();
  }
  if (!error.empty()) throw ConfigError(error);
}

void Server::HandleShutdownSignals() {
  loop_.OnShutdownSignal([this](int signal) {
    spdlog::warn("Received {} scheduling shutdown...", signal == SIGINT ? "SIGINT" : "SIGTERM");
    Shutdown("signal");
  });
}

void Server::Run() {
  loop_.Every(1000 / std::max(config_.hz, 1), [this] { Cron(); });
  expiry_timer_ = loop_.AddTimer([this] { OnExpiryTimer(); });
  eviction_timer_ = loop_.AddTimer([this] {
    eviction_timer_armed_ = false;
    Evict();
  });
  ScheduleEviction();
  size_t block_timer = loop_.AddTimer([this] { blocking_->OnTimer(); });
  blocking_->set_arm_timer(
      [this, block_timer](int64_t delay_ms) { loop_.ArmTimer(block_timer, delay_ms); });
  ScheduleExpiry();
  spdlog::info("Ready to accept connections");
  loop_.Run();
  spdlog::warn("Magnetar is now ready to exit, bye bye...");
}

bool Server::Shutdown(std::string_view reason, ShutdownSave save, bool force) {
  if (shutting_down_) return true;
  spdlog::info("User requested shutdown ({})...", reason);
  // A background save in progress would not finish: Redis kills its child, and so is this one
  // abandoned before the final save.
  rdb_saver_->AbortBackgroundSave();
  // During the startup load the dataset is incomplete: saving it would overwrite the file being
  // loaded with part of it, so a shutdown then never saves, as in Redis.
  const bool loading = rdb_saver_->load_progress().loading;
  bool saving = !loading && (save == ShutdownSave::kSave ||
                             (save == ShutdownSave::kDefault && !config_.save.empty()));
  if (saving) {
    spdlog::info("Saving the final RDB snapshot before exiting.");
    if (!rdb_saver_->SaveNow(/*refuse_if_busy=*/false).empty()) {
      if (!force) {
        spdlog::warn("Error trying to save the DB, can't exit.");
        return false;
      }
      spdlog::warn("Error trying to save the DB. Exit anyway.");
    }
  }
  shutting_down_ = true;
  loop_.Stop();
  return true;
}

std::unique_ptr<net::Session> Server::Open(net::Connection& connection, std::string& refusal) {
  if (clients_.size() >= static_cast<size_t>(config_.maxclients)) {
    ++stats_.rejected_connections;
    refusal = ErrorText(OpStatus::kMaxClients);
    return nullptr;
  }
  if (config_.protected_mode && config_.requirepass.empty() && !connection.is_local()) {
    ++stats_.rejected_connections;
    refusal = kProtectedModeDenied;
    return nullptr;
  }
  ++stats_.total_connections_received;
  return std::make_unique<Client>(*this, connection, next_client_id_++);
}

void Server::AddClient(Client& client) { clients_.emplace(client.id(), &client); }

void Server::RemoveClient(Client& client) {
  replication_->Forget(client);
  blocking_->Remove(client);
  watched_keys_.UnwatchAll(client);
  pubsub_.Forget(client);
  clients_.erase(client.id());
  stats_.closed_traffic += client.connection().traffic();
}

void Server::LogClientClosed(const Client& client, std::string_view reason) {
  spdlog::warn("Client id={} addr={} closed: {}", client.id(), client.connection().peer_address(),
               reason);
}

void Server::Cron() {
  clock_.Resync();
  SampleInfoMetrics(*this);
  keyspace_.MaintainSketch();
  // Not on a replica: its primary sends the deletions.
  if (ExpiresActively()) {
    Timed(*this, "expire-cycle", [&] { return keyspace_.ActiveExpireStep(kExpirySliceUs); });
  }
  keyspace_.RehashStep(kRehashSliceUs);
  ScheduleExpiry();
  rdb_saver_->Cron();
  aof_->Cron();
  replication_->Cron();
  // A subscriber or monitor over its soft output limit is closed once the limit's seconds pass,
  // even when no further message arrives to check it (Redis's clientsCron does the same).
  for (auto& [id, client] : clients_) {
    net::Connection& connection = client->connection();
    if ((client->subscriptions.any() || client->monitor) && connection.OutputOverLimit()) {
      connection.CloseSoon(net::Connection::kOutputLimitReason);
    }
  }
  if (config_.timeout > 0) {
    int64_t idle_limit = int64_t{config_.timeout} * 1'000'000;
    int64_t now = MonotonicUs();
    std::vector<Client*> idle;
    for (auto& [id, client] : clients_) {
      // As in Redis, a subscriber waiting for messages is not idle.
      if (client->subscriptions.any()) continue;
      // Nor is a client blocked on keys (Redis exempts it from the timeout as well), nor a
      // replication link, which repl-timeout watches instead.
      if (client->connection().blocked()) continue;
      if (client->replica != nullptr || client->is_primary_link) continue;
      if (now - client->connection().last_interaction_us() > idle_limit) idle.push_back(client);
    }
    for (Client* client : idle) client->connection().Close("");
  }
}

void Server::SetActiveExpire(bool enabled) {
  active_expire_ = enabled;
  ScheduleExpiry();
}

bool Server::ExpiresActively() const { return active_expire_ && !replication_->is_replica(); }

void Server::ScheduleExpiry() {
  if (!ExpiresActively() || expiry_timer_ == kNoTimer) return;
  std::optional<int64_t> next = keyspace_.NextExpiryMs();
  if (!next) return;
  if (expiry_timer_at_ms_ != 0 && expiry_timer_at_ms_ <= *next) return;
  // Work left over from a step that ran out of budget is already due: wait 1 ms so clients are
  // served between steps.
  int64_t now = clock_.NowMs();
  int64_t delay = std::max<int64_t>(*next - now, 1);
  expiry_timer_at_ms_ = now + delay;
  loop_.ArmTimer(expiry_timer_, delay);
}

// The cron finds due keys within one period; this timer removes them within a millisecond or two
// of their deadline (the engine's expiry index says exactly when), and costs nothing when idle.
void Server::OnExpiryTimer() {
  expiry_timer_at_ms_ = 0;
  if (!ExpiresActively()) return;
  Timed(*this, "expire-cycle", [&] { return keyspace_.ActiveExpireStep(kExpirySliceUs); });
  ScheduleExpiry();
}

}  // namespace magnetar::server
