#include "magnetar/server/client.h"

#include "dispatcher.h"
#include "magnetar/common/clock.h"
#include "magnetar/server/replication.h"
#include "magnetar/server/server.h"
#include "master_link.h"

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

int64_t Client::OnRequest(std::span<const std::string_view> args, int64_t start_us) {
  if (is_primary_link) {
    if (MasterLink* link = server_->replication().link();
        link != nullptr && link->client() == this) {
      return link->Apply(*this, args, start_us);
    }
    return start_us;
  }
  const int64_t end_us = Dispatch(*server_, *this, args, start_us);
  lookahead_queued_ = transaction.active();
  return end_us;
}

size_t Client::OnRawInput(std::string_view input) {
  MasterLink* link = server_->replication().link();
  return link != nullptr && link->client() == this ? link->OnRawInput(input) : 0;
}

void Client::Prefetch(std::span<const std::string_view> args) {
  lookahead_queued_ = PrefetchKeys(*server_, *this, args, lookahead_queued_);
}

void Client::OnClose(std::string_view reason) {
  if (MasterLink* link = server_->replication().link(); link != nullptr && link->client() == this) {
    link->OnClosed();
  }
  if (!reason.empty()) {
    server_->LogClientClosed(*this, reason);
  }
}

}  // namespace magnetar::server
