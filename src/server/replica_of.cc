// Replication's replica side: REPLICAOF, promotion, and the replication ids a replica takes from
// its primary. The link itself is server/master_link.h.
#include <spdlog/spdlog.h>

#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "master_link.h"
#include "replication_backlog.h"

namespace magnetar::server {

void Replication::Start() {
  const Config& config = server_.config();
  if (!config.replicaof_host.empty()) ReplicaOf(config.replicaof_host, config.replicaof_port);
}

bool Replication::has_history() const { return backlog_->active(); }

bool Replication::link_up() const { return link_ != nullptr && link_->up(); }

void Replication::AttachSink(bool attach) {
  if (attach == sink_attached_) return;
  sink_attached_ = attach;
  attach ? server_.propagator().AddSink(*this) : server_.propagator().RemoveSink(*this);
}

void Replication::ReplicaOf(const std::string& host, int port) {
  link_.reset();
  primary_host_ = host;
  primary_port_ = port;
  Config& config = server_.config();
  config.replicaof_host = host;
  config.replicaof_port = port;
  // From now on the stream comes from the primary; this server's own writes stop.
  AttachSink(false);
  server_.SetActiveExpire(server_.active_expire());  // a replica leaves expiry to its primary
  server_.ConfigureEviction();                       // and eviction
  link_ = std::make_unique<MasterLink>(server_, *this, host, port);
  spdlog::info("Connecting to MASTER {}:{}", host, port);
  link_->Cron();  // connects now rather than at the next cron tick
}

void Replication::BecomePrimary() {
  if (!is_replica()) return;
  link_.reset();
  primary_host_.clear();
  primary_port_ = 0;
  Config& config = server_.config();
  config.replicaof_host.clear();
  config.replicaof_port = 0;
  // The history so far stays valid under its old id up to here: replicas of this server, and
  // other replicas of the old primary, continue with a partial resync.
  replid2_ = replid_;
  second_offset_ = offset() + 1;
  NewReplid();
  if (!backlog_->active()) {
    backlog_->Create(static_cast<size_t>(config.repl_backlog_size), backlog_->offset());
  }
  AttachSink(true);
  server_.propagator().ForgetSelectedDb();
  server_.SetActiveExpire(server_.active_expire());
  server_.ConfigureEviction();
  spdlog::info("MASTER MODE enabled");
  // They reconnect at once and learn the new id with +CONTINUE.
  DisconnectReplicas();
}

void Replication::AdoptPrimary(const std::string& replid, uint64_t offset) {
  replid_ = replid;
  replid2_ = std::string(40, '0');
  second_offset_ = 0;
  backlog_->Create(static_cast<size_t>(server_.config().repl_backlog_size), offset);
  // This server's replicas hold the old dataset: they sync again, from the new one.
  DisconnectReplicas();
}

void Replication::ContinueWithReplid(const std::string& replid) {
  replid2_ = replid_;
  second_offset_ = offset() + 1;
  replid_ = replid;
  spdlog::info("Master replication ID changed to {}", replid);
  DisconnectReplicas();
}

}  // namespace magnetar::server
