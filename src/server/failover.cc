// FAILOVER, Redis 7.0's coordinated hand-over of the primary role: writes are held (not refused)
// while the target replica catches up with every byte of the stream, then this server becomes
// the target's replica with `PSYNC <replid> <offset> FAILOVER`, which tells the target to promote
// itself first; its PSYNC then continues partially, and the held writes run (and get READONLY,
// as in Redis). A timeout aborts unless FORCE, which hands over anyway.
#include <spdlog/spdlog.h>

#include "magnetar/common/clock.h"
#include "magnetar/server/client.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "master_link.h"

namespace magnetar::server {
std::string Replication::StartFailover(const std::string& host, int port, bool force,
                                       int64_t timeout_ms) {
  if (is_replica()) return "ERR FAILOVER is not valid when server is a replica.";
  if (replicas_.empty()) return "ERR FAILOVER requires connected replicas.";
  if (failover_state_ != FailoverState::kNone) return "ERR FAILOVER already in progress.";
  if (force && (timeout_ms == 0 || host.empty())) {
    return "ERR FAILOVER with force option requires both a timeout and target HOST and IP.";
  }
  if (!host.empty()) {
    const Client* target = FindReplica(host, port);
    if (target == nullptr) return "ERR FAILOVER target HOST and PORT is not a replica.";
    if (target->replica->phase != ReplicaState::Phase::kOnline) {
      return "ERR FAILOVER target replica is not online.";
    }
    spdlog::info("FAILOVER requested to {}:{}.", host, port);
  } else {
    spdlog::info("FAILOVER requested to any replica.");
  }
  failover_host_ = host;
  failover_port_ = port;
  failover_force_ = force;
  failover_deadline_ms_ = timeout_ms > 0 ? MonotonicMs() + timeout_ms : 0;
  failover_state_ = FailoverState::kWaitingForSync;
  RequestAcks();
  return {};
}

void Replication::CheckFailover() {
  if (failover_state_ != FailoverState::kWaitingForSync) return;
  const Client* target = nullptr;
  for (const Client* replica : replicas_) {
    const ReplicaState& state = *replica->replica;
    if (state.phase != ReplicaState::Phase::kOnline || state.ack_offset != offset()) continue;
    if (failover_host_.empty() || replica == FindReplica(failover_host_, failover_port_)) {
      target = replica;
      break;
    }
  }
  if (target == nullptr) {
    if (failover_deadline_ms_ == 0 || MonotonicMs() < failover_deadline_ms_) return;
    if (!failover_force_) return AbortFailover("Replica never caught up before timeout");
    spdlog::info("FAILOVER to {}:{} timed out, forcing it.", failover_host_, failover_port_);
  } else if (failover_host_.empty()) {
    failover_host_ = ReplicaIp(*target);
    failover_port_ = target->replica->listening_port;
  }
  spdlog::info("Failover target {}:{} is synced, failing over.", failover_host_, failover_port_);
  failover_state_ = FailoverState::kInProgress;
  ReplicaOf(failover_host_, failover_port_);
}

void Replication::AbortFailover(std::string_view why) {
  if (failover_state_ == FailoverState::kNone) return;
  spdlog::warn("FAILOVER to {}:{} aborted: {}", failover_host_, failover_port_, why);
  const bool handed_over = failover_state_ == FailoverState::kInProgress;
  failover_state_ = FailoverState::kNone;
  if (handed_over) BecomePrimary();
  ReleaseHeldWrites();
}

void Replication::FailoverDone() {
  if (failover_state_ != FailoverState::kInProgress) return;
  spdlog::info("Failover request to {}:{} succeeded.", failover_host_, failover_port_);
  failover_state_ = FailoverState::kNone;
  ReleaseHeldWrites();
}

void Replication::ReleaseHeldWrites() {
  std::vector<Client*> held;
  held.swap(held_);
  for (Client* client : held) client->connection().SetBlocked(false);
}

void Replication::Forget(Client& client) {
  std::erase(held_, &client);
  if (client.replica != nullptr) RemoveReplica(client);
}

std::string Replication::TakeOverFromPrimary(std::string_view replid) {
  if (replid != replid_) return "ERR PSYNC FAILOVER replid must match my replid.";
  spdlog::info("Failover request received for replid {}.", replid);
  BecomePrimary();
  return {};
}

}  // namespace magnetar::server
