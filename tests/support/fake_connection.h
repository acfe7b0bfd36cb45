// A connection without a socket, for running commands through the real Server, Client and
// dispatcher in unit tests. Open() asks the server for a session as an accepted connection
// would; Run() hands it one request and returns the reply bytes it produced. Close() behaves as
// the real connection's: the session (the Client) is destroyed at once, or once the request
// running on this connection returns.
//
// Output added from outside the connection's requests (pub/sub messages) stays in the output
// until Take() takes it; ScheduleFlush() only records the request, and RunScheduledFlush() does
// what the event loop's flush would that matters to tests: close a connection CloseSoon() marked.
//
// Declare a FakeConnection after the Server it uses, so it is destroyed first.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "magnetar/common/clock.h"
#include "magnetar/net/connection.h"

namespace magnetar::test_support {

class FakeConnection final : public net::Connection {
 public:
  explicit FakeConnection(std::string peer = "127.0.0.1:50000",
                          std::string local = "127.0.0.1:6379", int fd = 10)
      : Connection(DefaultLimits()) {
    peer_address_ = std::move(peer);
    local_address_ = std::move(local);
    fd_ = fd;
    last_interaction_us_ = MonotonicUs();
  }
  ~FakeConnection() override { Close(""); }

  // Asks `factory` (the Server) for this connection's session. False when it refuses; the
  // refusal text is then in refusal().
  bool Open(net::SessionFactory& factory) {
    session_ = factory.Open(*this, refusal_);
    return session_ != nullptr;
  }

  // Runs one request and returns the bytes it added to the output (and takes them out).
  std::string Run(std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> argv(args);
    return Run(argv);
  }
  std::string Run(const std::vector<std::string_view>& args) {
    if (session_) {
      dispatching_ = true;
      session_->OnRequest(args, MonotonicUs());
      dispatching_ = false;
      if (closed_) ReleaseSession();
    }
    return Take();
  }

  // Takes the output produced so far (replies and messages delivered to this connection).
  std::string Take() {
    std::string bytes = std::move(reply_.buffer());
    reply_.buffer().clear();
    return bytes;
  }

  void Close(std::string_view reason) override {
    if (closed_) return;
    closed_ = true;
    close_reason_ = reason;
    if (!dispatching_) ReleaseSession();
  }

  void ScheduleFlush() override {
    if (closed_) return;
    flush_scheduled_ = true;
    ++flushes_scheduled_;
  }
  // The scheduled flush, as far as tests can see it: a connection CloseSoon() marked closes.
  void RunScheduledFlush() {
    flush_scheduled_ = false;
    if (close_soon_) Close(close_soon_reason_);
  }

  // Makes this a Unix socket connection (call before Open()).
  void set_unix() { is_unix_ = true; }

  net::Session* session() const { return session_.get(); }
  bool closed() const { return closed_; }
  bool close_after_reply() const { return close_after_reply_; }
  const std::string& close_reason() const { return close_reason_; }
  const std::string& refusal() const { return refusal_; }
  bool flush_scheduled() const { return flush_scheduled_; }
  int flushes_scheduled() const { return flushes_scheduled_; }  // ScheduleFlush() calls

  // Makes the connection read `limits` (which must outlive it) instead of the defaults.
  void set_limits(const net::ConnectionLimits& limits) { limits_ = &limits; }

 private:
  void ReleaseSession() {
    if (auto session = std::move(session_)) session->OnClose(close_reason_);
  }

  static const net::ConnectionLimits& DefaultLimits() {
    static const net::ConnectionLimits limits;
    return limits;
  }

  std::string refusal_;
  std::string close_reason_;
  bool dispatching_ = false;
  bool flush_scheduled_ = false;
  int flushes_scheduled_ = 0;
};

// The text of a bulk string reply ("$N\r\n...\r\n") or a RESP3 verbatim string
// ("=N\r\ntxt:...\r\n"); empty when `reply` is neither.
inline std::string_view BulkPayload(std::string_view reply) {
  size_t header_end = reply.find("\r\n");
  if (reply.size() < 4 || (reply[0] != '$' && reply[0] != '=') || header_end == reply.npos) {
    return {};
  }
  std::string_view payload = reply.substr(header_end + 2);
  if (payload.size() < 2) return {};
  payload.remove_suffix(2);
  if (reply[0] == '=') payload.remove_prefix(4);  // "txt:"
  return payload;
}

}  // namespace magnetar::test_support
