// The Prometheus endpoint (metrics-port): a minimal HTTP/1.1 server on the event loop that
// answers GET /metrics with RenderPrometheusMetrics, one request per connection. It rides on the
// net layer's connections in raw mode, so their output limits and traffic counting apply; its
// connections are not clients (CLIENT LIST, maxclients and INFO do not count them).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "magnetar/net/event_loop.h"

namespace magnetar::server {

class Server;

class MetricsEndpoint final : public net::SessionFactory {
 public:
  explicit MetricsEndpoint(Server& server);

  // Listens on the server's `bind` addresses at metrics-port. Empty, or why it could not.
  std::string Listen();

  std::unique_ptr<net::Session> Open(net::Connection& connection, std::string& refusal) override;

  // A session ends (its connection closed): it is forgotten.
  void Forget(net::Connection& connection) { opened_us_.erase(&connection); }

 private:
  // Closes the connections open for longer than a scrape may take (metrics_endpoint.cc).
  void CloseStale();

  Server& server_;
  net::ListenerOptions options_;
  net::ConnectionLimits limits_;
  // The open connections and when each was accepted. The endpoint is declared before the
  // server's event loop, so it outlives every connection and session.
  std::unordered_map<net::Connection*, int64_t> opened_us_;
};

}  // namespace magnetar::server
