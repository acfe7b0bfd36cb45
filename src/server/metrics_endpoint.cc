#include "metrics_endpoint.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <string_view>
#include <vector>

#include "magnetar/common/clock.h"
#include "magnetar/server/server.h"
#include "prometheus_metrics.h"

namespace magnetar::server {
namespace {

// A request head longer than this is refused: a scraper's is a few hundred bytes.
constexpr size_t kMaxHeadBytes = 8192;
// More connections than this at once are answered 503: scrapers come every few seconds, so
// many open connections are someone holding them.
constexpr size_t kMaxConnections = 32;
// A connection still open after this is closed, whether its request head never came or its
// reply is not being read, so that idle or stuck peers cannot hold the connection slots (a
// scrape takes milliseconds).
constexpr int64_t kRequestTimeoutUs = 10'000'000;
// The reply's buffer may hold a whole response; the body's size depends on the commands used.
constexpr uint64_t kOutputLimitBytes = 64 * 1024 * 1024;

class HttpSession final : public net::Session {
 public:
  // `refused`: the connection is over the limit, and its request is answered 503.
  HttpSession(Server& server, MetricsEndpoint& endpoint, net::Connection& connection, bool refused)
      : server_(server), endpoint_(endpoint), connection_(connection), refused_(refused) {}
  ~HttpSession() override { endpoint_.Forget(connection_); }

  int64_t OnRequest(std::span<const std::string_view>, int64_t start_us) override {
    return start_us;  // raw mode only
  }
  void OnClose(std::string_view) override {}

  size_t OnRawInput(std::string_view input) override {
    const size_t head_end = input.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
      if (input.size() <= kMaxHeadBytes) return 0;  // wait for the rest of the head
      Respond("431 Request Header Fields Too Large", "text/plain", "request head too large\n");
      return input.size();
    }
    if (refused_) {
      Respond("503 Service Unavailable", "text/plain", "too many connections\n");
    } else {
      Answer(input.substr(0, input.find("\r\n")));
    }
    return input.size();  // one request a connection: what follows is ignored
  }

 private:
  // Answers the request line "METHOD TARGET HTTP/x.y".
  void Answer(std::string_view line) {
    const size_t first_space = line.find(' ');
    const size_t second_space = line.find(' ', first_space + 1);
    if (first_space == std::string_view::npos || second_space == std::string_view::npos ||
        !line.substr(second_space + 1).starts_with("HTTP/")) {
      return Respond("400 Bad Request", "text/plain", "malformed request line\n");
    }
    const std::string_view method = line.substr(0, first_space);
    std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
    target = target.substr(0, target.find('?'));
    if (target != "/metrics") return Respond("404 Not Found", "text/plain", "try /metrics\n");
    if (method != "GET" && method != "HEAD") {
      return Respond("405 Method Not Allowed", "text/plain", "only GET\n");
    }
    const std::string body = RenderPrometheusMetrics(server_);
    Respond("200 OK", "text/plain; version=0.0.4; charset=utf-8", method == "GET" ? body : "",
            body.size());
  }

  // `content_length` differs from the body's size only for HEAD.
  void Respond(std::string_view status, std::string_view content_type, std::string_view body,
               size_t content_length = std::string_view::npos) {
    if (content_length == std::string_view::npos) content_length = body.size();
    connection_.reply().Raw(fmt::format(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        status, content_type, content_length));
    connection_.reply().Raw(body);
    connection_.CloseAfterReply();
  }

  Server& server_;
  MetricsEndpoint& endpoint_;
  net::Connection& connection_;
  const bool refused_;
};

}  // namespace

MetricsEndpoint::MetricsEndpoint(Server& server) : server_(server) {
  limits_.output_hard_limit = kOutputLimitBytes;
  limits_.output_pause_bytes = kOutputLimitBytes;
}

std::string MetricsEndpoint::Listen() {
  const Config& config = server_.config();
  options_.bind_addresses = config.bind;
  options_.port = config.metrics_port;
  options_.tcp_backlog = config.tcp_backlog;
  options_.tcp_keepalive_seconds = config.tcp_keepalive;
  std::string error = server_.loop().Listen(options_, limits_, *this);
  if (!error.empty()) return error;
  server_.loop().Every(1000, [this] { CloseStale(); });
  spdlog::info("Serving Prometheus metrics on port {}", config.metrics_port);
  return "";
}

std::unique_ptr<net::Session> MetricsEndpoint::Open(net::Connection& connection, std::string&) {
  connection.set_raw_input(true);
  const bool refused = opened_us_.size() >= kMaxConnections;
  opened_us_[&connection] = MonotonicUs();
  return std::make_unique<HttpSession>(server_, *this, connection, refused);
}

void MetricsEndpoint::CloseStale() {
  const int64_t now = MonotonicUs();
  std::vector<net::Connection*> stale;
  for (const auto& [connection, opened] : opened_us_) {
    if (now - opened > kRequestTimeoutUs) stale.push_back(connection);
  }
  // Closing destroys the session, which forgets the connection: not while walking the map.
  for (net::Connection* connection : stale) connection->Close("metrics request timed out");
}

}  // namespace magnetar::server
