#include "magnetar/server/blocking.h"

#include <algorithm>

#include "dispatcher.h"
#include "magnetar/commands/command_registry.h"
#include "magnetar/common/clock.h"
#include "magnetar/server/client.h"
#include "magnetar/server/server.h"

namespace magnetar::server {

bool Blocking::ClientBlocker::CanBlock() const {
  // Inside MULTI/EXEC a blocking command replies at once, as on a timeout; so does a keyless
  // one run again at its deadline.
  return !client_.transaction.active() && blocking_.timing_out_ != &client_;
}

void Blocking::ClientBlocker::Block(std::span<const std::string_view> keys, int64_t deadline_ms) {
  if (blocking_.rerunning_ == &client_) {
    blocking_.reblocked_ = true;  // served again later, in the place it already holds
    return;
  }
  blocking_.Park(client_, command_, args_, db_, keys, deadline_ms);
}

void Blocking::Park(Client& client, commands::RegisteredCommand& command,
                    std::span<const std::string_view> args, size_t db,
                    std::span<const std::string_view> keys, int64_t deadline_ms) {
  auto waiter = std::make_unique<Waiter>(
      Waiter{&client, &command, db, {args.begin(), args.end()}, {}, deadline_ms});
  for (std::string_view key : keys) {
    // A key named twice waits once.
    if (std::find(waiter->keys.begin(), waiter->keys.end(), key) != waiter->keys.end()) continue;
    waiter->keys.emplace_back(key);
    waiting_[KeyId(db, std::string(key))].push_back(&client);
  }
  if (deadline_ms != 0) deadlines_.emplace(deadline_ms, &client);
  blocked_[&client] = std::move(waiter);
  client.connection().SetBlocked(true);
  ArmTimer();
}

void Blocking::Release(Client& client) {
  auto it = blocked_.find(&client);
  if (it == blocked_.end()) return;
  Waiter& waiter = *it->second;
  for (const std::string& key : waiter.keys) {
    auto queue = waiting_.find(KeyId(waiter.db, key));
    if (queue == waiting_.end()) continue;
    std::erase(queue->second, &client);
    if (queue->second.empty()) waiting_.erase(queue);
  }
  if (waiter.deadline_ms != 0) deadlines_.erase({waiter.deadline_ms, &client});
  blocked_.erase(it);
}

void Blocking::SignalKey(size_t db, std::string_view key) {
  if (waiting_.empty()) return;
  KeyId id(db, std::string(key));
  if (!waiting_.contains(id) || ready_set_.contains(id)) return;
  ready_set_.insert(id);
  ready_.push_back(std::move(id));
}

void Blocking::HandleReadyKeys() {
  while (!ready_.empty()) {
    std::vector<KeyId> keys;
    keys.swap(ready_);
    ready_set_.clear();
    for (const KeyId& key : keys) {
      auto queue = waiting_.find(key);
      if (queue == waiting_.end()) continue;
      // Served in arrival order; a copy, since serving changes the queue.
      std::vector<Client*> clients(queue->second.begin(), queue->second.end());
      for (Client* client : clients) {
        if (!server_.keyspace().db(key.first).Exists(key.second)) break;
        auto it = blocked_.find(client);
        if (it == blocked_.end()) continue;
        Rerun(*client, *it->second);
      }
    }
  }
}

bool Blocking::Rerun(Client& client, Waiter& waiter) {
  std::vector<std::string_view> args(waiter.args.begin(), waiter.args.end());
  rerunning_ = &client;
  reblocked_ = false;
  const size_t db_before = client.db_index;
  client.db_index = waiter.db;
  CallUnit(server_, client, *waiter.command, args, MonotonicUs());
  client.db_index = db_before;
  rerunning_ = nullptr;
  if (reblocked_) return false;
  Release(client);
  client.connection().SetBlocked(false);
  return true;
}

void Blocking::RecheckReplicaWaits() {
  std::vector<Client*> keyless;
  for (const auto& [client, waiter] : blocked_) {
    if (waiter->keys.empty()) keyless.push_back(const_cast<Client*>(client));
  }
  for (Client* client : keyless) {
    auto it = blocked_.find(client);
    if (it != blocked_.end()) Rerun(*client, *it->second);
  }
}

void Blocking::ExpireTimeouts(int64_t now_ms) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now_ms) {
    Client* client = deadlines_.begin()->second;
    TimeOut(*client, *blocked_.at(client));
  }
  ArmTimer();
}

void Blocking::TimeOut(Client& client, Waiter& waiter) {
  if (waiter.keys.empty()) {
    // WAIT replies the count it has at its deadline.
    timing_out_ = &client;
    Rerun(client, waiter);
    timing_out_ = nullptr;
    return;
  }
  Release(client);
  // Redis 7.0 replies a null array to every list command that times out.
  client.reply().NullArray();
  client.connection().SetBlocked(false);
}

void Blocking::OnTimer() { ExpireTimeouts(server_.clock().NowMs()); }

void Blocking::ArmTimer() {
  if (!arm_timer_ || deadlines_.empty()) return;
  int64_t delay = deadlines_.begin()->first - server_.clock().NowMs();
  arm_timer_(std::max<int64_t>(delay, 0));
}

void Blocking::Remove(Client& client) { Release(client); }

bool Blocking::Unblock(Client& client, bool error) {
  auto it = blocked_.find(&client);
  if (it == blocked_.end()) return false;
  if (!error) {
    TimeOut(client, *it->second);
    return true;
  }
  Release(client);
  client.reply().Error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  client.connection().SetBlocked(false);
  return true;
}

}  // namespace magnetar::server
