// Replication's shared state and the primary side: the stream, the backlog, SYNC/PSYNC, acks,
// WAIT's count, min-replicas, INFO replication and ROLE. The replica side is replica_of.cc.
#include "magnetar/server/replication.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "full_sync.h"
#include "info_sections.h"
#include "magnetar/commands/arg_parser.h"
#include "magnetar/common/clock.h"
#include "magnetar/common/numbers.h"
#include "magnetar/resp/reply_builder.h"
#include "magnetar/server/blocking.h"
#include "magnetar/server/client.h"
#include "magnetar/server/server.h"
#include "master_link.h"
#include "replication_backlog.h"

namespace magnetar::server {
namespace {

const std::string kNoReplid(40, '0');

std::string_view PhaseName(ReplicaState::Phase phase) {
  switch (phase) {
    case ReplicaState::Phase::kHandshake:
    case ReplicaState::Phase::kWaitSnapshot:
      return "wait_bgsave";
    case ReplicaState::Phase::kTransfer:
    case ReplicaState::Phase::kAwaitAck:
      return "send_bulk";
    case ReplicaState::Phase::kOnline:
      return "online";
  }
  return "online";
}

// How a primary names a replica in its log: its address and the port it listens on.
std::string ReplicaName(const Client& client) {
  const std::string ip = Replication::ReplicaIp(client);
  if (client.replica->listening_port == 0) return ip + ":<unknown-replica-port>";
  return fmt::format("{}:{}", ip, client.replica->listening_port);
}

}  // namespace

Replication::Replication(Server& server)
    : server_(server),
      backlog_(std::make_unique<ReplicationBacklog>()),
      replid_(RandomHexId()),
      replid2_(kNoReplid),
      full_sync_(std::make_unique<FullSync>(server, *this)) {}

Replication::~Replication() { AttachSink(false); }

uint64_t Replication::offset() const { return backlog_->offset(); }

size_t Replication::backlog_bytes() const { return backlog_->size(); }

size_t Replication::buffer_bytes() const {
  size_t bytes = backlog_bytes();
  for (const Client* replica : replicas_) bytes += replica->connection().output_memory();
  return bytes;
}

std::string Replication::ReplicaIp(const Client& client) {
  if (!client.replica->announced_ip.empty()) return client.replica->announced_ip;
  const std::string& peer = client.connection().peer_address();
  return peer.substr(0, peer.rfind(':'));
}

Client* Replication::FindReplica(std::string_view host, int port) const {
  for (Client* replica : replicas_) {
    if (replica->replica->listening_port == port && ReplicaIp(*replica) == host) return replica;
  }
  return nullptr;
}

void Replication::NewReplid() { replid_ = RandomHexId(); }

void Replication::EnsureBacklog() {
  if (backlog_->active()) return;
  backlog_->Create(static_cast<size_t>(server_.config().repl_backlog_size), backlog_->offset());
  // A replica's stream comes from its primary, already encoded; a primary's from its writes.
  if (!is_replica()) AttachSink(true);
}

void Replication::Append(std::span<const std::string_view> argv) {
  encode_buffer_.clear();
  resp::ReplyBuilder::AppendCommand(encode_buffer_, argv);
  Feed(encode_buffer_);
  last_write_offset_ = offset();
}

void Replication::Feed(std::string_view bytes) {
  backlog_->Append(bytes);
  for (Client* replica : replicas_) {
    ReplicaState& state = *replica->replica;
    switch (state.phase) {
      case ReplicaState::Phase::kHandshake:
      case ReplicaState::Phase::kWaitSnapshot:
        break;  // its stream starts at its snapshot's offset
      case ReplicaState::Phase::kTransfer:
      case ReplicaState::Phase::kAwaitAck:
        HoldForReplica(*replica, bytes);
        break;
      case ReplicaState::Phase::kOnline:
        SendToReplica(*replica, bytes);
        break;
    }
  }
}

void Replication::SendToReplica(Client& client, std::string_view bytes) {
  net::Connection& connection = client.connection();
  if (connection.closing()) return;
  client.reply().buffer().append(bytes);
  if (connection.OutputOverLimit()) return DropOverLimit(client);
  connection.ScheduleFlush();
}

void Replication::HoldForReplica(Client& client, std::string_view bytes) {
  net::Connection& connection = client.connection();
  if (connection.closing()) return;
  std::string& held = client.replica->held;
  held.append(bytes);
  // Counted with its unsent RDB against the hard limit, as Redis counts its replication buffer.
  const uint64_t hard = server_.config().client_output_buffer_limit_replica.hard_bytes;
  if (hard != 0 && held.size() + connection.output_pending() >= hard) DropOverLimit(client);
}

void Replication::DropOverLimit(Client& client) {
  spdlog::warn(
      "Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer limits.",
      client.id(), client.connection().peer_address());
  std::string().swap(client.replica->held);
  client.connection().CloseSoon(net::Connection::kOutputLimitReason);
}

void Replication::Sync(Client& client, std::span<const std::string_view> args) {
  if (client.replica != nullptr && client.replica->phase != ReplicaState::Phase::kHandshake) {
    return;  // already a replica: Redis ignores a second SYNC
  }
  if (client.replica == nullptr) client.replica = std::make_unique<ReplicaState>();
  ReplicaState& state = *client.replica;
  spdlog::info("Replica {} asks for synchronization", ReplicaName(client));
  const bool psync = args.size() >= 3;
  // A primary handing its role over: this replica takes it first (its link to that primary is
  // already down, so this comes before the link check).
  if (args.size() > 3 && commands::EqualsIgnoreCase(args[3], "failover")) {
    std::string refusal = TakeOverFromPrimary(args[1]);
    if (!refusal.empty()) return client.reply().Error(refusal);
  }
  if (is_replica() && !link_up()) {
    return client.reply().Error("NOMASTERLINK Can't SYNC while not connected with my master");
  }
  if (psync) {
    std::optional<int64_t> from = ParseInt64(args[2]);
    if (!from) return client.reply().Error(OpStatus::kNotInteger);
    if (TryPartial(client, args[1], static_cast<uint64_t>(*from))) {
      ++sync_partial_ok_;
      return;
    }
    if (args[1] != "?") ++sync_partial_err_;
  } else {
    state.old_sync = true;
  }
  ++sync_full_;
  state.phase = ReplicaState::Phase::kWaitSnapshot;
  client.connection().set_replica_class(true);
  EnsureBacklog();
  replicas_.push_back(&client);
  full_sync_->Add(client);
}

bool Replication::TryPartial(Client& client, std::string_view replid, uint64_t from) {
  const bool known = replid == replid_ || (replid == replid2_ && from <= second_offset_);
  if (!known) {
    if (replid != "?") {
      spdlog::info(
          "Partial resynchronization not accepted: Replication ID mismatch (Replica "
          "asked for '{}', my replication IDs are '{}' and '{}')",
          replid, replid_, replid2_);
    }
    return false;
  }
  if (!backlog_->Covers(from)) {
    spdlog::info(
        "Unable to partial resync with replica {} for lack of backlog (Replica request "
        "was: {}).",
        ReplicaName(client), from);
    return false;
  }
  // What the backlog would send counts against the replica's output limit: a write bigger than
  // the limit then costs one full sync (which carries it in the snapshot) instead of a loop of
  // partial resyncs that each overflow and drop the link (Redis issue #11667).
  const uint64_t missing = backlog_->offset() + 1 - from;
  const uint64_t hard = server_.config().client_output_buffer_limit_replica.hard_bytes;
  if (hard != 0 && missing >= hard) {
    spdlog::info(
        "Partial resynchronization not accepted: {} bytes to send exceed the replica "
        "output buffer limit",
        missing);
    return false;
  }
  ReplicaState& state = *client.replica;
  std::string& out = client.reply().buffer();
  out += state.capa_psync2 ? fmt::format("+CONTINUE {}\r\n", replid_) : "+CONTINUE\r\n";
  backlog_->CopyFrom(from, out);
  state.phase = ReplicaState::Phase::kOnline;
  state.ack_time_ms = MonotonicMs();
  client.connection().set_replica_class(true);
  replicas_.push_back(&client);
  spdlog::info(
      "Partial resynchronization request from {} accepted. Sending {} bytes of backlog "
      "starting from offset {}.",
      ReplicaName(client), missing, from);
  return true;
}

void Replication::TransferDone(Client& client, bool await_ack) {
  ReplicaState& state = *client.replica;
  net::Connection& connection = client.connection();
  if (state.rdb_only) {
    // redis-cli --rdb: the RDB is all it wants.
    connection.CloseAfterReply();
    connection.ScheduleFlush();
    return;
  }
  state.ack_time_ms = MonotonicMs();
  if (!await_ack) return GoOnline(client);
  state.phase = ReplicaState::Phase::kAwaitAck;
  connection.ScheduleFlush();
  spdlog::info(
      "Streamed RDB transfer with replica {} succeeded (socket). Waiting for REPLCONF "
      "ACK from slave to enable streaming",
      ReplicaName(client));
}

void Replication::GoOnline(Client& client) {
  ReplicaState& state = *client.replica;
  state.phase = ReplicaState::Phase::kOnline;
  std::string held;
  held.swap(state.held);
  SendToReplica(client, held);
  spdlog::info("Synchronization with replica {} succeeded", ReplicaName(client));
}

void Replication::Ack(Client& client, uint64_t offset) {
  if (client.replica == nullptr) return;
  ReplicaState& state = *client.replica;
  if (state.phase == ReplicaState::Phase::kWaitSnapshot ||
      state.phase == ReplicaState::Phase::kTransfer ||
      state.phase == ReplicaState::Phase::kHandshake) {
    return;
  }
  state.ack_offset = std::max(state.ack_offset, offset);
  state.ack_time_ms = MonotonicMs();
  if (state.phase == ReplicaState::Phase::kAwaitAck) GoOnline(client);
  server_.blocking().RecheckReplicaWaits();
  CheckFailover();
}

void Replication::RemoveReplica(Client& client) {
  full_sync_->Remove(client);
  if (std::erase(replicas_, &client) == 0) return;
  spdlog::warn("Connection with replica {} lost.", ReplicaName(client));
  if (replicas_.empty()) no_replicas_since_ms_ = MonotonicMs();
}

size_t Replication::ReplicasAcked(uint64_t offset) const {
  return std::count_if(replicas_.begin(), replicas_.end(), [offset](const Client* replica) {
    return replica->replica->phase == ReplicaState::Phase::kOnline &&
           replica->replica->ack_offset >= offset;
  });
}

void Replication::RequestAcks() {
  if (replicas_.empty()) return;
  static constexpr std::string_view kGetAck = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";
  Feed(kGetAck);
}

bool Replication::RefusesWrites() const {
  const Config& config = server_.config();
  if (config.min_replicas_to_write == 0 || config.min_replicas_max_lag == 0 || is_replica()) {
    return false;
  }
  const int64_t now = MonotonicMs();
  auto good = std::count_if(replicas_.begin(), replicas_.end(), [&](const Client* replica) {
    return replica->replica->phase == ReplicaState::Phase::kOnline &&
           (now - replica->replica->ack_time_ms) / 1000 <= config.min_replicas_max_lag;
  });
  return good < config.min_replicas_to_write;
}

void Replication::Cron() {
  const Config& config = server_.config();
  const int64_t now = MonotonicMs();
  // Once a second, as Redis's replication cron, whatever hz is.
  if (now - last_cron_ms_ < 1000) return;
  last_cron_ms_ = now;
  if (backlog_->active() && static_cast<int64_t>(backlog_->size()) != config.repl_backlog_size) {
    backlog_->Resize(static_cast<size_t>(config.repl_backlog_size));
  }
  CheckFailover();
  if (failover_state_ == FailoverState::kInProgress &&
      ((link_ != nullptr && link_->psync_refused()) ||
       (failover_deadline_ms_ != 0 && now > failover_deadline_ms_))) {
    AbortFailover("Failover target rejected psync request");
  }
  if (link_ != nullptr) link_->Cron();
  // The primary's keep-alive, in the stream so that it also moves the offsets.
  if (!is_replica() && !replicas_.empty() &&
      now - last_ping_ms_ >= config.repl_ping_replica_period * 1000) {
    last_ping_ms_ = now;
    Feed("*1\r\n$4\r\nPING\r\n");
  }
  std::vector<Client*> timed_out;
  for (Client* replica : replicas_) {
    ReplicaState& state = *replica->replica;
    if (state.phase == ReplicaState::Phase::kWaitSnapshot) {
      // A newline keeps the link alive while the snapshot has not begun; replicas skip it.
      replica->reply().buffer() += "\n";
      replica->connection().ScheduleFlush();
    } else if (state.phase == ReplicaState::Phase::kOnline && !state.old_sync &&
               now - state.ack_time_ms > config.repl_timeout * 1000) {
      timed_out.push_back(replica);
    }
  }
  for (Client* replica : timed_out) {
    spdlog::warn("Disconnecting timedout replica (streaming sync): {}", ReplicaName(*replica));
    replica->connection().CloseSoon("timeout");
  }
  // A primary without replicas for repl-backlog-ttl seconds frees its backlog; the history it
  // held is gone, so it takes a new replication id.
  if (!is_replica() && replicas_.empty() && backlog_->active() && config.repl_backlog_ttl > 0 &&
      now - no_replicas_since_ms_ > config.repl_backlog_ttl * 1000) {
    NewReplid();
    replid2_ = kNoReplid;
    second_offset_ = 0;
    backlog_->Free();
    AttachSink(false);
    spdlog::info("Replication backlog freed after {} seconds without connected replicas.",
                 config.repl_backlog_ttl);
  }
}

void Replication::AppendInfo(std::string& out) const {
  using info::Field;
  const Config& config = server_.config();
  if (!is_replica()) {
    Field(out, "role", "master");
  } else {
    Field(out, "role", "slave");
    link_->AppendInfo(out);
    Field(out, "slave_priority", config.replica_priority);
    Field(out, "slave_read_only", config.replica_read_only ? 1 : 0);
    Field(out, "replica_announced", 1);
  }
  Field(out, "connected_slaves", replicas_.size());
  const int64_t now = MonotonicMs();
  size_t index = 0;
  for (const Client* replica : replicas_) {
    const ReplicaState& state = *replica->replica;
    fmt::format_to(std::back_inserter(out), "slave{}:ip={},port={},state={},offset={},lag={}\r\n",
                   index++, ReplicaIp(*replica), state.listening_port, PhaseName(state.phase),
                   state.ack_offset, (now - state.ack_time_ms) / 1000);
  }
  constexpr std::string_view kFailoverStates[] = {"no-failover", "waiting-for-sync",
                                                  "failover-in-progress"};
  Field(out, "master_failover_state", kFailoverStates[static_cast<int>(failover_state_)]);
  Field(out, "master_replid", replid_);
  Field(out, "master_replid2", replid2_);
  Field(out, "master_repl_offset", backlog_->offset());
  Field(out, "second_repl_offset",
        second_offset_ == 0 ? int64_t{-1} : static_cast<int64_t>(second_offset_));
  Field(out, "repl_backlog_active", backlog_->active() ? 1 : 0);
  Field(out, "repl_backlog_size", config.repl_backlog_size);
  Field(out, "repl_backlog_first_byte_offset", backlog_->active() ? backlog_->first_offset() : 0);
  Field(out, "repl_backlog_histlen", backlog_->histlen());
}

void Replication::ReplyRole(resp::ReplyBuilder& reply) const {
  if (is_replica()) return link_->ReplyRole(reply);
  reply.Array(3);
  reply.Bulk("master");
  reply.Integer(static_cast<int64_t>(backlog_->offset()));
  size_t online = std::count_if(replicas_.begin(), replicas_.end(), [](const Client* replica) {
    return replica->replica->phase == ReplicaState::Phase::kOnline;
  });
  reply.Array(online);
  for (const Client* replica : replicas_) {
    const ReplicaState& state = *replica->replica;
    if (state.phase != ReplicaState::Phase::kOnline) continue;
    reply.Array(3);
    reply.Bulk(ReplicaIp(*replica));
    reply.Bulk(std::to_string(state.listening_port));
    reply.Bulk(std::to_string(state.ack_offset));
  }
}

void Replication::RestoreFromRdb(const std::string& replid, uint64_t offset) {
  if (replid.size() != 40) return;
  replid_ = replid;
  // The history continues from the file's offset: a replica restarted from it asks its primary
  // to continue from there, and its own replicas can continue with it.
  backlog_->Create(static_cast<size_t>(server_.config().repl_backlog_size), offset);
  if (!is_replica()) AttachSink(true);
}

void Replication::DisconnectReplicas() {
  std::vector<Client*> replicas = replicas_;
  for (Client* replica : replicas) replica->connection().CloseSoon("");
}

}  // namespace magnetar::server
