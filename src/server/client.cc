#include "magnetar/server/client.h"

#include "dispatcher.h"
#include "magnetar/common/clock.h"
#include "magnetar/server/server.h"

namespace magnetar::server {

Client::Client(Server& server, net::Connection& connection, uint64_t id)
    : server_(&server), connection_(&connection), id_(id), created_us_(MonotonicUs()) {
  authenticated = server.config().requirepass.empty();
  connection.parser().set_auth_required(!authenticated);
  server.AddClient(*this);
}

Client::~Client() {
  if (monitor) server_->monitors().Remove(*this);
  server_->RemoveClient(*this);
}

void Client::OnRequest(std::span<const std::string_view> args) {
  Dispatch(*server_, *this, args);
  lookahead_queued_ = transaction.active();
}

void Client::Prefetch(std::span<const std::string_view> args) {
  lookahead_queued_ = PrefetchKeys(*server_, *this, args, lookahead_queued_);
}

void Client::OnClose(std::string_view reason) {
  if (!reason.empty()) {
    server_->LogClientClosed(*this, reason);
  }
}

}  // namespace magnetar::server
