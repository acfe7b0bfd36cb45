// The one event loop thread: sockets, timers and signals. Wraps Asio so that no layer above net
// includes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "magnetar/net/connection.h"

namespace magnetar::net {

struct ListenerOptions {
  std::vector<std::string> bind_addresses = {"*", "-::*"};  // as redis.conf's `bind`
  int port = 6379;                                          // 0: no TCP listener
  std::string unix_socket;                                  // empty: none
  unsigned unix_socket_perm = 0;                            // 0: leave the umask's mode
  int tcp_backlog = 511;
  int tcp_keepalive_seconds = 300;
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Opens the listeners; `options`, `limits` and `factory` must outlive the loop. May be called
  // again for other listeners with another factory. Returns an empty string, or why a listener
  // could not be opened.
  std::string Listen(const ListenerOptions& options, const ConnectionLimits& limits,
                     SessionFactory& factory);
  // Opens a TCP connection to `host`:`port` (a name or an address). When it is connected,
  // `done(&connection, "")` returns the session the connection starts with (null closes it); when
  // it fails or `timeout_ms` passes first, `done(nullptr, reason)` runs and its result is ignored.
  using ConnectDone = std::function<std::unique_ptr<Session>(Connection*, std::string)>;
  void Connect(const std::string& host, int port, int64_t timeout_ms,
               const ConnectionLimits& limits, ConnectDone done);
  // Calls `tick` every `interval_ms` until Stop().
  void Every(int interval_ms, std::function<void()> tick);
  // Creates a one-shot timer that calls `fire` each time it expires after ArmTimer(); it lives as
  // long as the loop. Returns the timer's id.
  size_t AddTimer(std::function<void()> fire);
  // Expires `timer` `delay_ms` from now, replacing any expiry still pending. Delays over a day
  // fire after a day: owners re-arm from their own state when their timer fires.
  void ArmTimer(size_t timer, int64_t delay_ms);
  // Group commit. HoldOutput() keeps the output of every connection (replies, messages, the
  // replicas' stream) in its buffer until the loop has run the handlers that are ready now and
  // then `commit` once: the writes of the whole batch share one commit (the AOF's write, and its
  // fsync with appendfsync always) and no reply leaves before it. `commit` may still change the
  // output it held (a write it could not persist gets an error instead of its reply).
  void SetOutputCommit(std::function<void()> commit);
  void HoldOutput();
  // Calls `handler(signal)` on SIGTERM and SIGINT.
  void OnShutdownSignal(std::function<void(int)> handler);
  void Run();
  // Runs the handlers that are ready now, without waiting: clients are served between the steps
  // of a long job that runs before Run() (loading the dataset at startup).
  void Poll();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace magnetar::net
