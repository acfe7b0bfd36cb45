// The server's state for one connected client: identity, selected database, authentication,
// reply mode. It is the connection's Session; the connection owns it, and it registers itself
// with the Server for as long as it lives.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "magnetar/net/connection.h"
#include "magnetar/server/pubsub.h"
#include "magnetar/server/transaction.h"

namespace magnetar::server {

class Server;

// CLIENT REPLY: ON sends replies, OFF drops them, SKIP drops the next command's.
enum class ReplyMode { kOn, kOff, kSkipNext, kSkipThis };

class Client final : public net::Session {
 public:
  Client(Server& server, net::Connection& connection, uint64_t id);
  ~Client() override;

  void OnRequest(std::span<const std::string_view> args) override;
  void Prefetch(std::span<const std::string_view> args) override;
  void OnClose(std::string_view reason) override;

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
