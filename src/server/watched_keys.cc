#include "magnetar/server/watched_keys.h"

#include <algorithm>

#include "magnetar/server/client.h"

namespace magnetar::server {
namespace {

WatchedKey* FindWatch(Client& client, size_t db, std::string_view key) {
  for (WatchedKey& watched : client.transaction.watched()) {
    if (watched.db == db && watched.key == key) return &watched;
  }
  return nullptr;
}

}  // namespace

void WatchedKeys::Watch(Client& client, size_t db, std::string_view key,
                        engine::Keyspace& keyspace) {
  if (FindWatch(client, db, key) != nullptr) return;
  const engine::Entry* entry = keyspace.db(db).Peek(key);
  bool expired = entry != nullptr && keyspace.db(db).IsExpired(*entry);
  client.transaction.watched().push_back({db, std::string(key), expired});
  watchers_[Key{db, std::string(key)}].push_back(&client);
}

void WatchedKeys::UnwatchAll(Client& client) {
  for (const WatchedKey& watched : client.transaction.watched()) {
    auto it = watchers_.find(Key{watched.db, watched.key});
    if (it == watchers_.end()) continue;
    std::vector<Client*>& clients = it->second;
    clients.erase(std::remove(clients.begin(), clients.end(), &client), clients.end());
    if (clients.empty()) watchers_.erase(it);
  }
  client.transaction.watched().clear();
}

void WatchedKeys::Touch(engine::Keyspace& keyspace, size_t db, std::string_view key, bool removed) {
  if (watchers_.empty()) return;
  auto it = watchers_.find(Key{db, std::string(key)});
  if (it == watchers_.end()) return;
  bool gone = removed || keyspace.db(db).Peek(key) == nullptr;
  std::vector<Client*> failed;
  for (Client* client : it->second) {
    WatchedKey* watched = FindWatch(*client, db, key);
    // A key that was already expired when watched and is now deleted did not logically change.
    if (watched->expired && gone) {
      watched->expired = false;
      continue;
    }
    failed.push_back(client);
  }
  for (Client* client : failed) {
    client->transaction.FailWatch();
    // Once failed, further changes need not find this client again.
    UnwatchAll(*client);
  }
}

void WatchedKeys::TouchDatabase(engine::Database& emptied, engine::Database* replacement) {
  if (watchers_.empty()) return;
  std::vector<Client*> failed;
  for (auto& [key, clients] : watchers_) {
    if (key.db != emptied.index()) continue;
    const engine::Entry* before = emptied.Peek(key.key);
    const engine::Entry* after = replacement != nullptr ? replacement->Peek(key.key) : nullptr;
    if (before == nullptr && after == nullptr) continue;
    bool after_expired = after != nullptr && replacement->IsExpired(*after);
    for (Client* client : clients) {
      WatchedKey* watched = FindWatch(*client, key.db, key.key);
      if (watched->expired) {
        // An expired key that goes away, or is replaced by another expired one, is no change.
        if (after == nullptr) {
          watched->expired = false;
          continue;
        }
        if (after_expired) continue;
      } else if (before == nullptr && after_expired) {
        // A missing key replaced by an expired one is still logically missing.
        watched->expired = true;
        continue;
      }
      failed.push_back(client);
    }
  }
  std::sort(failed.begin(), failed.end());
  failed.erase(std::unique(failed.begin(), failed.end()), failed.end());
  for (Client* client : failed) {
    client->transaction.FailWatch();
    UnwatchAll(*client);
  }
}

bool WatchedKeys::AnyExpiredSinceWatch(Client& client, engine::Keyspace& keyspace) const {
  for (const WatchedKey& watched : client.transaction.watched()) {
    if (watched.expired) continue;
    const engine::Entry* entry = keyspace.db(watched.db).Peek(watched.key);
    if (entry != nullptr && keyspace.db(watched.db).IsExpired(*entry)) return true;
  }
  return false;
}

}  // namespace magnetar::server
