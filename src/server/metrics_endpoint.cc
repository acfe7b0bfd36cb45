#include "metrics_endpoint.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <string_view>

#include "magnetar/server/server.h"
#include "prometheus_metrics.h"

namespace magnetar::server {
namespace {

// A request head longer than this is refused: a scraper's is a few hundred bytes.
constexpr size_t kMaxHeadBytes = 8192;
// More connections than this at once are answered 503: scrapers come every few seconds, so
// many open connections are someone holding them.
constexpr size_t kMaxConnections = 32;
// The reply's buffer may hold a whole response; the body's size depends on the commands used.
constexpr uint64_t kOutputLimitBytes = 64 * 1024 * 1024;

class HttpSession final : public net::Session {
 public:
  HttpSession(Server& server, net::Connection& connection, std::shared_ptr<size_t> open)
      : server_(server), connection_(connection), open_(std::move(open)) {
    ++*open_;
  }
  ~HttpSession() override { --*open_; }

  void OnRequest(std::span<const std::string_view>) override {}  // raw mode only
  void OnClose(std::string_view) override {}

  size_t OnRawInput(std::string_view input) override {
    const size_t head_end = input.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
      if (input.size() <= kMaxHeadBytes) return 0;  // wait for the rest of the head
      Respond("431 Request Header Fields Too Large", "text/plain", "request head too large\n");
      return input.size();
    }
    Answer(input.substr(0, input.find("\r\n")));
    return input.size();  // one request a connection: what follows is ignored
  }

  // Answers while over the connection limit.
  void Refuse() { Respond("503 Service Unavailable", "text/plain", "too many connections\n"); }

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
  net::Connection& connection_;
  std::shared_ptr<size_t> open_;
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
  if (error.empty()) spdlog::info("Serving Prometheus metrics on port {}", config.metrics_port);
  return error;
}

std::unique_ptr<net::Session> MetricsEndpoint::Open(net::Connection& connection, std::string&) {
  connection.set_raw_input(true);
  auto session = std::make_unique<HttpSession>(server_, connection, open_);
  if (*open_ > kMaxConnections) session->Refuse();
  return session;
}

}  // namespace magnetar::server
