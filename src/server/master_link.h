// A replica's link to its primary: connects, does Redis 7.0's handshake (PING, AUTH with
// masterauth/masteruser, REPLCONF listening-port / ip-address / capa eof psync2, PSYNC), takes a
// full sync's RDB payload (`$<length>` or EOF-marked) into a file (repl-diskless-load disabled)
// or memory (on-empty-db, swapdb) and loads it, then applies the stream through the dispatcher
// as the primary's client: no replies, and REPLCONF ACK <offset> every second. A dropped link is
// reconnected by the cron and continues with PSYNC from the offset reached.
//
// The connection's session is an ordinary Client marked is_primary_link, which hands its raw
// input (handshake replies, payload) and its requests (the stream) to this object.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "magnetar/resp/reply_builder.h"

namespace magnetar::net {
class Connection;
}

namespace magnetar::server {

class Server;
class Client;
class Replication;

class MasterLink {
 public:
  MasterLink(Server& server, Replication& replication, std::string host, int port);
  ~MasterLink();  // closes the connection

  // Once a second: connects when the link is down, acknowledges, notices a silent primary.
  void Cron();
  bool up() const { return state_ == State::kConnected; }
  const Client* client() const { return client_; }
  // The primary answered PSYNC with an error (a FAILOVER target that refused the hand-over).
  bool psync_refused() const { return psync_refused_; }

  void AppendInfo(std::string& out) const;
  void ReplyRole(resp::ReplyBuilder& reply) const;

  // From the link's Client.
  size_t OnRawInput(std::string_view input);
  // Applies one command of the stream, timed from `start_us`; returns the reading that ended it.
  int64_t Apply(Client& client, std::span<const std::string_view> args, int64_t start_us);
  void OnClosed();
  // REPLCONF GETACK from the primary: the ACK goes out once the command is applied.
  void RequestAck() { ack_requested_ = true; }

 private:
  enum class State { kIdle, kConnecting, kHandshake, kTransfer, kConnected };
  enum class Step { kPing, kAuth, kPort, kIp, kCapa, kPsync };

  void Connect();
  // Sends the current step's command (steps that do not apply are skipped).
  void SendStep();
  void Send(std::span<const std::string_view> args);
  void OnReply(std::string_view line);
  // Consumes payload bytes; true once the payload is complete.
  size_t ReadPayload(std::string_view input, bool& complete);
  bool BeginPayload(std::string_view header);
  bool DatasetEmpty() const;
  void StorePayload(std::string_view bytes);
  bool LoadPayload();
  void StartStreaming();
  void SendAck();
  // Drops the link; the cron connects again.
  void Fail(std::string_view why);

  Server& server_;
  Replication& replication_;
  std::string host_;
  int port_;
  State state_ = State::kIdle;
  Step step_ = Step::kPing;
  net::Connection* connection_ = nullptr;
  Client* client_ = nullptr;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // a connect callback's guard
  int64_t last_io_ms_ = 0;
  int64_t down_since_ms_ = 0;  // 0: never up
  bool ack_requested_ = false;
  bool psync_refused_ = false;
  // The full sync being received.
  std::string sync_replid_;
  uint64_t sync_offset_ = 0;
  bool header_read_ = false;
  bool eof_mode_ = false;
  std::string eof_mark_;
  uint64_t payload_total_ = 0;  // the announced length; 0 in EOF mode
  uint64_t payload_read_ = 0;
  uint64_t payload_unyielded_ = 0;     // bytes stored since the loop last offered its CPU
  uint64_t payload_stored_ = 0;        // bytes written to the payload file
  uint64_t payload_written_back_ = 0;  // of those, how many the disk was asked to take
  std::string tail_;                   // EOF mode: the last bytes read, which may be the end mark
  bool to_memory_ = false;
  std::string payload_;  // to_memory_
  int payload_fd_ = -1;
  std::string payload_path_;
};

}  // namespace magnetar::server
