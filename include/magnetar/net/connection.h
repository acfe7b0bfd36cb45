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

#include "magnetar/common/clock.h"
#include "magnetar/common/heap_bytes.h"
#include "magnetar/resp/reply_builder.h"
#include "magnetar/resp/request_parser.h"

namespace magnetar::net {

// One class of client-output-buffer-limit; 0 disables each.
struct OutputLimit {
  uint64_t hard_bytes = 0;
  uint64_t soft_bytes = 0;
  int64_t soft_seconds = 0;
};

// Limits every connection reads live, so CONFIG SET takes effect on existing clients.
struct ConnectionLimits {
  resp::ParserLimits parser;
  // client-output-buffer-limit for normal clients; 0 disables each.
  uint64_t output_hard_limit = 0;
  uint64_t output_soft_limit = 0;
  int64_t output_soft_seconds = 0;
  // client-output-buffer-limit for pub/sub clients (a connection set_pubsub_class(true)).
  OutputLimit pubsub_output;
  // client-output-buffer-limit for replicas (a connection set_replica_class(true)).
  OutputLimit replica_output;
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
  // Runs one request (non-empty). Replies go to the connection's reply builder. `start_us` is a
  // reading of MonotonicUs() taken as the request began (when the one before it ended); returns a
  // reading taken as it ended, or `start_us` if it read no clock.
  virtual int64_t OnRequest(std::span<const std::string_view> args, int64_t start_us) = 0;
  // A hint that `args` (a request of a pipelined batch) will run soon: the session may start
  // loading the memory it will touch. Must not change anything a client could observe.
  virtual void Prefetch(std::span<const std::string_view> /*args*/) {}
  // The connection is closing; `reason` is empty for an ordinary close by the peer.
  virtual void OnClose(std::string_view reason) = 0;
  // While the connection is in raw mode (Connection::set_raw_input), receives the unparsed input
  // instead of requests and returns how many bytes it consumed; 0 waits for more. A replica's
  // link to its primary reads the handshake's replies and the RDB payload this way.
  virtual size_t OnRawInput(std::string_view /*input*/) { return 0; }
};

class Connection {
 public:
  // Why a client whose output passed its client-output-buffer-limit is closed (the server logs
  // it, in the words Redis logs).
  static constexpr std::string_view kOutputLimitReason =
      "client scheduled to be closed ASAP for overcoming of output buffer limits";

  virtual ~Connection() = default;

  // Closes now, dropping unsent replies (CLIENT KILL, limits exceeded).
  virtual void Close(std::string_view reason) = 0;
  // Closes once every reply produced so far has been sent (QUIT, protocol errors).
  void CloseAfterReply() { close_after_reply_ = true; }
  // Closes from outside this connection's own requests, as Redis's "close ASAP": unsent output
  // is dropped now and closing() turns true so nothing more is added, but the close itself (which
  // destroys the session) waits for the scheduled flush, so a caller walking a list of clients,
  // such as a publish walking the subscribers, is not disturbed by one of them going away.
  void CloseSoon(std::string_view reason);

  // Output added from outside the connection's own requests (a message another client
  // published) is sent by a flush that the loop runs soon after: calls in one loop turn make one
  // flush, so the messages of many publishes leave in one write.
  virtual void ScheduleFlush() = 0;

  // Whether the unsent output passes the client-output-buffer-limit of the connection's class:
  // the hard limit, or the soft limit continuously for longer than its seconds. Redis checks on
  // every append, so callers check whenever they add output.
  bool OutputOverLimit() {
    const OutputLimit limit = output_limit();
    const size_t pending = output_pending();
    if (limit.hard_bytes && pending >= limit.hard_bytes) return true;
    if (!limit.soft_bytes || pending < limit.soft_bytes) {
      soft_limit_since_us_ = 0;
      return false;
    }
    return SoftLimitExpired(limit);
  }
  // A blocked client (BLPOP waiting for an element) runs no further request until it is
  // unblocked; unblocking sends the reply it was given and resumes the requests waiting in its
  // buffer. The connection keeps reading meanwhile, so a disconnect is noticed.
  void SetBlocked(bool blocked) {
    blocked_ = blocked;
    if (blocked) return;
    // Its reply is on the way: an unblocked client is active now, as a write would make it, so
    // an idle timeout cannot close it between the unblocking and the write (Redis's clients
    // count a write as interaction too).
    last_interaction_us_ = MonotonicUs();
    OnUnblocked();
  }
  bool blocked() const { return blocked_; }
  // Called by a session from OnRequest: the request stays in the buffer unconsumed and the
  // connection blocks; SetBlocked(false) later runs it again as if it had just arrived (writes
  // held while a FAILOVER pauses them).
  void HoldRequest() {
    hold_request_ = true;
    blocked_ = true;
  }

  // A client with a subscription is in the pubsub class of output limits, a replica in the
  // replica class, else a client is in the normal one.
  void set_pubsub_class(bool pubsub) { pubsub_class_ = pubsub; }
  void set_replica_class(bool replica) { replica_class_ = replica; }
  // Raw mode: the input goes to Session::OnRawInput unparsed until this is turned off again.
  void set_raw_input(bool raw) { raw_input_ = raw; }
  // The bytes of the request being run, as received (a replica passes its primary's stream on
  // to its own replicas unchanged and counts its offset by them). Valid during OnRequest only.
  std::string_view request() const { return request_; }

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
  size_t output_memory() const { return HeapBytes(reply_.buffer()) + HeapBytes(write_buffer_); }
  int64_t last_interaction_us() const { return last_interaction_us_; }
  bool closing() const { return closed_ || close_after_reply_ || close_soon_; }
  const TrafficCounters& traffic() const { return traffic_; }

 protected:
  Connection(const ConnectionLimits& limits) : limits_(&limits), parser_(limits.parser) {}

  OutputLimit output_limit() const {
    if (replica_class_) return limits_->replica_output;
    if (pubsub_class_) return limits_->pubsub_output;
    return {limits_->output_hard_limit, limits_->output_soft_limit, limits_->output_soft_seconds};
  }
  // Called when SetBlocked(false) ends a block: flush and resume processing soon.
  virtual void OnUnblocked() {}
  // The soft limit's clock: true once the output has stayed over it for longer than allowed.
  bool SoftLimitExpired(const OutputLimit& limit);

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
  bool close_soon_ = false;  // CloseSoon() was called; the scheduled flush closes
  bool pubsub_class_ = false;
  bool replica_class_ = false;
  bool raw_input_ = false;
  bool hold_request_ = false;
  bool blocked_ = false;
  std::string_view request_;
  std::string close_soon_reason_;
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
