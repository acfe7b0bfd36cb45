// One client connection. The net layer reads bytes, parses every complete request in the buffer,
// hands each to the connection's Session, and sends all replies of the batch in one write.
//
// Ownership: the connection owns its Session. The connection itself is kept alive by its pending
// socket operations; Close() ends it, after which the session's OnClose() has run and no further
// request reaches it. This header has no Asio in it so the layers above compile fast.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "magnetar/resp/reply_builder.h"
#include "magnetar/resp/request_parser.h"

namespace magnetar::net {

// Limits every connection reads live, so CONFIG SET takes effect on existing clients.
struct ConnectionLimits {
  resp::ParserLimits parser;
  // client-output-buffer-limit for normal clients; 0 disables each.
  uint64_t output_hard_limit = 0;
  uint64_t output_soft_limit = 0;
  int64_t output_soft_seconds = 0;
  // While this many reply bytes wait to be sent, the connection stops executing requests and
  // stops reading, so a client that never reads cannot grow the server's memory.
  size_t output_pause_bytes = 1024 * 1024;
};

class Connection;

// Bytes and socket operations of one connection, summed by INFO stats.
struct TrafficCounters {
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
  uint64_t reads = 0;
  uint64_t writes = 0;

  TrafficCounters& operator+=(const TrafficCounters& other) {
    input_bytes += other.input_bytes;
    output_bytes += other.output_bytes;
    reads += other.reads;
    writes += other.writes;
    return *this;
  }
};

// The server's side of one connection.
class Session {
 public:
  virtual ~Session() = default;
  // Runs one request (non-empty). Replies go to the connection's reply builder.
  virtual void OnRequest(std::span<const std::string_view> args) = 0;
  // A hint that `args` (a request of a pipelined batch) will run soon: the session may start
  // loading the memory it will touch. Must not change anything a client could observe.
  virtual void Prefetch(std::span<const std::string_view> /*args*/) {}
  // The connection is closing; `reason` is empty for an ordinary close by the peer.
  virtual void OnClose(std::string_view reason) = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Closes now, dropping unsent replies (CLIENT KILL, limits exceeded).
  virtual void Close(std::string_view reason) = 0;
  // Closes once every reply produced so far has been sent (QUIT, protocol errors).
  void CloseAfterReply() { close_after_reply_ = true; }

  resp::ReplyBuilder& reply() { return reply_; }
  resp::RequestParser& parser() { return parser_; }
  const std::string& peer_address() const { return peer_address_; }  // "ip:port" or path
  const std::string& local_address() const { return local_address_; }
  bool is_unix() const { return is_unix_; }
  // A Unix socket or a loopback peer (protected mode, enable-debug-command local).
  bool is_local() const {
    return is_unix_ || peer_address_.starts_with("127.") || peer_address_.starts_with("::1:");
  }
  int fd() const { return fd_; }

  // Figures CLIENT LIST reports.
  size_t query_buffer_used() const { return read_end_ - read_begin_; }
  size_t query_buffer_capacity() const { return read_buffer_.size(); }
  size_t output_pending() const { return reply_.size() + write_buffer_.size(); }
  size_t output_memory() const { return reply_.buffer().capacity() + write_buffer_.capacity(); }
  int64_t last_interaction_us() const { return last_interaction_us_; }
  bool closing() const { return closed_ || close_after_reply_; }
  const TrafficCounters& traffic() const { return traffic_; }

 protected:
  Connection(const ConnectionLimits& limits) : limits_(&limits), parser_(limits.parser) {}

  const ConnectionLimits* limits_;
  std::unique_ptr<Session> session_;
  resp::RequestParser parser_;
  resp::ReplyBuilder reply_;
  std::string read_buffer_;  // bytes [read_begin_, read_end_) are unparsed input
  size_t read_begin_ = 0;
  size_t read_end_ = 0;
  std::string write_buffer_;  // the batch being written
  std::string peer_address_;
  std::string local_address_;
  bool is_unix_ = false;
  int fd_ = -1;
  bool close_after_reply_ = false;
  bool closed_ = false;
  int64_t last_interaction_us_ = 0;
  int64_t soft_limit_since_us_ = 0;  // when output first exceeded the soft limit, 0 if not
  TrafficCounters traffic_;
};

// Creates the session of each accepted connection.
class SessionFactory {
 public:
  virtual ~SessionFactory() = default;
  // Returns the new connection's session, or null to refuse it, with `refusal` set to the error
  // reply (without '-') sent before closing.
  virtual std::unique_ptr<Session> Open(Connection& connection, std::string& refusal) = 0;
};

}  // namespace magnetar::net
