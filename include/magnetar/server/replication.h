// Primary-replica replication, Redis 7.0's PSYNC2 protocol, both roles.
//
// As a primary, the propagated writes (this is a PropagationSink) become the replication stream:
// RESP commands numbered by byte offset, kept in the backlog (server/replication_backlog.h) and
// written to every online replica. A replica that asks with PSYNC for an offset the backlog still
// holds continues from there (+CONTINUE); any other gets a full sync: +FULLRESYNC <replid>
// <offset>, then the dataset of that instant as an RDB stream made by the forkless snapshot
// (server/full_sync.h) straight onto its socket, then the stream from that offset on.
//
// As a replica, a MasterLink (server/master_link.h) connects to the primary, does the handshake,
// loads the RDB payload and applies the stream through the one dispatcher, as the master client.
// The bytes applied are fed on, unchanged, to this server's own backlog and replicas (chained
// replication), so a sub-replica's offsets are its primary's.
//
// docs/replication.md has the design, the protocol facts and the differences from Redis.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "magnetar/resp/reply_builder.h"
#include "magnetar/server/propagator.h"

namespace magnetar::server {

class Server;
class Client;
class FullSync;
class MasterLink;
class ReplicationBacklog;

// What a primary knows of one replica connected to it (a Client's `replica`).
struct ReplicaState {
  // kHandshake: REPLCONF seen, no SYNC yet. kAwaitAck: the RDB is sent and the stream waits for
  // the replica's first ACK (it looks for the RDB's end mark in the last bytes it read).
  enum class Phase { kHandshake, kWaitSnapshot, kTransfer, kAwaitAck, kOnline };
  Phase phase = Phase::kHandshake;
  int listening_port = 0;    // REPLCONF listening-port
  std::string announced_ip;  // REPLCONF ip-address
  bool capa_eof = false;
  bool capa_psync2 = false;
  bool rdb_only = false;  // REPLCONF rdb-only 1 (redis-cli --rdb): the RDB and nothing after it
  bool old_sync = false;  // SYNC rather than PSYNC: no +FULLRESYNC line
  uint64_t ack_offset = 0;
  int64_t ack_time_ms = 0;  // monotonic ms of its last REPLCONF ACK (lag)
  // Stream bytes that follow its RDB, held while the RDB is being sent.
  std::string held;
};

class Replication final : public PropagationSink {
 public:
  explicit Replication(Server& server);
  ~Replication() override;

  // Starts replicating from `replicaof` in the configuration, if set.
  void Start();

  // PropagationSink: a primary's writes, encoded as RESP, join the stream.
  void Append(std::span<const std::string_view> argv) override;
  // Stream bytes: into the backlog and to every replica.
  void Feed(std::string_view bytes);
  // The offset after the last propagated write (not counting PINGs and GETACKs): what a client
  // that made it waits for in WAIT.
  uint64_t last_write_offset() const { return last_write_offset_; }
  // The bytes the backlog holds allocated (INFO's mem_replication_backlog).
  size_t backlog_bytes() const;
  // The replication buffer as Redis counts it: the backlog plus the replicas' unsent output.
  size_t buffer_bytes() const;

  // ---- The primary side (server/replication_primary.cc).
  // SYNC or PSYNC from `client` (args as sent).
  void Sync(Client& client, std::span<const std::string_view> args);
  void Ack(Client& client, uint64_t offset);
  // How many replicas acknowledged the stream up to `offset`.
  size_t ReplicasAcked(uint64_t offset) const;
  // Asks every replica for its offset (REPLCONF GETACK *, part of the stream), once per loop turn.
  void RequestAcks();
  // min-replicas-to-write: fewer replicas than required have acknowledged within
  // min-replicas-max-lag seconds.
  bool RefusesWrites() const;
  // The full sync finished sending `client` its RDB. It goes online at once, or with
  // `await_ack` on its first ACK (a replica that looks for the end of an EOF-marked RDB in the
  // last bytes it read must not get the stream in the same read).
  void TransferDone(Client& client, bool await_ack);
  // The address a replica is known by: the one it announced, else the one it connects from.
  static std::string ReplicaIp(const Client& client);

  // ---- The replica side (server/replica_of.cc).
  // REPLICAOF host port: drops the current primary link (and replicas' links if the primary
  // changes) and connects to the new one.
  void ReplicaOf(const std::string& host, int port);
  // REPLICAOF NO ONE: a primary again. The replication id becomes a new one and the old one is
  // kept as replid2, so replicas of this server, and of the old primary, continue partially.
  void BecomePrimary();
  bool is_replica() const { return !primary_host_.empty(); }
  // Whether the link to the primary is up (replica-serve-stale-data).
  bool link_up() const;
  const std::string& primary_host() const { return primary_host_; }
  int primary_port() const { return primary_port_; }
  MasterLink* link() { return link_.get(); }
  // Whether this server has a replication history to continue (a backlog): it asks a primary
  // for a partial resync from it.
  bool has_history() const;
  // The link loaded a full sync's RDB: replid and offset are the primary's from now on.
  void AdoptPrimary(const std::string& replid, uint64_t offset);
  // The primary continued with a new replication id (+CONTINUE <id>, after its own promotion).
  void ContinueWithReplid(const std::string& replid);

  // ---- FAILOVER (server/failover.cc): writes are held while the chosen replica catches up,
  // then this server becomes its replica with PSYNC ... FAILOVER, which promotes it.
  enum class FailoverState { kNone, kWaitingForSync, kInProgress };
  // FAILOVER [TO host port [FORCE]] [TIMEOUT ms]: empty, or Redis's refusal. An empty `host`
  // lets the first replica that catches up be the target; a timeout of 0 waits forever.
  std::string StartFailover(const std::string& host, int port, bool force, int64_t timeout_ms);
  // FAILOVER ABORT, a timeout, or a target that refused: this server stays (or becomes again)
  // a primary and the held writes run.
  void AbortFailover(std::string_view why);
  // The target accepted this server as its replica: the failover is over.
  void FailoverDone();
  FailoverState failover_state() const { return failover_state_; }
  // The dispatcher holds `client`'s write (Connection::HoldRequest) while this is true.
  bool writes_paused() const { return failover_state_ != FailoverState::kNone; }
  void HoldClient(Client& client) { held_.push_back(&client); }
  // A client goes away: forgets it as a held writer and as a replica.
  void Forget(Client& client);

  // Both roles.
  void Cron();
  void AppendInfo(std::string& out) const;
  void ReplyRole(resp::ReplyBuilder& reply) const;
  // The replication id and offset an RDB file records (repl-id, repl-offset), and what a restart
  // from that file continues from.
  const std::string& replid() const { return replid_; }
  const std::string& replid2() const { return replid2_; }
  uint64_t offset() const;
  // DEBUG CHANGE-REPL-ID, and a primary that starts a new history.
  void NewReplid();
  // Restored from an RDB at startup (repl-id, repl-offset): a replica can continue partially.
  void RestoreFromRdb(const std::string& replid, uint64_t offset);
  // INFO stats: sync_full, sync_partial_ok, sync_partial_err.
  uint64_t sync_full() const { return sync_full_; }
  uint64_t sync_partial_ok() const { return sync_partial_ok_; }
  uint64_t sync_partial_err() const { return sync_partial_err_; }

 private:
  friend class FullSync;
  // Creates the backlog if there is none (the first replica).
  void EnsureBacklog();
  // Whether the propagated writes reach this object (a primary with a backlog).
  void AttachSink(bool attach);
  bool TryPartial(Client& client, std::string_view replid, uint64_t from);
  void StartFullSync(Client& client);
  void SendToReplica(Client& client, std::string_view bytes);
  // The stream that follows a replica's RDB waits in memory while the RDB is sent.
  void HoldForReplica(Client& client, std::string_view bytes);
  // The replica's unsent stream passed client-output-buffer-limit replica: it is dropped (it
  // will ask again).
  void DropOverLimit(Client& client);
  // Its RDB is loaded: the stream held for it follows, and from now on goes straight to it.
  void GoOnline(Client& client);
  // Closes the links of this server's replicas (a new primary history: they must sync again).
  void DisconnectReplicas();
  // The replica's client goes away.
  void RemoveReplica(Client& client);
  // The replica that listens on host:port, or null.
  Client* FindReplica(std::string_view host, int port) const;
  // Moves a waiting failover on: to its target once it caught up, or to its end at its deadline.
  void CheckFailover();
  void ReleaseHeldWrites();
  // PSYNC <replid> <offset> FAILOVER from this server's primary: it hands the primary role over.
  std::string TakeOverFromPrimary(std::string_view replid);

  Server& server_;
  std::unique_ptr<ReplicationBacklog> backlog_;
  std::string replid_;
  std::string replid2_;
  uint64_t second_offset_ = 0;  // 0: none (INFO's second_repl_offset -1)
  std::vector<Client*> replicas_;
  std::unique_ptr<FullSync> full_sync_;
  int64_t no_replicas_since_ms_ = 0;  // for repl-backlog-ttl
  int64_t last_ping_ms_ = 0;
  int64_t last_cron_ms_ = 0;
  bool sink_attached_ = false;
  uint64_t last_write_offset_ = 0;
  std::string encode_buffer_;
  // The replica side.
  std::string primary_host_;
  int primary_port_ = 0;
  std::unique_ptr<MasterLink> link_;
  FailoverState failover_state_ = FailoverState::kNone;
  std::string failover_host_;  // the target; empty: any replica
  int failover_port_ = 0;
  bool failover_force_ = false;
  int64_t failover_deadline_ms_ = 0;  // monotonic; 0: none
  std::vector<Client*> held_;         // clients whose write waits for the failover's end
  uint64_t sync_full_ = 0;
  uint64_t sync_partial_ok_ = 0;
  uint64_t sync_partial_err_ = 0;
};

}  // namespace magnetar::server
