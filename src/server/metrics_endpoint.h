// The Prometheus endpoint (metrics-port): a minimal HTTP/1.1 server on the event loop that
// answers GET /metrics with RenderPrometheusMetrics, one request per connection. It rides on the
// net layer's connections in raw mode, so their output limits and traffic counting apply; its
// connections are not clients (CLIENT LIST, maxclients and INFO do not count them).
#pragma once

#include <memory>
#include <string>

#include "magnetar/net/event_loop.h"

namespace magnetar::server {

class Server;

class MetricsEndpoint final : public net::SessionFactory {
 public:
  explicit MetricsEndpoint(Server& server);

  // Listens on the server's `bind` addresses at metrics-port. Empty, or why it could not.
  std::string Listen();

  std::unique_ptr<net::Session> Open(net::Connection& connection, std::string& refusal) override;

 private:
  Server& server_;
  net::ListenerOptions options_;
  net::ConnectionLimits limits_;
  // Connections open now, shared with their sessions, which may outlive this object while the
  // loop winds down.
  std::shared_ptr<size_t> open_ = std::make_shared<size_t>(0);
};

}  // namespace magnetar::server
