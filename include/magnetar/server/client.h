// The server's state for one connected client: identity, selected database, authentication,
// reply mode. It is the connection's Session; the connection owns it, and it registers itself
// with the Server for as long as it lives.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "magnetar/net/connection.h"
#include "magnetar/server/pubsub.h"
#include "magnetar/server/transaction.h"

namespace magnetar::server {

class Server;
struct ReplicaState;

// CLIENT REPLY: ON sends replies, OFF drops them, SKIP drops the next command's.
enum class ReplyMode { kOn, kOff, kSkipNext, kSkipThis };

class Client final : public net::Session {
 public:
  Client(Server& server, net::Connection& connection, uint64_t id);
  ~Client() override;

  int64_t OnRequest(std::span<const std::string_view> args, int64_t start_us) override;
  void Prefetch(std::span<const std::string_view> args) override;
  void OnClose(std::string_view reason) override;
  size_t OnRawInput(std::string_view input) override;

  net::Connection& connection() { return *connection_; }
  const net::Connection& connection() const { return *connection_; }
  resp::ReplyBuilder& reply() { return connection_->reply(); }

  uint64_t id() const { return id_; }
  int64_t created_us() const { return created_us_; }  // monotonic

  std::string name;
  std::string lib_name;
  std::string lib_ver;
  size_t db_index = 0;
  bool authenticated = false;
  bool no_evict = false;
  bool monitor = false;  // in the server's Monitors (MONITOR), until RESET or the close
  ReplyMode reply_mode = ReplyMode::kOn;
  std::string_view last_command = "NULL";  // a command table name, for CLIENT LIST cmd=
  Transaction transaction;                 // MULTI state and WATCHed keys
  ClientSubscriptions subscriptions;       // pub/sub; the server's PubSub keeps them
  // A replica connected to this server (it sent SYNC or PSYNC), else null.
  std::unique_ptr<ReplicaState> replica;
  // This server's link to its primary: the stream it applies, with no replies and no refusals.
  bool is_primary_link = false;
  // The client that replays the AOF at startup: nothing is refused to it either (-LOADING while
  // it loads, READONLY when the server is configured as a replica).
  bool replays_aof = false;
  // The replication offset after this client's last write (WAIT waits for replicas to reach it).
  uint64_t write_offset = 0;

 private:
  Server* server_;
  net::Connection* connection_;
  uint64_t id_;
  int64_t created_us_;
  // Whether the next request the connection's look-ahead shows will be queued by MULTI: the
  // transaction's state after the last request run, followed through the requests shown since.
  // A guess (the look-ahead does not show the request about to run, which may be MULTI or EXEC):
  // a wrong one only costs a useless prefetch or a missed one.
  bool lookahead_queued_ = false;
};

}  // namespace magnetar::server
